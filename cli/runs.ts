/**
 * Starting and following runs, shared by `run` and `resume`: the workflow id derives from the
 * experiment name, config hash and store id, so the same config in the same store attaches to
 * its running run instead of starting a second one, and never to another store's run. Heavy
 * (Temporal SDK, activities): commands import it lazily.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy } from '@temporalio/common';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultDeps } from '../activities';
import type { LoadedConfig } from '../lib/config/load';
import { connectWorker } from '../temporal/connection';
import { ConfigHash, ExperimentName, RunStatus, StoreId } from '../temporal/search-attributes';
import { createWorkers, runWorkers } from '../temporal/worker';
import type { RunExperimentInput, RunExperimentResult } from '../temporal/run-types';
import { say, table, UsageError, warn } from './output';
import { displayRunId, runIdFor, workflowIdOf } from './run-id';
import { runUrl } from '../lib/env';
import type { Session, StoreScope } from './session';
import { printSummary, watchRun } from './watch';

export interface StartOptions {
  noCache?: boolean;
  rerun?: string[];
  /** The store the run belongs to: its id scopes the workflow id, its queues carry the work. */
  store: StoreScope;
}

/** The options given that change what a run computes, as a person typed them. */
function changingOptions(opts: StartOptions): string[] {
  return [...(opts.noCache ? ['--no-cache'] : []), ...(opts.rerun?.length ? [`--rerun ${opts.rerun.join(' ')}`] : [])];
}

/**
 * Starts the run, or attaches to the identical one running in this store. Options that would
 * change the run cannot apply to a running one: then the start fails (atomically, in Temporal)
 * and says what to do instead.
 */
export async function startRun(client: Client, loaded: LoadedConfig, opts: StartOptions): Promise<WorkflowHandle> {
  const { store } = opts;
  const input: RunExperimentInput = {
    config: loaded.config, configHash: loaded.hash, configFile: loaded.file,
    noCache: opts.noCache, rerun: opts.rerun, queues: store.queues,
  };
  const changing = changingOptions(opts);
  const runId = runIdFor(loaded);
  try {
    return await client.workflow.start('runExperimentWorkflow', {
      workflowId: workflowIdOf(runId, store.id),
      taskQueue: store.queues.cpu,
      args: [input],
      workflowIdConflictPolicy: changing.length ? WorkflowIdConflictPolicy.FAIL : WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: [
        { key: ExperimentName, value: loaded.config.name },
        { key: ConfigHash, value: loaded.hash },
        { key: RunStatus, value: 'running' },
        { key: StoreId, value: store.id },
      ],
      memo: { config: loaded.config, configFile: loaded.file, configHash: loaded.hash, store: { id: store.id, home: store.home } },
      staticSummary: `${loaded.config.name}: ${loaded.config.steps.map((s) => s.name).join(' → ')}`,
      staticDetails: loaded.config.description,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    throw new UsageError(
      `run ${runId} of this config is already running in this store; ${changing.join(' and ')} cannot apply to a run that has started`,
      [
        `wait for it to finish (\`labor-llm resume ${runId}\` follows it), then run again with ${changing.join(' ')}`,
        `or stop it with \`labor-llm cancel ${runId}\`, then run again with ${changing.join(' ')}`,
      ],
    );
  }
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
    const workers = await createWorkers({ connection, namespace: settings.TEMPORAL_NAMESPACE, deps: defaultDeps(settings), taskQueues: session.store.queues });
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
      // The store's queues are shared by its runs: this worker may be running a step of another run. It gets the
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
export function detachOnInterrupt(name: string, workers?: LocalWorkers): () => void {
  const detach = () => {
    say('');
    say('detached: the run goes on in Temporal without this process.');
    say(table([
      [`  labor-llm resume ${name}`, 'follow it again, with a worker here'],
      ['  labor-llm worker', 'serve it (and any run) in the background'],
      [`  labor-llm status ${name}`, 'look at it'],
      [`  labor-llm cancel ${name}`, 'stop it'],
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
  const name = displayRunId(handle.workflowId, session.store.id);
  say(`run ${name} (${desc.runId}) in store ${session.store.id}`);
  say(`Web UI: ${runUrl(session.settings, handle.workflowId, desc.runId)}`);
  if (!workers) say('no worker in this process (--no-worker): the run waits for `labor-llm worker` processes');
  const watching = watchRun(session.client, handle, { tty: !!process.stdout.isTTY && !process.env.CI });
  const result = await (workers ? Promise.race([watching, workers.failed]) : watching).catch((err) => {
    // Printed by reportError after the failure itself.
    if ((err as Error)?.name === 'WorkflowFailedError') Object.assign(err as Error, { hint: `fix the cause, then \`labor-llm resume ${name}\` (finished steps are reused)` });
    throw err;
  });
  printSummary(result.steps);
  say();
  say(`manifest: ${result.manifestPath}`);
  say(`Web UI:   ${runUrl(session.settings, handle.workflowId, desc.runId)}`);
  return result;
}

/**
 * What `run` and `resume` share: start (or attach to) the run, optional in-process workers,
 * follow it with Ctrl-C detaching, and always release workers and the connection. The run starts
 * first, so a refused start answers at once; its first task waits the few seconds workers take.
 */
export async function runAndFollow(session: Session, loaded: LoadedConfig, opts: Omit<StartOptions, 'store'> & { worker: boolean }): Promise<RunExperimentResult> {
  let workers: LocalWorkers | undefined;
  let undoDetach = () => {};
  try {
    const handle = await startRun(session.client, loaded, { noCache: opts.noCache, rerun: opts.rerun, store: session.store });
    if (opts.worker) workers = await startLocalWorkers(session);
    undoDetach = detachOnInterrupt(displayRunId(handle.workflowId, session.store.id), workers);
    return await followRun(session, handle, workers);
  } finally {
    undoDetach();
    await workers?.stop();
    await session.close();
  }
}
