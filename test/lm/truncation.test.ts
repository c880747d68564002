import { describe, expect, it } from 'vitest';
import { createScorer } from '../../lib/lm';
import { headerLineCount, splitLines, truncateContext } from '../../lib/lm/truncation';
import { resumeContext, shortLlama } from './fixtures';

// One token per character: easy to count.
const encode = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

describe('truncateContext', () => {
  const text = 'H1\nH2\n2001: a\n2002: b\n2003: c\n2004:';

  it('leaves a context that fits alone', () => {
    const t = truncateContext(text, encode, [0], { maxTokens: 100, headerLines: 'auto' });
    expect(t).toMatchObject({ truncated: false, droppedLines: 0, droppedTokens: 0, text });
    expect(t.ids).toEqual([0, ...encode(text)]);
  });

  it('keeps the header and the most recent lines, dropping the oldest year lines', () => {
    // header 6 + last line 5 + prefix 1 = 12; each year line is 8.
    const t = truncateContext(text, encode, [0], { maxTokens: 12 + 8 + 3, headerLines: 'auto' });
    expect(t.text).toBe('H1\nH2\n2003: c\n2004:');
    expect(t).toMatchObject({ truncated: true, droppedLines: 2, droppedTokens: 0 });
    expect(t.ids).toEqual([0, ...encode(t.text)]);
    expect(t.ids.length).toBeLessThanOrEqual(23);
  });

  it('takes headerLines as a number too', () => {
    const t = truncateContext(text, encode, [], { maxTokens: 3 + 5 + 8, headerLines: 1 });
    expect(t.text).toBe('H1\n2003: c\n2004:');
    expect(t.droppedLines).toBe(3);
  });

  it('cuts to the last tokens when header and last line alone are too long', () => {
    const t = truncateContext(text, encode, [0], { maxTokens: 8, headerLines: 'auto' });
    expect(t.ids).toEqual([0, ...encode('c\n2004:')]);
    expect(t).toMatchObject({ truncated: true, droppedLines: 0, droppedTokens: 1 + encode(text).length - 8 });
  });

  it('finds the header: the lines before the first year line', () => {
    expect(headerLineCount(splitLines(text), 'auto')).toBe(2);
    expect(headerLineCount(splitLines('no years\nat all'), 'auto')).toBe(0);
    expect(splitLines('a\nb\n')).toEqual(['a\n', 'b\n']);
  });
});

describe('truncation inside the scorers', () => {
  it('truncates long contexts, counts them, and fast still equals naive', async () => {
    const modelDir = shortLlama(); // 48 positions
    const years = Array.from({ length: 12 }, (_, i) => [1980 + i, 'some college', i % 2 ? 'Cooks' : 'Cashiers'] as [number, string, string]);
    const long = resumeContext(years, [1992, 'some college']);
    const requests = [{ context: long }, { context: '1990 (some college):' }];
    const candidates = ['Cook', 'Cooks', 'Cashiers', 'Chief executives'];
    const fast = await createScorer({ modelDir, candidates, kind: 'fast', threads: 1 });
    const naive = await createScorer({ modelDir, candidates, kind: 'naive', threads: 1 });
    try {
      const a = await fast.score(requests);
      const b = await naive.score(requests);
      for (let i = 0; i < 2; i++) for (let j = 0; j < candidates.length; j++) expect(Math.abs(a[i][j] - b[i][j])).toBeLessThan(1e-4);
      expect(fast.stats.truncatedContexts).toBe(1);
      expect(fast.stats.droppedLines).toBeGreaterThan(0);
      const d = fast.describe();
      expect(d.truncation.maxContextTokens).toBeLessThan(48);
      expect(fast.stats.contextTokens).toBeLessThanOrEqual(2 * d.truncation.maxContextTokens);
    } finally {
      await fast.release();
      await naive.release();
    }
  }, 180_000);
});
