/**
 * fineTuneWorkflow: submits a training job to its provider and waits for it, durably. The wait
 * is a heartbeating activity that returns at least once a minute with the job's status, so
 * progress is queryable and the history stays small (continue-as-new every 200 polls). A worker
 * killed meanwhile changes nothing: the job runs detached and the next poll re-attaches.
 */
import {
  ApplicationFailure, CancellationScope, continueAsNew, defineQuery, isCancellation, proxyActivities, setHandler,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { computeOptions, quickOptions } from './activity-options';
import type { FineTuneJobRef, FineTuneStatus, StepResult, StepRunInput } from './types';

type Activities = ReturnType<typeof createActivities>;

export const fineTuneProgressQuery = defineQuery<FineTuneStatus & { jobId?: string }>('progress');

export interface FineTuneInput extends StepRunInput {
  /** Set after continue-as-new: the job already submitted. */
  job?: FineTuneJobRef;
  restarts?: number;
}

// How stale the progress query may be; each poll adds a few history events (continue-as-new bounds them).
const POLL_SECONDS = 10;
const POLLS_PER_HISTORY = 200;
const MAX_RESTARTS = 3;

export async function fineTuneWorkflow(input: FineTuneInput): Promise<StepResult> {
  const quick = proxyActivities<Activities>(quickOptions(input.queues.gpu));
  const poll = proxyActivities<Activities>({
    ...computeOptions(input.timeouts, input.queues, 'gpu'),
    startToCloseTimeout: `${POLL_SECONDS + input.timeouts.heartbeatS + 60}s`,
  });
  let status: FineTuneStatus = { state: 'pending' };
  let job = input.job;
  let restarts = input.restarts ?? 0;
  setHandler(fineTuneProgressQuery, () => ({ ...status, jobId: job?.jobId }));

  try {
    job ??= await quick.submitFineTuneJob(input);
    for (let polls = 0; ; polls++) {
      status = await poll.awaitFineTuneJob({ job, maxWaitS: POLL_SECONDS });
      if (status.state === 'succeeded') break;
      if (status.state === 'failed') {
        const type = status.error?.type === 'InvalidInput' ? 'InvalidConfig' : 'TrainingFailed';
        throw ApplicationFailure.nonRetryable(`training job ${job.jobId} failed: ${status.error?.message ?? 'no message'} (log: ${job.jobDir}/train.log)`, type);
      }
      if (status.state === 'cancelled') {
        throw ApplicationFailure.nonRetryable(`training job ${job.jobId} was cancelled outside this run`, 'JobCancelled');
      }
      if (status.state === 'lost') {
        // The process died without a verdict (machine restart, OOM kill): resubmitting resumes from its checkpoint.
        if (++restarts > MAX_RESTARTS) {
          throw ApplicationFailure.nonRetryable(`training job ${job.jobId} died ${restarts} times (log: ${job.jobDir}/train.log)`, 'TrainingFailed');
        }
        job = await quick.submitFineTuneJob(input);
      }
      if (polls + 1 >= POLLS_PER_HISTORY) await continueAsNew<typeof fineTuneWorkflow>({ ...input, job, restarts });
    }
  } catch (err) {
    if (isCancellation(err) && job) {
      const submitted = job;
      await CancellationScope.nonCancellable(() => quick.cancelFineTuneJob(submitted));
    }
    throw err;
  }
  return quick.collectFineTuneModel({ ...input, job });
}
