/**
 * Random-weight model folders for tests and benchmarks, built by the project's Python trainer
 * (labor_trainer.random_model) and cached under `<cacheRoot>/<hash>`. The hash covers the
 * arguments and the exporter's source, so an exporter change rebuilds them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, readSettings } from '../env';

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
  /** A taxonomy CSV whose titles the tokenizer is trained on. */
  titlesCsv?: string;
  /** No logsumexp output and no tree masks, as other exporters make them. */
  plain?: boolean;
}

/** Where built models are kept between runs (shared by the tests and the benchmarks). */
export const RANDOM_MODEL_CACHE = join(tmpdir(), 'labor-llm-test-models');

const SOURCES = ['onnx_export.py', 'random_model.py', 'tokenizer.py'].map((f) => join(PROJECT_ROOT, 'trainer/labor_trainer', f));

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

/** Path of a random model folder with these settings, building it on first use (seconds to minutes). */
export function randomModel(a: RandomModelArgs, cacheRoot = RANDOM_MODEL_CACHE): string {
  const args = cliArgs(a);
  const hash = createHash('sha256');
  hash.update(JSON.stringify(args));
  for (const f of SOURCES) hash.update(readFileSync(f));
  const dir = join(cacheRoot, hash.digest('hex').slice(0, 16));
  if (existsSync(join(dir, 'random_model.json'))) return dir;
  mkdirSync(cacheRoot, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  execFileSync(readSettings().LABOR_LLM_PYTHON, ['-m', 'labor_trainer.random_model', '--out', tmp, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PYTHONPATH: join(PROJECT_ROOT, 'trainer') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    renameSync(tmp, dir); // atomic; another process may have won the race
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}
