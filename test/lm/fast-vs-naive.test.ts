import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfig, InvalidModel } from '../../lib/errors';
import { createScorer, type OnnxScorer, type ScoreRequest } from '../../lib/lm';
import { loadTaxonomy } from '../../lib/panel/taxonomy';
import { resumeContext, tinyGpt2, tinyLlama, tinyPlainLlama } from './fixtures';

const BUILD_TIMEOUT = 180_000;
// "Cook" is a prefix of "Cooks" and of "Cook helpers": the "\n" must tell them apart.
const titles = ['Cook', 'Cooks', 'Cook helpers', ...loadTaxonomy('default').rows.map((r) => r.title)];
const requests: ScoreRequest[] = [
  { context: resumeContext([[1990, 'high school diploma', 'Cooks'], [1991, 'some college', 'Cashiers']], [1992, 'some college']) },
  { context: '1990 (some college):' },
  { context: 'x' }, // one token: no context pass, the root is the whole context
];

function maxDiff(a: Float64Array[], b: Float64Array[]): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j])))));
  return m;
}

async function scoreWith(opts: Parameters<typeof createScorer>[0]): Promise<{ scores: Float64Array[]; scorer: OnnxScorer }> {
  const scorer = await createScorer(opts);
  try {
    return { scores: await scorer.score(requests), scorer };
  } finally {
    await scorer.release();
  }
}

describe('fast scorer agrees with the naive scorer (Llama, grouped kv heads)', () => {
  let modelDir: string;
  let naive: Float64Array[];
  beforeAll(async () => {
    modelDir = tinyLlama();
    naive = (await scoreWith({ modelDir, candidates: titles, kind: 'naive', threads: 1 })).scores;
  }, BUILD_TIMEOUT);

  it('naive scores are finite, negative and tell prefixes apart', () => {
    for (const row of naive) {
      expect(row).toHaveLength(titles.length);
      for (const v of row) expect(v < 0 && Number.isFinite(v)).toBe(true);
      expect(row[0]).not.toBeCloseTo(row[1], 3);
    }
  });

  it.each([
    ['tree', 512],
    ['rows', 512],
    ['tree', 0.02],
    ['rows', 0.02],
  ] as const)('%s mode, %s MB budget: every candidate within 1e-4', async (fastMode, memoryBudgetMb) => {
    const { scores, scorer } = await scoreWith({ modelDir, candidates: titles, kind: 'fast', fastMode, memoryBudgetMb, threads: 1 });
    expect(scorer.describe().mode).toBe(fastMode);
    expect(maxDiff(scores, naive)).toBeLessThan(1e-4);
    if (memoryBudgetMb < 1) expect(scorer.stats.modelRuns).toBeGreaterThan(requests.length * 5); // many small batches
  });

  it('auto picks tree mode and uses the graph logsumexp; a tiny budget changes nothing', async () => {
    const big = await scoreWith({ modelDir, candidates: titles, kind: 'fast', threads: 1 });
    const tiny = await scoreWith({ modelDir, candidates: titles, kind: 'fast', memoryBudgetMb: 0.01, threads: 1 });
    const d = big.scorer.describe();
    expect(d.mode).toBe('tree');
    expect(d.usesGraphLogsumexp).toBe(true);
    expect(d.trie!.inner).toBeLessThan(d.trie!.candidateTokens);
    expect(d.session).toMatchObject({ intraOpNumThreads: 1, graphOptimizationLevel: 'all', executionProvider: 'cpu' });
    expect(d.tokenization).toEqual({
      continuation: JSON.stringify(' TITLE\n'), contextPrefix: [], rule: 'joint-tail', checkedEncodings: titles.length * 3 * 3,
    });
    expect(d).toMatchObject({ memoryBudgetMb: 512, maxChunkTokens: 256, candidates: titles.length });
    // A context pass for each request but 'x', then the inner nodes in runs of at most 256.
    expect(big.scorer.stats.modelRuns).toBe(2 + requests.length * Math.ceil(d.trie!.inner / 256));
    expect(maxDiff(big.scores, tiny.scores)).toBeLessThan(1e-5);
  });
});

describe('createScorer options', () => {
  it('rejects bad options before loading anything', async () => {
    const base = { modelDir: '/nonexistent', candidates: ['Cook'] };
    await expect(createScorer({ ...base, kind: 'slow' as never })).rejects.toThrow(InvalidConfig);
    await expect(createScorer({ ...base, kind: 'fast', memoryBudgetMb: 0 })).rejects.toThrow(/memoryBudgetMb must be positive/);
    await expect(createScorer({ ...base, kind: 'fast', maxChunkTokens: 0.5 })).rejects.toThrow(/maxChunkTokens/);
    await expect(createScorer({ ...base, kind: 'fast', fastMode: 'both' as never })).rejects.toThrow(/fastMode/);
    await expect(createScorer({ ...base, kind: 'fast', headerLines: -1 })).rejects.toThrow(/headerLines/);
    await expect(createScorer({ ...base, kind: 'fast' })).rejects.toThrow(InvalidModel);
  });
});

describe('other graphs', () => {
  it('GPT-2 architecture: fast == naive', async () => {
    const modelDir = tinyGpt2();
    const cands = titles.slice(0, 30);
    const opts = { modelDir, candidates: cands, threads: 1 };
    const naive = await createScorer({ ...opts, kind: 'naive' });
    const fast = await createScorer({ ...opts, kind: 'fast', memoryBudgetMb: 0.05 });
    try {
      expect(fast.describe().mode).toBe('tree');
      expect(maxDiff(await fast.score(requests), await naive.score(requests))).toBeLessThan(1e-4);
    } finally {
      await naive.release();
      await fast.release();
    }
  }, BUILD_TIMEOUT);

  it('a plain graph (no tree masks, no logsumexp): auto falls back to rows, still == naive', async () => {
    const modelDir = tinyPlainLlama();
    const cands = titles.slice(0, 40);
    const opts = { modelDir, candidates: cands, threads: 1 };
    const naive = await createScorer({ ...opts, kind: 'naive' });
    const fast = await createScorer({ ...opts, kind: 'fast', memoryBudgetMb: 0.05 });
    try {
      const d = fast.describe();
      expect(d.mode).toBe('rows');
      expect(d.usesGraphLogsumexp).toBe(false);
      expect(maxDiff(await fast.score(requests), await naive.score(requests))).toBeLessThan(1e-4);
      await expect(createScorer({ ...opts, kind: 'fast', fastMode: 'tree' })).rejects.toThrow(InvalidModel);
    } finally {
      await naive.release();
      await fast.release();
    }
  }, BUILD_TIMEOUT);
});

