/**
 * A test harness on the run's real Temporal dev server: a fresh store (a temporary
 * LABOR_LLM_HOME, so its own store id: workflow ids and task queues of its own, and parallel test
 * files never take each other's tasks), in-process workers, a client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { defaultDeps, type ActivityDeps } from '../../activities';
import { readSettings, type Settings } from '../../lib/env';
import type { LoadedConfig } from '../../lib/config/load';
import { createWorkers, installRuntime, runWorkers } from '../../temporal/worker';
import { startRun, type StartOptions } from '../../cli/runs';
import { openStore, type StoreScope } from '../../cli/session';
import type { Queues } from '../../temporal/run-types';

export interface Harness {
  address: string;
  home: string;
  settings: Settings;
  store: StoreScope;
  deps: ActivityDeps;
  client: Client;
  queues: Queues;
  /** Env for a child process (CLI, worker) that should join this harness. */
  env: NodeJS.ProcessEnv;
  start(loaded: LoadedConfig, opts?: Omit<StartOptions, 'store'>): ReturnType<typeof startRun>;
  /** A `labor-llm worker` process joined to this harness (killed by close()). */
  spawnCliWorker(): ChildProcess;
  startWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

export async function createHarness(opts: { workers?: boolean } = {}): Promise<Harness> {
  const address = inject('temporalAddress');
  const home = mkdtempSync(join(tmpdir(), 'labor-llm-test-home-'));
  // The server folder points into the temp home too: nothing a test runs may touch the real
  // per-user one (TEMPORAL_ADDRESS is set, so nothing should start a server anyway).
  const env = { ...process.env, LABOR_LLM_HOME: home, LABOR_LLM_SERVER_DIR: join(home, 'server'), TEMPORAL_ADDRESS: address };
  const settings = readSettings(env);
  const store = openStore(settings);
  const deps = defaultDeps(settings);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const { queues } = store;
  let workerConnection: NativeConnection | undefined;
  let running: Promise<void> | undefined;
  let stop: AbortController | undefined;
  const children: ChildProcess[] = [];

  const harness: Harness = {
    address, home, settings, store, deps, client, queues,
    env,
    start: (loaded, o) => startRun(client, loaded, { ...o, store }),
    spawnCliWorker() {
      const child = spawn(process.execPath, ['bin/labor-llm.js', 'worker'], { env, stdio: 'ignore' });
      children.push(child);
      return child;
    },
    async startWorkers() {
      installRuntime();
      workerConnection ??= await NativeConnection.connect({ address });
      stop = new AbortController();
      const workers: Worker[] = await createWorkers({ connection: workerConnection, namespace: 'default', deps, taskQueues: queues });
      running = runWorkers(workers, stop.signal);
    },
    async stopWorkers() {
      stop?.abort();
      await running;
      running = undefined;
    },
    async close() {
      for (const c of children) c.kill('SIGKILL');
      await harness.stopWorkers();
      await workerConnection?.close();
      await connection.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
  if (opts.workers !== false) await harness.startWorkers();
  return harness;
}
