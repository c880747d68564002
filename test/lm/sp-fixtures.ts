/**
 * Llama-2-style tokenizer fixtures, built once and cached under CACHE_ROOT like fixtures.ts:
 * - spLlama(): a random 2-layer Llama whose tokenizer is a SentencePiece BPE (byte fallback,
 *   dummy prefix, digits split) trained here on resume-like lines of default.csv's titles
 *   (scorer/tests/sp_model.py), with sp_reference.json: the Census titles inside a text and the
 *   ids SentencePiece itself gives them;
 * - llamaVocabTokenizer(): the real Llama/Llama-2 32k vocabulary and merges shipped by the npm
 *   package llama-tokenizer-js, written as tokenizer.json / tokenizer_config.json in the layout
 *   of Llama-2's own files (labor_scorer.llama_style).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import llamaTokenizer from 'llama-tokenizer-js';
import { RANDOM_MODEL_CACHE } from '../../lib/lm/random-model';
import { CENSUS_CSV, DEFAULT_TAXONOMY_CSV } from './fixtures';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
const CACHE_ROOT = process.env.LABOR_LLM_TEST_MODELS ?? RANDOM_MODEL_CACHE;
export const CENSUS_TAXONOMY_CSV = CENSUS_CSV;
const PYTHON = join(REPO_ROOT, '.venv/bin/python');
const PYTHONPATH = [join(REPO_ROOT, 'trainer'), join(REPO_ROOT, 'scorer')].join(':');
const SOURCES = [
  'scorer/tests/sp_model.py', 'scorer/labor_scorer/llama_style.py', 'trainer/labor_trainer/onnx_export.py',
].map((f) => join(REPO_ROOT, f));

/** A folder made once per key by `build(tmp)`, moved in atomically. */
function cached(key: string, marker: string, build: (tmp: string) => void): string {
  const hash = createHash('sha256').update(key);
  for (const f of SOURCES) hash.update(readFileSync(f));
  const dir = join(CACHE_ROOT, `sp-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, marker))) return dir;
  mkdirSync(CACHE_ROOT, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  build(tmp);
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another test process won the race
  }
  return dir;
}

const python = (args: string[]) =>
  execFileSync(PYTHON, args, { cwd: REPO_ROOT, env: { ...process.env, PYTHONPATH }, stdio: ['ignore', 'ignore', 'pipe'] });

export const spLlama = () =>
  cached(`spLlama:${readFileSync(CENSUS_TAXONOMY_CSV, 'utf8')}`, 'random_model.json', (tmp) =>
    python([
      'scorer/tests/sp_model.py', '--out', tmp, '--titles-csv', DEFAULT_TAXONOMY_CSV, '--reference-titles-csv', CENSUS_TAXONOMY_CSV,
      '--layers', '2', '--hidden', '64', '--heads', '4', '--kv-heads', '2', '--vocab-size', '1024', '--max-positions', '256',
    ]),
  );

export const llamaVocabTokenizer = () =>
  cached(`llamaVocab:${llamaTokenizer.vocabById.length}:${llamaTokenizer.merges.size}`, 'tokenizer_config.json', (tmp) => {
    mkdirSync(tmp, { recursive: true });
    // merges: a Map from "left right" token strings to priority, in priority order.
    const file = join(tmp, 'vocab-merges.json');
    writeFileSync(file, JSON.stringify({ vocab: llamaTokenizer.vocabById, merges: [...llamaTokenizer.merges.keys()] }));
    python(['-m', 'labor_scorer.llama_style', '--vocab-merges', file, '--out', tmp]);
    rmSync(file);
  });

/** llama-tokenizer-js's own encoding without BOS, with the dummy prefix (as a Llama-2 tokenizer.json). */
export const llamaJsEncode = (text: string): number[] => llamaTokenizer.encode(text, false, true);
