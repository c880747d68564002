/**
 * Worker factory: one Temporal worker per task queue. Workflows run on the cpu queue; the gpu
 * queue carries training jobs and scoring. The workflow bundle is built once per source version
 * and cached on disk (see workflow-bundle.ts); building it is the determinism check: webpack
 * refuses Node modules in workflow code.
 */
import { join } from 'node:path';
import { DefaultLogger, Runtime, Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { QueueName } from './task-queues';
import { loadWorkflowBundle, WORKFLOWS_PATH } from './workflow-bundle';

export { WORKFLOWS_PATH };

const bundles = new Map<string, Promise<{ code: string }>>();
/** The workflow bundle's code, once per process and cache folder (`<home>/cache`; none: built in memory). */
export function workflowBundle(cacheDir?: string): Promise<{ code: string }> {
  const key = cacheDir ?? '';
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = loadWorkflowBundle(cacheDir).then(({ code }) => ({ code }));
    bundle.catch(() => bundles.delete(key));
    bundles.set(key, bundle);
  }
  return bundle;
}

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  deps: ActivityDeps;
  queues?: QueueName[];
  /** Concurrent activities per queue. */
  concurrency?: number;
  /** Task queue names: the store's (cli/session.ts openStore). */
  taskQueues: Record<QueueName, string>;
}

let runtimeInstalled = false;
/**
 * Worker logs at warn level unless LABOR_LLM_LOG=debug: state changes are noise to a user.
 * Must run before the first NativeConnection, which creates the default runtime.
 */
export function installRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = process.env.LABOR_LLM_LOG === 'debug' ? 'DEBUG' : 'WARN';
  // The gpu queue carries activities only; the SDK warns about that on every start.
  const expected = /No workflows registered|No Nexus services registered/;
  const logger = new DefaultLogger(level, (entry) => {
    if (!expected.test(entry.message)) process.stderr.write(`[temporal ${entry.level.toLowerCase()}] ${entry.message}\n`);
  });
  try {
    Runtime.install({ logger });
  } catch {
    /* already installed by the host (a test harness): keep its logger */
  }
}

export async function createWorkers(o: WorkerOptions): Promise<Worker[]> {
  const activities = createActivities(o.deps);
  const queues = o.queues ?? ['cpu', 'gpu'];
  return Promise.all(
    queues.map(async (q) =>
      Worker.create({
        connection: o.connection,
        namespace: o.namespace,
        taskQueue: o.taskQueues[q],
        activities,
        ...(q === 'cpu' ? { workflowBundle: await workflowBundle(join(o.deps.settings.LABOR_LLM_HOME, 'cache')) } : {}),
        maxConcurrentActivityTaskExecutions: o.concurrency ?? (q === 'gpu' ? 2 : 4),
        shutdownGraceTime: '2s',
      }),
    ),
  );
}

/** Runs workers until `signal` aborts, then shuts them down. */
export async function runWorkers(workers: Worker[], signal?: AbortSignal): Promise<void> {
  signal?.addEventListener('abort', () => workers.forEach((w) => w.getState() === 'RUNNING' && w.shutdown()), { once: true });
  await Promise.all(workers.map((w) => w.run()));
}
