/**
 * Tiny random models for the lm tests, built once by the project's Python trainer
 * (labor_trainer.random_model) and cached under /tmp/labor-llm-test-models/<hash>, the hash
 * covering the arguments and the exporter's source, so an exporter change rebuilds them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const CACHE_ROOT = process.env.LABOR_LLM_TEST_MODELS ?? '/tmp/labor-llm-test-models';
export const DEFAULT_TAXONOMY_CSV = join(REPO_ROOT, 'data/taxonomy/default.csv');
export const CENSUS_CSV = resolve(REPO_ROOT, '../shared/data/census2010_occupations.csv');
const SOURCES = ['onnx_export.py', 'random_model.py', 'tokenizer.py'].map((f) => join(REPO_ROOT, 'trainer/labor_trainer', f));

export interface RandomModelArgs {
  layers: number;
  hidden: number;
  heads: number;
  kvHeads?: number;
  maxPositions?: number;
  vocabSize?: number;
  arch?: 'llama' | 'gpt2';
  seed?: number;
  initRange?: number;
  titlesCsv?: string;
  plain?: boolean;
}

function cliArgs(a: RandomModelArgs): string[] {
  const args = ['--layers', String(a.layers), '--hidden', String(a.hidden), '--heads', String(a.heads)];
  if (a.kvHeads) args.push('--kv-heads', String(a.kvHeads));
  if (a.maxPositions) args.push('--max-positions', String(a.maxPositions));
  if (a.vocabSize) args.push('--vocab-size', String(a.vocabSize));
  if (a.arch) args.push('--arch', a.arch);
  if (a.seed !== undefined) args.push('--seed', String(a.seed));
  if (a.initRange) args.push('--init-range', String(a.initRange));
  if (a.titlesCsv) args.push('--titles-csv', a.titlesCsv);
  if (a.plain) args.push('--plain');
  return args;
}

/** Path of a random model folder with these settings, building it on first use (a few seconds). */
export function randomModel(a: RandomModelArgs): string {
  const args = cliArgs(a);
  const hash = createHash('sha256');
  hash.update(JSON.stringify(args));
  for (const f of SOURCES) hash.update(readFileSync(f));
  const dir = join(CACHE_ROOT, hash.digest('hex').slice(0, 16));
  if (existsSync(join(dir, 'random_model.json'))) return dir;
  mkdirSync(CACHE_ROOT, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  execFileSync(join(REPO_ROOT, '.venv/bin/python'), ['-m', 'labor_trainer.random_model', '--out', tmp, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, PYTHONPATH: join(REPO_ROOT, 'trainer') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    renameSync(tmp, dir); // atomic; another test process may have won the race
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

/** The tests' main model: Llama, grouped key/value heads, weights large enough for peaked distributions. */
export const tinyLlama = () =>
  randomModel({ layers: 2, hidden: 64, heads: 4, kvHeads: 2, maxPositions: 256, vocabSize: 1024, initRange: 0.3, titlesCsv: DEFAULT_TAXONOMY_CSV });
export const tinyGpt2 = () =>
  randomModel({ layers: 2, hidden: 48, heads: 4, maxPositions: 256, vocabSize: 800, arch: 'gpt2', initRange: 0.3, titlesCsv: DEFAULT_TAXONOMY_CSV });
/** As other exporters make them: no logsumexp output, no tree masks. */
export const tinyPlainLlama = () =>
  randomModel({ layers: 2, hidden: 64, heads: 4, kvHeads: 2, maxPositions: 256, vocabSize: 1024, initRange: 0.3, titlesCsv: DEFAULT_TAXONOMY_CSV, plain: true });
/** Few positions, for truncation. */
export const shortLlama = () =>
  randomModel({ layers: 1, hidden: 32, heads: 2, maxPositions: 48, vocabSize: 1024, initRange: 0.3, titlesCsv: DEFAULT_TAXONOMY_CSV });

/** A context in the `resume` v1 template's shape, ending at a prediction point. */
export function resumeContext(years: [number, string, string][], next: [number, string]): string {
  const header =
    'Synthetic career record\nGender: female, race/ethnicity: White, region: South\nBirth year: 1960\n' +
    'Occupation by year (education in parentheses):\n';
  return header + years.map(([y, e, t]) => `${y} (${e}): ${t}\n`).join('') + `${next[0]} (${next[1]}):`;
}
