/**
 * The experiments the chaos rows run. Every step kind, small enough for seconds on one core.
 * Timeouts (not part of any cache key) differ by row: an 8 s heartbeat timeout where workers are
 * killed, so a killed worker's step is retried within seconds (3 s is less than a scoring
 * shard's start-up on two busy cores: its attempts then time out); 30 s elsewhere.
 * The experiment name is the only thing rows change (one workflow id per row): it is not part of
 * any step's cache key, so every row's artifacts can be compared with one undisturbed run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STEPS_E2E = [
  '  - {name: survey, kind: data, source: synthetic, population: survey, persons: 80}',
  '  - {name: text, kind: encode, input: survey}',
  '  - {name: model, kind: finetune, data: text, base: {init: {layers: 1, hidden: 32, heads: 2, vocabSize: 512}}, maxSteps: 60, batchSize: 4, maxSeqLen: 128, evalEvery: 20, threads: 1}',
  '  - {name: eval, kind: evaluate, data: text, model: model, maxPoints: 60, shards: 2, bootstrap: 20, scorer: {threads: 1}}',
];

/** Data and encode only: for rows about the store rather than the whole pipeline. */
const STEPS_DATA = STEPS_E2E.slice(0, 2);

function write(dir: string, name: string, steps: string[], heartbeat: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, ['schemaVersion: 1', `name: ${name}`, 'seed: 5', `timeouts: { heartbeat: ${heartbeat}, step: 10m }`, 'steps:', ...steps, ''].join('\n'));
  return file;
}

/** `heartbeat`: short where workers are killed (retries within seconds), roomy elsewhere (busy machines). */
export const e2eConfig = (dir: string, name: string, heartbeat = '30s') => write(dir, name, STEPS_E2E, heartbeat);
export const dataConfig = (dir: string, name: string) => write(dir, name, STEPS_DATA, '30s');
