/**
 * evaluateWorkflow: splits the prediction points into shards, scores them in parallel (CUDA
 * scoring on the gpu queue, CPU scoring on the cpu queue; any worker of it; each shard heartbeats
 * per finished batch, so a shard whose scoring hangs fails its attempt after `timeouts.heartbeat`
 * and is retried from its last finished batch),
 * then merges the shards in order and computes predictions and metrics for the model, the
 * baselines and, on synthetic data, the oracle.
 */
import { defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { computeOptions, quickOptions } from './activity-options';
import type { ShardResult, StepResult, StepRunInput } from '../temporal/run-types';
import type { EvaluateStepConfig } from '../lib/config/schema';

type Activities = ReturnType<typeof createActivities>;

export const evaluateProgressQuery = defineQuery<{ shardsDone: number; shards: number; points: number }>('progress');

export async function evaluateWorkflow(input: StepRunInput): Promise<StepResult> {
  const quick = proxyActivities<Activities>(quickOptions(input.queues.cpu));
  // CUDA scoring needs a GPU worker; CPU scoring (ONNX, or torch on cpu) any worker of the cpu queue.
  const device = (input.step as EvaluateStepConfig).scorer.device;
  const scoring = proxyActivities<Activities>(computeOptions(input.timeouts, input.queues, device === 'cuda' ? 'gpu' : 'cpu'));
  const compute = proxyActivities<Activities>(computeOptions(input.timeouts, input.queues, 'cpu'));
  const progress = { shardsDone: 0, shards: 0, points: 0 };
  setHandler(evaluateProgressQuery, () => progress);

  const plan = await quick.planEvaluation(input);
  Object.assign(progress, { shards: plan.shards.length, points: plan.totalPoints });
  const shards: ShardResult[] = await Promise.all(
    plan.shards.map(async (s) => {
      const result = await scoring.scoreShard({ ...input, plan, shard: s.index });
      progress.shardsDone++;
      return result;
    }),
  );
  return compute.finishEvaluation({ ...input, plan, shards });
}
