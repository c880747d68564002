/**
 * The evaluate step's heavy work, run as tasks in worker threads: scoring one shard batch by batch
 * (every finished batch is a file, so a retried shard resumes after it), and finishing: merging
 * shards in order, building predictions and metrics for the model, baselines and the oracle.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../lib/artifacts/atomic';
import { FILES } from '../../lib/artifacts/contracts';
import type { EvaluateStepConfig } from '../../lib/config/schema';
import { readPanel } from '../../lib/panel/panel-io';
import type { Panel } from '../../lib/panel/panel';
import type { TemplateRef } from '../../lib/text';
import { createScorer } from '../../lib/lm';
import { buildPredictions, predictionsFromProbs, writePredictions, type Predictions } from '../../lib/predict';
import { computeMetrics, formatMetricsTable, type EvalMetrics } from '../../lib/metrics';
import { fitBaseline, oracleBound, oraclePredictions, type BaselineReport } from '../../lib/baselines';
import type { Progress } from '../threads/run-in-thread';
import { readTaxonomy, selectPoints } from './points';
import { baselineData } from './baseline-points';
import { batchesToSkip, mergeBatches, readFloat64, shardLabels, writeBatch } from './shard-batches';
import { shardContexts } from './incontext-contexts';

export { readFloat64 };

export interface ScoreShardTask {
  encodedDir: string;
  panelDir: string;
  modelDir: string;
  template: TemplateRef;
  step: EvaluateStepConfig;
  start: number;
  end: number;
  /** Folder of this shard's batch files. */
  dir: string;
  /** Batches finished by an earlier attempt (from its last heartbeat). */
  batchesDone: number;
  /** The shard's result file. */
  out: string;
}

export async function scoreShardTask(task: ScoreShardTask, progress: Progress): Promise<{ points: number; truncated: number; scorer: unknown }> {
  const { step, start, end, dir } = task;
  mkdirSync(dir, { recursive: true });
  const size = step.scorer.batchPoints;
  const batches = Math.ceil((end - start) / size);
  const done = batchesToSkip(task);
  const points = selectPoints(task.encodedDir, step);
  const labels = shardLabels(task);
  const contexts = await shardContexts(task, points, labels);
  const scorer = await createScorer({
    modelDir: task.modelDir, candidates: labels, kind: step.scorer.kind,
    threads: step.scorer.threads, memoryBudgetMb: step.scorer.memoryBudgetMb,
  });
  try {
    progress({ batchesDone: done, batches });
    for (let b = done; b < batches; b++) {
      const from = start + b * size;
      const to = Math.min(end, from + size);
      const before = scorer.stats.truncatedContexts;
      const results = await scorer.score(Array.from({ length: to - from }, (_, j) => ({ context: contexts.context(from + j) })));
      const flat = new Float64Array(results.length * labels.length);
      results.forEach((r, j) => flat.set(r, j * labels.length));
      writeBatch(task, b, flat, scorer.stats.truncatedContexts - before);
      progress({ batchesDone: b + 1, batches });
    }
    return { points: end - start, truncated: mergeBatches(task, labels.length), scorer: { ...scorer.describe(), incontext: contexts.incontext } };
  } finally {
    await scorer.release();
  }
}

export interface FinishTask {
  dir: string;
  /** The encoded text's template: whether the oracle sees inputs the text hides. */
  template: TemplateRef;
  encodedDir: string;
  panelDir: string;
  step: EvaluateStepConfig;
  seed: number;
  totalPoints: number;
  /** Shard result files with their first point, in shard order. */
  shards: { path: string; start: number; truncated: number }[];
  scorer: unknown;
}

export function finishEvaluationTask(task: FinishTask, progress: Progress): Record<string, unknown> {
  const { step } = task;
  const points = selectPoints(task.encodedDir, step);
  const taxonomy = readTaxonomy(task.panelDir);
  const K = taxonomy.size;
  const logp = new Float64Array(task.totalPoints * K);
  for (const s of task.shards) logp.set(readFloat64(s.path), s.start * K);

  progress({ phase: 'predictions' });
  const results: { name: string; predictions: Predictions }[] = [
    { name: 'model', predictions: buildPredictions({ taxonomy, points, logp, topK: step.topK }) },
  ];
  let panel: Panel | undefined;
  const getPanel = () => (panel ??= readPanel(task.panelDir));
  // Baselines fit on train and choose their smoothing on valid (markov.ts); metrics.json records each choice.
  const baselineReports: Record<string, BaselineReport> = {};
  if (step.baselines.length) {
    const data = baselineData(task.encodedDir, step.baselines);
    const scored = data.withInputs(points);
    for (const name of step.baselines) {
      progress({ phase: 'predictions', model: name });
      const fitted = fitBaseline(name, data.train, taxonomy, {}, data.valid);
      baselineReports[name] = fitted.report;
      results.push({ name, predictions: predictionsFromProbs({ taxonomy, points, probs: fitted.predict(scored), topK: step.topK }) });
    }
  }
  const oracle = step.oracle ? getPanel().oracle : undefined;
  if (oracle) results.push({ name: 'oracle', predictions: oraclePredictions(oracle, points, taxonomy, step.topK) });

  const metrics: Record<string, EvalMetrics> = {};
  for (const r of results) {
    progress({ phase: 'metrics', model: r.name });
    metrics[r.name] = computeMetrics(r.predictions, taxonomy, { bootstrap: step.bootstrap, seed: step.seed ?? task.seed });
  }
  const truncated = task.shards.reduce((n, s) => n + s.truncated, 0);
  const table = formatMetricsTable(results.map((r) => ({ name: r.name, metrics: metrics[r.name] })));
  const bound = oracle ? oracleBound(task.template) : undefined;

  progress({ phase: 'writing' });
  for (const r of results) writePredictions(join(task.dir, r.name), r.predictions);
  writeJsonAtomic(join(task.dir, FILES.metrics), {
    points: task.totalPoints, truncated, scorer: task.scorer, models: metrics, baselines: baselineReports, ...(bound && { oracle_bound: bound }),
  });
  writeFileSync(join(task.dir, 'metrics.txt'), bound ? `${table}\noracle: ${bound}\n` : table);
  return {
    points: task.totalPoints,
    truncated,
    perplexity: metrics.model.perplexity,
    rawPerplexity: metrics.model.raw_perplexity,
    validMass: metrics.model.valid_mass,
    top1: metrics.model.top1,
    oraclePerplexity: metrics.oracle?.perplexity,
    table,
  };
}
