/**
 * Runs a CPU-heavy job in a worker thread so the worker's event loop stays free: heartbeats keep
 * flowing (a killed worker is noticed within one heartbeat timeout, a busy one is not mistaken for
 * dead), workflow tasks and progress queries are answered, and cancellation terminates the thread.
 *
 * A job is an exported function `(…args, progress) => result` in a TypeScript module; its
 * arguments and result must be structured-cloneable (paths and summaries, not data).
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure, Context } from '@temporalio/activity';

const ENTRY = fileURLToPath(new URL('./thread-entry.mjs', import.meta.url));

export type Progress = (details: Record<string, unknown>) => void;

interface ThreadMessage {
  kind: 'progress' | 'result' | 'error';
  progress?: Record<string, unknown>;
  result?: unknown;
  error?: { name?: string; message: string; type?: string; nonRetryable?: boolean; stack?: string };
}

/** Inside an activity: heartbeats the job's latest progress, also while the thread is busy. */
export async function runInThread<T>(moduleUrl: string, fn: string, args: unknown[]): Promise<T> {
  const ctx = Context.current();
  let last: Record<string, unknown> = {};
  const beat = () => ctx.heartbeat(last);
  beat();
  const every = Math.max(200, Math.min(5000, (ctx.info.heartbeatTimeoutMs ?? 15000) / 3));
  const timer = setInterval(beat, every);
  try {
    return await runThread<T>(moduleUrl, fn, args, (p) => {
      last = p;
      beat();
    }, ctx.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}

/** The plain form, outside Temporal (CLI commands, benchmarks, tests). */
export function runThread<T>(moduleUrl: string, fn: string, args: unknown[], onProgress?: Progress, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(ENTRY, { workerData: { module: moduleUrl, fn, args } });
    let settled = false;
    const settle = (f: () => void) => {
      if (!settled) {
        settled = true;
        signal?.removeEventListener('abort', abort);
        f();
      }
    };
    const abort = () => void worker.terminate().then(() => settle(() => reject(signal?.reason ?? new Error('cancelled'))));
    signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (m: ThreadMessage) => {
      if (m.kind === 'progress') onProgress?.(m.progress ?? {});
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
  const err = new Error(e.message);
  err.stack = e.stack;
  return err;
}
