/**
 * A shard's batch files, shared by both scoring backends (ONNX in a worker thread, torch in a child
 * process): a finished batch is its log-probs (points x candidates, float64) and its meta (truncated
 * contexts); a retried shard resumes after the batches its last heartbeat reported.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../lib/artifacts/atomic';
import { continuationFor, getTemplate } from '../../lib/text';
import type { ScoreShardTask } from './evaluate-tasks';
import { readTaxonomy } from './points';

export const asBytes = (a: Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
export function readFloat64(path: string): Float64Array {
  const buf = readFileSync(path);
  return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export const batchFile = (dir: string, b: number) => join(dir, `batch-${String(b).padStart(6, '0')}.f64`);
export const metaFile = (dir: string, b: number) => join(dir, `batch-${String(b).padStart(6, '0')}.json`);

/** Batches an earlier attempt reported (its heartbeat) whose files are all there: scoring resumes after them. */
export function batchesToSkip(task: ScoreShardTask): number {
  let done = 0;
  while (done < task.batchesDone && existsSync(batchFile(task.dir, done)) && existsSync(metaFile(task.dir, done))) done++;
  return done;
}

/** The candidates as the scorers take them: the scorer writes " " + label + "\n" itself; the label is the title (or the code, per template). */
export function shardLabels(task: ScoreShardTask): string[] {
  const template = getTemplate(task.template);
  return readTaxonomy(task.panelDir).rows.map((row) => continuationFor(template, row).slice(1, -1));
}

export function writeBatch(task: ScoreShardTask, b: number, flat: Float64Array, truncated: number): void {
  writeFileAtomic(batchFile(task.dir, b), asBytes(flat));
  writeJsonAtomic(metaFile(task.dir, b), { truncated });
}

/** Joins the shard's batch files into its result file; returns the truncated contexts. */
export function mergeBatches(task: ScoreShardTask, numCandidates: number): number {
  const size = task.step.scorer.batchPoints;
  const batches = Math.ceil((task.end - task.start) / size);
  const all = new Float64Array((task.end - task.start) * numCandidates);
  let truncated = 0;
  for (let b = 0; b < batches; b++) {
    all.set(readFloat64(batchFile(task.dir, b)), b * size * numCandidates);
    truncated += JSON.parse(readFileSync(metaFile(task.dir, b), 'utf8')).truncated;
  }
  writeFileAtomic(task.out, asBytes(all));
  return truncated;
}
