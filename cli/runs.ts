/**
 * Starting and following runs, shared by `run` and `resume`: the workflow id derives from the
 * experiment name and config hash, so the same config attaches to its running run instead of
 * starting a second one. Heavy (Temporal SDK, activities): commands import it lazily.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultDeps } from '../activities';
import type { LoadedConfig } from '../lib/config/load';
import { connectWorker } from '../temporal/connection';
import { ConfigHash, ExperimentName, RunStatus } from '../temporal/search-attributes';
import { createWorkers, runWorkers } from '../temporal/worker';
import type { RunExperimentInput, RunExperimentResult } from '../workflows/types';
import { say, table, warn } from './output';
import { runIdFor } from './run-id';
import { runUrl, type Session } from './session';
import { printSummary, watchRun } from './watch';

export { runIdFor };

export interface StartOptions {
  noCache?: boolean;
  rerun?: string[];
  queues: NonNullable<RunExperimentInput['queues']>;
}

export async function startRun(client: Client, loaded: LoadedConfig, opts: StartOptions): Promise<WorkflowHandle> {
  const input: RunExperimentInput = {
    config: loaded.config, configHash: loaded.hash, configFile: loaded.file,
    noCache: opts.noCache, rerun: opts.rerun, queues: opts.queues,
  };
  return client.workflow.start('runExperimentWorkflow', {
    workflowId: runIdFor(loaded),
    taskQueue: opts.queues.cpu,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: [
      { key: ExperimentName, value: loaded.config.name },
      { key: ConfigHash, value: loaded.hash },
      { key: RunStatus, value: 'running' },
    ],
    memo: { config: loaded.config, configFile: loaded.file, configHash: loaded.hash },
    staticSummary: `${loaded.config.name}: ${loaded.config.steps.map((s) => s.name).join(' → ')}`,
    staticDetails: loaded.config.description,
  });
}

const STOP_WAIT_MS = 15_000;

export interface LocalWorkers {
  /** Rejects if a worker stops with an error (so a follower does not wait forever). */
  failed: Promise<never>;
  /** Shuts the workers down (running activities get the grace time) and closes their connection. */
  stop(): Promise<void>;
}

/**
 * The SDK runtime of a CLI process that follows its own run: like installRuntime's, but without
 * the SDK's "Activity failed" / "Workflow failed" warnings, since the CLI reports the failure
 * itself (once, with the step and the cause). LABOR_LLM_LOG=debug shows everything.
 */
function installFollowerRuntime(): void {
  const debug = process.env.LABOR_LLM_LOG === 'debug';
  const expected = /No workflows registered|No Nexus services registered|^Activity failed|^Workflow failed|^Activity cancelled/;
  const logger = new DefaultLogger(debug ? 'DEBUG' : 'WARN', (entry) => {
    if (debug || !expected.test(entry.message)) process.stderr.write(`[temporal ${entry.level.toLowerCase()}] ${entry.message}\n`);
  });
  try {
    Runtime.install({ logger });
  } catch {
    /* installed already (a test harness, or a second run in this process) */
  }
}

/** Workers for both task queues in this process: `run` and `resume` work without a `labor-llm worker`. */
export async function startLocalWorkers(session: Session): Promise<LocalWorkers> {
  const { settings } = session;
  installFollowerRuntime();
  const connection = await connectWorker(settings);
  const abort = new AbortController();
  let running: Promise<void>;
  try {
    const workers = await createWorkers({ connection, namespace: settings.TEMPORAL_NAMESPACE, deps: defaultDeps(settings), taskQueues: settings.queues });
    running = runWorkers(workers, abort.signal);
  } catch (err) {
    await connection.close();
    throw err;
  }
  const failed = running.then(
    () => (abort.signal.aborted ? new Promise<never>(() => undefined) : Promise.reject(new Error('the in-process worker stopped unexpectedly'))),
    (err) => Promise.reject(err),
  );
  failed.catch(() => undefined);
  return {
    failed,
    async stop() {
      abort.abort();
      // The queues are shared: this worker may be running a step of another run. It gets the
      // grace time (and cancellation) to stop; if it still does not, exit anyway: Temporal retries
      // the step elsewhere once its heartbeats stop.
      const stopped = await Promise.race([
        running.then(() => true, (err) => (warn(`worker: ${(err as Error).message}`), true)),
        sleep(STOP_WAIT_MS, false, { ref: false }),
      ]);
      if (stopped) return connection.close();
      warn(`worker: steps still running ${STOP_WAIT_MS / 1000} s after shutdown began; exiting (Temporal retries them on another worker)`);
      setTimeout(() => process.exit(), 200).unref();
    },
  };
}

/**
 * Ctrl-C while following a run: the run itself goes on in Temporal. Stops the local workers and
 * exits 130; a second Ctrl-C exits at once.
 */
export function detachOnInterrupt(workflowId: string, workers?: LocalWorkers): () => void {
  const detach = () => {
    say('');
    say('detached: the run goes on in Temporal without this process.');
    say(table([
      [`  labor-llm resume ${workflowId}`, 'follow it again, with a worker here'],
      ['  labor-llm worker', 'serve it (and any run) in the background'],
      [`  labor-llm status ${workflowId}`, 'look at it'],
      [`  labor-llm cancel ${workflowId}`, 'stop it'],
    ]));
    process.once('SIGINT', () => process.exit(130));
    void (workers?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
    setTimeout(() => process.exit(130), 5000).unref();
  };
  process.once('SIGINT', detach);
  return () => process.off('SIGINT', detach);
}

/** Follows a run to its end, then prints the summary, the manifest and the Web UI link. */
export async function followRun(session: Session, handle: WorkflowHandle, workers?: LocalWorkers): Promise<RunExperimentResult> {
  const desc = await handle.describe();
  say(`run ${handle.workflowId} (${desc.runId})`);
  say(`Web UI: ${runUrl(session.settings, handle.workflowId, desc.runId)}`);
  if (!workers) say('no worker in this process (--no-worker): the run waits for `labor-llm worker` processes');
  const watching = watchRun(session.client, handle, { tty: !!process.stdout.isTTY && !process.env.CI });
  const result = await (workers ? Promise.race([watching, workers.failed]) : watching).catch((err) => {
    // Printed by reportError after the failure itself.
    if ((err as Error)?.name === 'WorkflowFailedError') Object.assign(err as Error, { hint: `fix the cause, then \`labor-llm resume ${handle.workflowId}\` (finished steps are reused)` });
    throw err;
  });
  printSummary(result.steps);
  say();
  say(`manifest: ${result.manifestPath}`);
  say(`Web UI:   ${runUrl(session.settings, handle.workflowId, desc.runId)}`);
  return result;
}

/**
 * What `run` and `resume` share: optional in-process workers, start (or attach to) the run,
 * follow it with Ctrl-C detaching, and always release workers and the connection.
 */
export async function runAndFollow(session: Session, loaded: LoadedConfig, opts: Omit<StartOptions, 'queues'> & { worker: boolean }): Promise<RunExperimentResult> {
  let workers: LocalWorkers | undefined;
  let undoDetach = () => {};
  try {
    if (opts.worker) workers = await startLocalWorkers(session);
    const handle = await startRun(session.client, loaded, { noCache: opts.noCache, rerun: opts.rerun, queues: session.settings.queues });
    undoDetach = detachOnInterrupt(handle.workflowId, workers);
    return await followRun(session, handle, workers);
  } finally {
    undoDetach();
    await workers?.stop();
    await session.close();
  }
}
