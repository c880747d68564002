import { setTimeout as sleep } from 'node:timers/promises';
import { type JobProvider, type JobStatus, isTerminal, ProviderError } from './job';

export interface WaitOptions {
  pollMs?: number;
  /** Give up (throw) after this long; default: wait forever. */
  timeoutMs?: number;
  onStatus?: (status: JobStatus) => void;
  signal?: AbortSignal;
}

/** Polls status() until the job reaches a terminal state and returns that status. */
export async function waitForJob(provider: JobProvider, jobId: string, options: WaitOptions = {}): Promise<JobStatus> {
  const { pollMs = 1000, timeoutMs, onStatus, signal } = options;
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  for (;;) {
    const status = await provider.status(jobId);
    onStatus?.(status);
    if (isTerminal(status.state)) return status;
    if (Date.now() > deadline) {
      throw new ProviderError(`fine-tuning job ${jobId} still ${status.state} after ${timeoutMs} ms`);
    }
    await sleep(pollMs, undefined, { signal });
  }
}
