import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FILES } from '../artifacts/contracts';
import { writeJsonAtomic } from '../artifacts/atomic';
import { InvalidData } from '../errors';
import type { EvalMetrics } from './evaluate';

/** Writes `dir/metrics.json` atomically; returns its path. */
export function writeMetrics(dir: string, metrics: EvalMetrics): string {
  const path = join(dir, FILES.metrics);
  writeJsonAtomic(path, metrics);
  return path;
}

/** Reads `dir/metrics.json` (an infinite perplexity comes back as null). */
export function readMetrics(dir: string): EvalMetrics {
  const path = join(dir, FILES.metrics);
  if (!existsSync(path)) throw new InvalidData(`metrics file not found: ${path}`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EvalMetrics;
  } catch (err) {
    throw new InvalidData(`${path}: not valid JSON: ${(err as Error).message}`);
  }
}
