/**
 * Runs CPU-heavy work as a task in a worker thread so the worker's event loop stays free:
 * workflow tasks and progress queries are answered, and cancellation terminates the thread.
 *
 * A task is an exported function `(…args, progress) => result` in a TypeScript module; its
 * arguments and result must be structured-cloneable (paths and summaries, not data).
 *
 * Heartbeats report progress, never a timer: the activity heartbeats when the task reports
 * progress, so a task that hangs (a scoring call that never returns) stops the heartbeats,
 * Temporal fails the attempt after the heartbeat timeout (`timeouts.heartbeat`) and retries it
 * from the last reported progress. A task must report progress more often than that (scoring:
 * after every batch; the data steps: after every phase). A silent attempt's thread is stopped
 * here a little later, so an abandoned attempt does not keep computing beside its retry.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { storageFailure } from '../../lib/artifacts/storage-failure';

const ENTRY = fileURLToPath(new URL('./thread-entry.mjs', import.meta.url));

export type Progress = (details: Record<string, unknown>) => void;

interface ThreadMessage {
  kind: 'loaded' | 'progress' | 'result' | 'error';
  progress?: Record<string, unknown>;
  result?: unknown;
  error?: { name?: string; message: string; type?: string; nonRetryable?: boolean; stack?: string; code?: string; path?: string };
}

/**
 * Silence after which the thread is stopped: twice the heartbeat timeout, later than the
 * server's own timeout (heartbeats are throttled to 0.8 of it), so the server fails the attempt
 * first and records a heartbeat timeout; stopping the thread only frees the worker.
 */
const STALL_FACTOR = 2;

/** Inside an activity: runs the task, heartbeating each progress report as the details. */
export async function runInThread<T>(moduleUrl: string, fn: string, args: unknown[]): Promise<T> {
  const ctx = Context.current();
  const heartbeatMs = ctx.info.heartbeatTimeoutMs;
  const stall = new AbortController();
  let watchdog: NodeJS.Timeout | undefined;
  const rearm = () => {
    if (!heartbeatMs) return;
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      const s = Math.round(heartbeatMs / 1000);
      stall.abort(ApplicationFailure.retryable(
        `${fn} reported no progress for ${STALL_FACTOR * s}s (the heartbeat timeout, timeouts.heartbeat, is ${s}s): the task was stopped; ` +
          'if it is slow rather than hung, raise timeouts.heartbeat above the time of one unit of its work (a scoring batch)',
        'TaskStalled',
      ));
    }, STALL_FACTOR * heartbeatMs);
  };
  rearm();
  try {
    return await runThread<T>(moduleUrl, fn, args, (p) => {
      rearm();
      // A thread that has loaded but not progressed yet keeps the previous attempt's details (where to resume).
      ctx.heartbeat(p ?? ctx.info.heartbeatDetails);
    }, AbortSignal.any([ctx.cancellationSignal, stall.signal]));
  } finally {
    clearTimeout(watchdog);
  }
}

/** `onProgress(undefined)`: the task's modules are loaded. */
function runThread<T>(moduleUrl: string, fn: string, args: unknown[], onProgress: (p?: Record<string, unknown>) => void, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(ENTRY, { workerData: { module: moduleUrl, fn, args } });
    let settled = false;
    const settle = (f: () => void) => {
      if (!settled) {
        settled = true;
        signal.removeEventListener('abort', abort);
        f();
      }
    };
    const abort = () => {
      settle(() => reject(signal.reason ?? new Error('cancelled')));
      void worker.terminate();
    };
    signal.addEventListener('abort', abort, { once: true });
    worker.on('message', (m: ThreadMessage) => {
      if (m.kind === 'loaded') onProgress(undefined);
      else if (m.kind === 'progress') onProgress(m.progress ?? {});
      else if (m.kind === 'result') settle(() => resolve(m.result as T));
      else settle(() => reject(threadError(m.error!)));
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`worker thread for ${fn} exited with code ${code} before returning`))));
  });
}

/** Typed project errors become typed Temporal failures; anything else stays a plain (retryable) error. */
function threadError(e: NonNullable<ThreadMessage['error']>): Error {
  if (e.type) return ApplicationFailure.create({ message: e.message, type: e.type, nonRetryable: e.nonRetryable ?? true });
  const err = Object.assign(new Error(e.message), { code: e.code, path: e.path });
  const storage = storageFailure(err, e.path ?? '(unknown path)');
  if (storage) return ApplicationFailure.create({ message: storage.message, type: storage.type, nonRetryable: true });
  err.stack = e.stack;
  return err;
}
