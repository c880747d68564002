/**
 * Evaluation activities: plan shards, score a shard (in a worker thread, resumable per batch
 * from the heartbeat), and finish (merge, predictions, metrics) into the artifact store.
 */
import { join } from 'node:path';
import { activityInfo } from '@temporalio/activity';
import type { EvaluateStepConfig } from '../../lib/config/schema';
import { ARTIFACT_KINDS } from '../../lib/config/steps';
import type { EvaluationPlan, ScoreShardInput, ShardResult, StepResult, StepRunInput } from '../../temporal/run-types';
import { PROJECT_ROOT } from '../../lib/env';
import type { ActivityDeps } from '../deps';
import { runInThread } from '../threads/run-in-thread';
import type { FinishTask, ScoreShardTask } from './evaluate-tasks';
import { incontextSummary, type IncontextShardStats } from './incontext-summary';

/** Points of the first shard scored again in fp32 when a torch scorer runs in bf16. */
const DEFAULT_CHECK_POINTS = 16;

const TASKS = new URL('./evaluate-tasks.ts', import.meta.url).href;

const modelDirOf = (input: StepRunInput) => {
  const step = input.step as EvaluateStepConfig;
  return typeof step.model === 'string' ? input.inputs.model.path : step.model.path;
};

/**
 * The model as metrics.json names it: a step's model by its artifact key and digest, not by the
 * folder it happens to sit in (a store path differs between stores and rebuilds), so the same
 * evaluation writes the same bytes anywhere; a user's folder by its path.
 */
const modelIdentity = (input: StepRunInput) => {
  const step = input.step as EvaluateStepConfig;
  if (typeof step.model !== 'string') return { path: step.model.path };
  const ref = input.inputs.model;
  return { step: step.model, artifact: `${ref.kind}/${ref.key}`, sha256: ref.sha256 };
};

export function evaluateActivities(deps: ActivityDeps) {
  return {
    async planEvaluation(input: StepRunInput): Promise<EvaluationPlan> {
      // Loaded here: Arrow and the text code stay out of the CLI's start-up.
      const { readTaxonomy, selectPoints } = await import('./points');
      const step = input.step as EvaluateStepConfig;
      const n = selectPoints(input.inputs.data.path, step).person_id.length;
      const taxonomy = readTaxonomy(input.inputs.panel.path);
      const shards = Math.max(1, Math.min(step.shards, n));
      const bounds = Array.from({ length: shards }, (_, i) => ({ index: i, start: Math.floor((i * n) / shards), end: Math.floor(((i + 1) * n) / shards) }));
      return { totalPoints: n, numCandidates: taxonomy.size, shards: bounds, workDir: join(deps.workDir, 'evaluate', input.key) };
    },

    async scoreShard(input: ScoreShardInput): Promise<ShardResult & { scorer: unknown }> {
      const { start, end } = input.plan.shards[input.shard];
      const details = activityInfo().heartbeatDetails as { batchesDone?: number } | undefined;
      const out = join(input.plan.workDir, `shard-${input.shard}.f64`);
      const task: ScoreShardTask = {
        encodedDir: input.inputs.data.path,
        panelDir: input.inputs.panel.path,
        modelDir: modelDirOf(input),
        template: deps.store.readManifest(input.inputs.data).meta.template as ScoreShardTask['template'],
        step: input.step as EvaluateStepConfig,
        start, end,
        dir: join(input.plan.workDir, `shard-${input.shard}`),
        batchesDone: details?.batchesDone ?? 0,
        out,
      };
      const scorer = task.step.scorer;
      // A fit step's model: its distributions are read, not scored.
      if (input.inputs.model?.kind === ARTIFACT_KINDS.fit) {
        const r = (await import('./fitted-shard')).fittedShard(task);
        return { shard: input.shard, path: out, points: r.points, truncated: r.truncated, scorer: r.scorer };
      }
      // Torch: a child process of this activity (so cancelling the activity kills it); the first shard checks bf16 against fp32.
      const r = scorer.backend === 'torch'
        ? await (await import('./torch-shard')).scoreShardTorch(
            task, { python: deps.settings.LABOR_LLM_PYTHON, scorerPath: join(PROJECT_ROOT, 'scorer') },
            input.shard === 0 ? (scorer.checkPoints ?? DEFAULT_CHECK_POINTS) : 0)
        : await runInThread<{ points: number; truncated: number; scorer: unknown }>(TASKS, 'scoreShardTask', [task]);
      return { shard: input.shard, path: out, points: r.points, truncated: r.truncated, scorer: r.scorer };
    },

    async finishEvaluation(input: StepRunInput & { plan: EvaluationPlan; shards: (ShardResult & { scorer?: unknown })[] }): Promise<StepResult> {
      let summary: Record<string, unknown> = {};
      const shards = [...input.shards].sort((a, b) => a.shard - b.shard);
      const artifact = await deps.store.create('evaluation', input.key, async (dir) => {
        const task: FinishTask = {
          dir,
          template: deps.store.readManifest(input.inputs.data).meta.template as FinishTask['template'],
          encodedDir: input.inputs.data.path,
          panelDir: input.inputs.panel.path,
          step: input.step as EvaluateStepConfig,
          seed: input.seed,
          totalPoints: input.plan.totalPoints,
          shards: shards.map((s) => ({ path: s.path, start: input.plan.shards[s.shard].start, truncated: s.truncated })),
          scorer: shards[0] && {
            ...(shards[0].scorer as object), modelDir: undefined, model: modelIdentity(input),
            incontext: incontextSummary(shards.map((s) => (s.scorer ?? {}) as { incontext?: IncontextShardStats })),
          },
        };
        summary = await runInThread(TASKS, 'finishEvaluationTask', [task]);
        return { summary };
      });
      return { artifact, summary };
    },
  };
}
