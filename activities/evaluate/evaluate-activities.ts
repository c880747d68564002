/**
 * Evaluation activities: plan shards, score a shard (resumable per batch), and finish: merge
 * shards in order, build predictions and metrics for the model, the baselines and the oracle.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activityInfo, heartbeat } from '@temporalio/activity';
import { writeFileAtomic, writeJsonAtomic } from '../../lib/artifacts/atomic';
import { FILES } from '../../lib/artifacts/contracts';
import { readPanel } from '../../lib/panel/panel-io';
import { continuationFor, getTemplate } from '../../lib/text';
import { createScorer } from '../../lib/lm';
import { buildPredictions, predictionsFromProbs, writePredictions, type Predictions } from '../../lib/predict';
import { computeMetrics, formatMetricsTable, type EvalMetrics } from '../../lib/metrics';
import { fitBaseline, oraclePredictions } from '../../lib/baselines';
import type { EvaluateStepConfig } from '../../lib/config/schema';
import type { EvaluationPlan, ScoreShardInput, ShardResult, StepResult, StepRunInput } from '../../workflows/types';
import type { ActivityDeps } from '../deps';
import { readTaxonomy, selectPoints, splitPoints } from './points';

const modelDirOf = (input: StepRunInput) => {
  const step = input.step as EvaluateStepConfig;
  return typeof step.model === 'string' ? input.inputs.model.path : step.model.path;
};

function toBytes(a: Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
function readFloat64(path: string): Float64Array {
  const buf = readFileSync(path);
  return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function evaluateActivities(deps: ActivityDeps) {
  return {
    async planEvaluation(input: StepRunInput): Promise<EvaluationPlan> {
      const step = input.step as EvaluateStepConfig;
      const points = selectPoints(input.inputs.data.path, step);
      const taxonomy = readTaxonomy(input.inputs.panel.path);
      const n = points.person_id.length;
      const shards = Math.max(1, Math.min(step.shards, n));
      const bounds = Array.from({ length: shards }, (_, i) => ({ index: i, start: Math.floor((i * n) / shards), end: Math.floor(((i + 1) * n) / shards) }));
      return { totalPoints: n, numCandidates: taxonomy.size, shards: bounds, workDir: join(deps.workDir, 'evaluate', input.key) };
    },

    /** Scores one shard batch by batch; each finished batch is on disk and in the heartbeat, so a retry resumes after it. */
    async scoreShard(input: ScoreShardInput): Promise<ShardResult> {
      const step = input.step as EvaluateStepConfig;
      const { start, end } = input.plan.shards[input.shard];
      const dir = join(input.plan.workDir, `shard-${input.shard}`);
      mkdirSync(dir, { recursive: true });
      const batchFile = (b: number) => join(dir, `batch-${String(b).padStart(6, '0')}.f64`);
      const batches = Math.ceil((end - start) / step.scorer.batchPoints);
      const details = activityInfo().heartbeatDetails as { batchesDone?: number } | undefined;
      let done = 0;
      while (done < (details?.batchesDone ?? 0) && existsSync(batchFile(done))) done++;

      const points = selectPoints(input.inputs.data.path, step);
      const taxonomy = readTaxonomy(input.inputs.panel.path);
      const encodedManifest = deps.store.readManifest(input.inputs.data);
      const template = getTemplate(encodedManifest.meta.template as { name: string; version: number });
      const candidates = taxonomy.rows.map((row) => continuationFor(template, row));
      const scorer = await createScorer({
        modelDir: modelDirOf(input), candidates, kind: step.scorer.kind,
        threads: step.scorer.threads, memoryBudgetMb: step.scorer.memoryBudgetMb,
      });
      let truncated = 0;
      try {
        for (let b = done; b < batches; b++) {
          const from = start + b * step.scorer.batchPoints;
          const to = Math.min(end, from + step.scorer.batchPoints);
          const contexts = Array.from({ length: to - from }, (_, j) => points.context(from + j));
          const { logp, truncated: t } = await scorer.scoreContexts(contexts);
          truncated += t;
          writeFileAtomic(batchFile(b), toBytes(logp));
          heartbeat({ batchesDone: b + 1, batches });
        }
      } finally {
        await scorer.close?.();
      }
      const K = candidates.length;
      const all = new Float64Array((end - start) * K);
      for (let b = 0; b < batches; b++) all.set(readFloat64(batchFile(b)), b * step.scorer.batchPoints * K);
      const path = join(input.plan.workDir, `shard-${input.shard}.f64`);
      writeFileAtomic(path, toBytes(all));
      return { shard: input.shard, path, points: end - start, truncated };
    },

    async finishEvaluation(input: StepRunInput & { plan: EvaluationPlan; shards: ShardResult[] }): Promise<StepResult> {
      const step = input.step as EvaluateStepConfig;
      const points = selectPoints(input.inputs.data.path, step);
      const taxonomy = readTaxonomy(input.inputs.panel.path);
      const K = taxonomy.size;
      const logp = new Float64Array(input.plan.totalPoints * K);
      for (const s of [...input.shards].sort((a, b) => a.shard - b.shard)) {
        logp.set(readFloat64(s.path), input.plan.shards[s.shard].start * K);
      }
      heartbeat({ phase: 'predictions' });
      const results: { name: string; predictions: Predictions }[] = [
        { name: 'model', predictions: buildPredictions({ taxonomy, points, logp, topK: step.topK }) },
      ];
      const train = splitPoints(input.inputs.data.path, 'train');
      for (const name of step.baselines) {
        const fitted = fitBaseline(name, train, taxonomy);
        results.push({ name, predictions: predictionsFromProbs({ taxonomy, points, probs: fitted.predict(points), topK: step.topK }) });
      }
      const panel = step.oracle ? readPanel(input.inputs.panel.path) : undefined;
      if (panel?.oracle) results.push({ name: 'oracle', predictions: oraclePredictions(panel.oracle, points, taxonomy) });

      heartbeat({ phase: 'metrics' });
      const metrics: Record<string, EvalMetrics> = {};
      for (const r of results) metrics[r.name] = computeMetrics(r.predictions, taxonomy, { bootstrap: step.bootstrap, seed: step.seed ?? input.seed });
      const truncated = input.shards.reduce((n, s) => n + s.truncated, 0);
      const table = formatMetricsTable(results.map((r) => ({ name: r.name, metrics: metrics[r.name] })));
      const summary = {
        points: input.plan.totalPoints,
        truncated,
        perplexity: metrics.model.perplexity,
        rawPerplexity: metrics.model.raw_perplexity,
        oraclePerplexity: metrics.oracle?.perplexity,
        top1: metrics.model.top1,
        table,
      };
      const artifact = await deps.store.create('evaluation', input.key, (dir) => {
        for (const r of results) writePredictions(join(dir, r.name), r.predictions);
        writeJsonAtomic(join(dir, FILES.metrics), { truncated, points: input.plan.totalPoints, models: metrics });
        writeFileSync(join(dir, 'metrics.txt'), table);
        return { summary };
      });
      return { artifact, summary };
    },
  };
}
