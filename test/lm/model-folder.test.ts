import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidData, InvalidModel } from '../../lib/errors';
import { createScorer, loadModelFolder } from '../../lib/lm';
import { tokenizeCandidates } from '../../lib/lm/tokenize';
import { tinyLlama } from './fixtures';

const made: string[] = [];
afterEach(() => {
  while (made.length) rmSync(made.pop()!, { recursive: true, force: true });
});

/** A copy of the tiny model, changed by `edit`. */
function brokenCopy(edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'labor-lm-model-'));
  made.push(dir);
  cpSync(tinyLlama(), dir, { recursive: true });
  edit(dir);
  return dir;
}

function editConfig(dir: string, change: (c: Record<string, unknown>) => void): void {
  const path = join(dir, 'config.json');
  const config = JSON.parse(readFileSync(path, 'utf8'));
  change(config);
  writeFileSync(path, JSON.stringify(config));
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('loadModelFolder', () => {
  it('loads a folder: sizes from config.json, tokenizer from local files', async () => {
    const f = await loadModelFolder(tinyLlama());
    expect(f).toMatchObject({ modelType: 'llama', numLayers: 2, numKvHeads: 2, headDim: 16, maxPositions: 256, vocabSize: 1024, numHeads: 4 });
    expect(f.tokenizerVocabSize).toBeLessThanOrEqual(f.vocabSize);
    expect(f.sessionPath.endsWith('onnx/model.onnx')).toBe(true);
    expect(f.tokenizer.encode(' Cooks\n', { add_special_tokens: false }).length).toBeGreaterThan(0);
  }, 180_000);

  it('reports a missing folder', async () => {
    const err = await errorOf(loadModelFolder('/nonexistent/labor-model'));
    expect(err).toBeInstanceOf(InvalidModel);
    expect(err.message).toMatch(/model folder not found: \/nonexistent\/labor-model/);
  });

  it('lists every missing file', async () => {
    const dir = brokenCopy((d) => {
      rmSync(join(d, 'tokenizer.json'));
      rmSync(join(d, 'onnx'), { recursive: true });
    });
    const err = await errorOf(loadModelFolder(dir));
    expect(err).toBeInstanceOf(InvalidModel);
    expect(err.message).toMatch(/2 required file\(s\) missing/);
    expect(err.message).toMatch(/missing tokenizer\.json/);
    expect(err.message).toMatch(/missing onnx\/model\.onnx/);
  });

  it('reports a config that is not JSON, or lacks sizes', async () => {
    const bad = brokenCopy((d) => writeFileSync(join(d, 'config.json'), '{ not json'));
    expect((await errorOf(loadModelFolder(bad))).message).toMatch(/config\.json: not valid JSON/);
    const noSizes = brokenCopy((d) => editConfig(d, (c) => {
      delete c.num_hidden_layers;
      delete c.vocab_size;
    }));
    const err = await errorOf(loadModelFolder(noSizes));
    expect(err).toBeInstanceOf(InvalidModel);
    expect(err.message).toMatch(/no layer count/);
    expect(err.message).toMatch(/no vocabulary size/);
  });

  it('reports a tokenizer with more ids than the model', async () => {
    const dir = brokenCopy((d) => editConfig(d, (c) => (c.vocab_size = 100)));
    const err = await errorOf(loadModelFolder(dir));
    expect(err).toBeInstanceOf(InvalidModel);
    expect(err.message).toMatch(/tokenizer and model do not match: .* but config\.json vocab_size is 100/);
  });

  it('reports a graph that does not match config.json', async () => {
    const more = brokenCopy((d) => editConfig(d, (c) => (c.num_hidden_layers = 3)));
    const err = await errorOf(createScorer({ modelDir: more, candidates: ['Cook'], kind: 'fast' }));
    expect(err).toBeInstanceOf(InvalidModel);
    expect(err.message).toMatch(/input 'past_key_values\.2\.key' missing/);
    const fewer = brokenCopy((d) => editConfig(d, (c) => (c.num_hidden_layers = 1)));
    expect((await errorOf(createScorer({ modelDir: fewer, candidates: ['Cook'], kind: 'naive' }))).message).toMatch(/more layers than config\.json's 1/);
    const heads = brokenCopy((d) => editConfig(d, (c) => (c.num_key_value_heads = 4)));
    expect((await errorOf(createScorer({ modelDir: heads, candidates: ['Cook'], kind: 'naive' }))).message).toMatch(/heads: config\.json says 4, graph has 2/);
  });
});

describe('candidates', () => {
  it('a title that tokenizes to nothing is InvalidData, all such titles listed', () => {
    // One id per character; '?', spaces and line ends give none.
    const tokenizer = { encode: (s: string) => Array.from(s.replace(/[?\s]/g, ''), (c) => c.charCodeAt(0)) } as never;
    expect(() => tokenizeCandidates(tokenizer, ['Cook', '?', '??'])).toThrow(InvalidData);
    expect(() => tokenizeCandidates(tokenizer, ['Cook', '?', '??'])).toThrow(/2 candidate title\(s\) tokenize to nothing[\s\S]*candidate 1 '\?'[\s\S]*candidate 2 '\?\?'/);
    expect(() => tokenizeCandidates(tokenizer, [])).toThrow(/candidate list is empty/);
  });

  it('an empty context with no BOS is InvalidData', async () => {
    const scorer = await createScorer({ modelDir: tinyLlama(), candidates: ['Cook'], kind: 'fast' });
    try {
      await expect(scorer.score([{ context: '' }])).rejects.toThrow(/request 0: empty context/);
    } finally {
      await scorer.release();
    }
  });
});
