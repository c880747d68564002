/**
 * Issue 8, section 1: with Llama-2-style (SentencePiece) tokenizers the scored ids of every
 * candidate are the ids its line has inside an encoded text, the fast scorer still equals the
 * naive one, and the torch backend (scorer/labor_scorer) equals the ONNX scorer.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidModel } from '../../lib/errors';
import {
  candidateIds, continuationText, createScorer, encoderOf, readResults, requestsTable, type EncodeText, type Scorer,
} from '../../lib/lm';
import { loadLocalTokenizer } from '../../lib/lm/model-folder';
import { resumeContext } from './fixtures';
import { CENSUS_TAXONOMY_CSV, REPO_ROOT, llamaJsEncode, llamaVocabTokenizer, spLlama } from './sp-fixtures';

const BUILD_TIMEOUT = 240_000;
const census = (parse(readFileSync(CENSUS_TAXONOMY_CSV, 'utf8'), { columns: true, bom: true }) as { title: string }[]).map((r) => r.title);
const contexts = [
  resumeContext([[1990, 'high school diploma', 'Cooks'], [1991, 'some college', 'Cashiers']], [1992, 'some college']),
  '1990 (some college):',
  resumeContext([[2001, "bachelor's degree", 'Chief executives']], [2003, 'graduate degree']),
];

/** For every title: encode(context + line + next line) starts with contextIds + the title's ids. */
function expectJointIds(encode: EncodeText, titles: readonly string[], ids: readonly number[][]) {
  let differsAlone = 0;
  for (const context of contexts) {
    const ctx = encode(context);
    titles.forEach((t, i) => {
      const joint = encode(context + continuationText(t) + '2004 (some college):');
      expect(joint.slice(0, ctx.length + ids[i].length)).toEqual([...ctx, ...ids[i]]);
      if (encode(continuationText(t)).join() !== ids[i].join()) differsAlone++;
    });
  }
  return differsAlone;
}

it('the Census list has its 535 distinct titles', () => {
  expect(new Set(census).size).toBe(535);
});

describe('a SentencePiece BPE tokenizer made here (byte fallback, dummy prefix), in @huggingface/transformers', () => {
  let dir: string;
  let encode: EncodeText;
  beforeAll(async () => {
    dir = spLlama();
    encode = encoderOf(await loadLocalTokenizer(dir));
  }, BUILD_TIMEOUT);

  it('tokenizer.json encodes as the SentencePiece model itself', () => {
    const ref = JSON.parse(readFileSync(join(dir, 'sp_reference.json'), 'utf8'));
    expect(ref.texts).toHaveLength(535);
    ref.texts.forEach((text: string, i: number) => expect(encode(text)).toEqual(ref.ids[i]));
  });

  it('all 535 Census titles: scored ids equal the ids inside the text, never the ids of the line alone', () => {
    const { ids, checked } = candidateIds(encode, census);
    expect(checked).toBe(535 * 9);
    expect(expectJointIds(encode, census, ids)).toBe(535 * contexts.length); // the dummy "▁" alone
  });

  it('the fast scorer equals the naive scorer within 1e-4 on a Llama with this tokenizer', async () => {
    const fast = await createScorer({ modelDir: dir, candidates: census, kind: 'fast', threads: 1 });
    const naive = await createScorer({ modelDir: dir, candidates: census, kind: 'naive', threads: 1 });
    try {
      expect(fast.describe().tokenization).toMatchObject({ contextPrefix: [1], rule: 'joint-tail' });
      expect(fast.describe().mode).toBe('tree');
      const requests = contexts.slice(0, 2).map((context) => ({ context }));
      const [a, b] = [await fast.score(requests), await naive.score(requests)];
      let worst = 0;
      a.forEach((row, i) => row.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - b[i][c])))));
      expect(worst).toBeLessThan(1e-4);
    } finally {
      await fast.release();
      await naive.release();
    }
  }, BUILD_TIMEOUT);
});

describe('the real Llama vocabulary (llama-tokenizer-js)', () => {
  let encode: EncodeText;
  beforeAll(async () => {
    encode = encoderOf(await loadLocalTokenizer(llamaVocabTokenizer()));
  }, BUILD_TIMEOUT);

  it('its vocabulary and merges, as a tokenizer.json, encode exactly as llama-tokenizer-js does', () => {
    expect(llamaJsEncode(' Cooks\n')).toEqual([29871, 17278, 29879, 13]);
    expect(encode(' Cooks\n')).toEqual([29871, 17278, 29879, 13]);
    for (const context of contexts) {
      for (const t of census) {
        const text = context + continuationText(t) + '2004 (some college):';
        expect(encode(text)).toEqual(llamaJsEncode(text));
      }
    }
  });

  it('all 535 Census titles: scored ids equal joint-encoding ids, with transformers.js and with llama-tokenizer-js', () => {
    const viaJson = candidateIds(encode, census);
    const viaJs = candidateIds(llamaJsEncode, census);
    expect(viaJs.ids).toEqual(viaJson.ids);
    expect(viaJson.ids[census.indexOf('Cooks')]).toEqual([17278, 29879, 13]);
    expect(expectJointIds(llamaJsEncode, census, viaJs.ids)).toBe(535 * contexts.length);
  });

  it('a tokenizer whose ids depend on the context is refused, naming the candidate and both id sequences', () => {
    // As if ": " were one token: the context's last id changes when a title follows.
    const merging: EncodeText = (text) => llamaJsEncode(text.replaceAll(': ', '\u00a7 '));
    expect(() => candidateIds(merging, ['Cooks'])).toThrow(InvalidModel);
    expect(() => candidateIds(merging, ['Cooks'])).toThrow(/candidate 0 'Cooks': .* encodes to \[[\d, ]+\], which does not start with the context's \[[\d, ]+\]/);
  });
});

describe('torch backend (python -m labor_scorer.score) equals the ONNX fast scorer', () => {
  let tmp: string;
  let fast: Scorer;
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'torch-vs-onnx-'));
    fast = await createScorer({ modelDir: spLlama(), candidates: census, kind: 'fast', threads: 1 });
  }, BUILD_TIMEOUT);
  afterAll(async () => {
    await fast?.release();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('fp32 on CPU: every Census candidate within 1e-4 for every context', async () => {
    const rows = contexts.map((context, i) => ({ request_id: `p${i}`, context }));
    writeFileSync(join(tmp, 'requests.arrow'), tableToIPC(requestsTable(rows), 'file'));
    writeFileSync(join(tmp, 'titles.json'), JSON.stringify(census));
    execFileSync(join(REPO_ROOT, '.venv/bin/python'), [
      '-m', 'labor_scorer.score', '--model', spLlama(), '--requests', join(tmp, 'requests.arrow'), '--candidates', join(tmp, 'titles.json'),
      '--out', join(tmp, 'results.arrow'), '--device', 'cpu', '--dtype', 'fp32', '--threads', '1',
    ], { cwd: REPO_ROOT, env: { ...process.env, PYTHONPATH: [join(REPO_ROOT, 'scorer'), join(REPO_ROOT, 'trainer')].join(':') }, stdio: ['ignore', 'pipe', 'pipe'] });
    const torch = readResults(tableFromIPC(readFileSync(join(tmp, 'results.arrow'))), rows.map((r) => r.request_id), census.length);
    const onnx = await fast.score(rows);
    let worst = 0;
    torch.forEach((row, i) => row.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - onnx[i][c])))));
    expect(worst).toBeLessThan(1e-4);
    expect(Math.min(...onnx[0])).toBeLessThan(-1); // not a degenerate model
  }, BUILD_TIMEOUT);
});
