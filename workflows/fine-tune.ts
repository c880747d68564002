/**
 * fineTuneWorkflow: submits a training job to its provider and waits for it, durably. The wait
 * is a heartbeating activity that returns at least once a minute with the job's status, so
 * progress is queryable and the history stays small (continue-as-new every 200 polls). A worker
 * killed meanwhile changes nothing: the job runs detached and the next poll re-attaches.
 *
 * Across the job's life: a job that dies (lost) or is preempted (SIGTERM, checkpoint saved) is
 * resubmitted and resumes from its checkpoint; one whose progress stands still for the step's
 * `stallTimeout` is stopped and resubmitted the same way; cancelling the run cancels the job,
 * even one whose submit was still under way.
 */
import {
  ActivityCancellationType, ApplicationFailure, CancellationScope, continueAsNew, defineQuery, isCancellation,
  proxyActivities, setHandler,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { FinetuneStepConfig, FitStepConfig } from '../lib/config/schema';
import { computeOptions, quickOptions } from './activity-options';
import { toSeconds } from './durations';
import type { FineTuneJobRef, FineTuneStatus, StepResult, StepRunInput } from '../temporal/run-types';

type Activities = ReturnType<typeof createActivities>;

export const fineTuneProgressQuery = defineQuery<FineTuneStatus & { jobId?: string }>('progress');

export interface FineTuneInput extends StepRunInput {
  /** Set after continue-as-new: the job already submitted. */
  job?: FineTuneJobRef;
  /** Resubmits after a crash or a stall, and after a preemption, so far. */
  restarts?: number;
  preemptions?: number;
  /** The stall clock across continue-as-new: the last progress mark and when (workflow time, ms) it changed. */
  progress?: { mark?: string; at: number };
}

// How stale the progress query may be; each poll adds a few history events (continue-as-new bounds them).
const POLL_SECONDS = 10;
const POLLS_PER_HISTORY = 200;
const MAX_RESTARTS = 3;
// Preemption is routine on shared clusters and costs at most a step: a looser bound.
const MAX_PREEMPTIONS = 20;

export async function fineTuneWorkflow(input: FineTuneInput): Promise<StepResult> {
  const quick = proxyActivities<Activities>(quickOptions(input.queues.gpu));
  // A cancelled run waits for a submit under way to finish, so that the job it starts is known and cancelled.
  const submitter = proxyActivities<Activities>({
    ...quickOptions(input.queues.gpu), cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const step = input.step as FinetuneStepConfig | FitStepConfig;
  const stallS = toSeconds(step.stallTimeout ?? '30m');
  // A fit step runs a fitted baseline's job (baselines/), logging to fit.log.
  const [what, log] = step.kind === 'fit' ? [`${step.model} fit job`, 'fit.log'] : ['training job', 'train.log'];
  const poll = proxyActivities<Activities>({
    ...computeOptions(input.timeouts, input.queues, 'gpu'),
    startToCloseTimeout: `${POLL_SECONDS + input.timeouts.heartbeatS + 60}s`,
  });
  let status: FineTuneStatus = { state: 'pending' };
  let job = input.job;
  let restarts = input.restarts ?? 0;
  let preemptions = input.preemptions ?? 0;
  let progress = input.progress ?? { at: Date.now() };
  setHandler(fineTuneProgressQuery, () => ({ ...status, jobId: job?.jobId }));

  try {
    job ??= await submitter.submitFineTuneJob(input);
    for (let polls = 0; ; polls++) {
      const polled = await poll.awaitFineTuneJob({ job, maxWaitS: Math.min(POLL_SECONDS, stallS) });
      status = polled;
      if (status.state === 'succeeded') break;
      if (status.state === 'failed') {
        const type = status.error?.type === 'InvalidInput' ? 'InvalidConfig' : 'TrainingFailed';
        throw ApplicationFailure.nonRetryable(`${what} ${job.jobId} failed: ${status.error?.message ?? 'no message'} (log: ${job.jobDir}/${log})`, type);
      }
      if (status.state === 'cancelled') {
        throw ApplicationFailure.nonRetryable(`${what} ${job.jobId} was cancelled outside this run`, 'JobCancelled');
      }
      if (status.state === 'lost') {
        // The process ended without a verdict (preempted, machine restart, OOM kill, stalled): a resubmit resumes from its checkpoint.
        const preempted = status.error?.type === 'Preempted';
        if (preempted ? ++preemptions > MAX_PREEMPTIONS : ++restarts > MAX_RESTARTS) {
          const how = preempted ? `was preempted ${preemptions} times` : `died or stalled ${restarts} times`;
          throw ApplicationFailure.nonRetryable(`${what} ${job.jobId} ${how} (last: ${status.error?.message ?? 'no message'}; log: ${job.jobDir}/${log})`, 'TrainingFailed');
        }
        job = await submitter.submitFineTuneJob(input);
        progress = { at: Date.now() };
      } else if (status.state !== 'running' || polled.mark !== progress.mark) {
        // Only a running job can stall: a queued one waits for the scheduler.
        progress = { mark: polled.mark, at: Date.now() };
      } else if (Date.now() - progress.at >= stallS * 1000) {
        const reason = `no progress for ${Math.round((Date.now() - progress.at) / 1000)}s (stallTimeout ${stallS}s) at ${polled.detail || 'start-up'}; stopped to resume from its checkpoint`;
        await quick.abandonFineTuneJob({ job, reason }); // the next poll sees it lost
      }
      if (polls + 1 >= POLLS_PER_HISTORY) {
        await continueAsNew<typeof fineTuneWorkflow>({ ...input, job, restarts, preemptions, progress });
      }
    }
  } catch (err) {
    // Also a submit that failed after the cancel request: it may have started the job before failing.
    if (isCancellation(err) || CancellationScope.current().consideredCancelled) {
      const submitted = job;
      await CancellationScope.nonCancellable(() =>
        // No job ref: the submit was cancelled, or its worker died; its job id is deterministic.
        submitted ? quick.cancelFineTuneJob(submitted) : quick.cancelFineTuneStep(input),
      );
    }
    throw err;
  }
  // Collecting hashes the whole model (13 GB for a 7B in bf16), heartbeating: heartbeat-based timeouts, not a quick preset.
  const collect = proxyActivities<Activities>(computeOptions(input.timeouts, input.queues, 'gpu'));
  return collect.collectFineTuneModel({ ...input, job });
}
