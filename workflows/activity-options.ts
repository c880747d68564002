/**
 * Activity option presets. Timeouts for compute come from the experiment config (clusters
 * differ), so the presets are functions of it. Workflow-safe.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_TYPES as NON_RETRYABLE } from '../lib/errors';
import type { Queues } from '../temporal/run-types';

export { NON_RETRYABLE };

export function quickOptions(queue: string): ActivityOptions {
  return {
    taskQueue: queue,
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
  };
}

/**
 * Compute activities heartbeat only when their work progresses (a scoring batch, a data phase),
 * so the heartbeat timeout (`timeouts.heartbeat`, sized to one unit of work) is what fails a
 * hung attempt; Temporal then retries it from its last heartbeat's details.
 */
export function computeOptions(t: { heartbeatS: number; stepS: number }, queues: Queues, queue: keyof Queues = 'cpu'): ActivityOptions {
  return {
    taskQueue: queues[queue],
    startToCloseTimeout: `${t.stepS}s`,
    heartbeatTimeout: `${t.heartbeatS}s`,
    retry: { initialInterval: '1s', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
  };
}
