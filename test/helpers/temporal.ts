/**
 * A test harness on the run's real Temporal dev server: a fresh state folder, unique task
 * queues (so parallel test files never take each other's tasks), in-process workers, a client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { defaultDeps, type ActivityDeps } from '../../activities';
import { readSettings, type Settings } from '../../lib/env';
import type { LoadedConfig } from '../../lib/config/load';
import { createWorkers, installRuntime, runWorkers } from '../../temporal/worker';
import { startRun, type StartOptions } from '../../cli/runs';
import type { Queues } from '../../workflows/types';

export interface Harness {
  address: string;
  home: string;
  settings: Settings;
  deps: ActivityDeps;
  client: Client;
  queues: Queues;
  /** Env for a child process (CLI, worker) that should join this harness. */
  env: NodeJS.ProcessEnv;
  start(loaded: LoadedConfig, opts?: Omit<StartOptions, 'queues'>): ReturnType<typeof startRun>;
  /** A `labor-llm worker` process joined to this harness (killed by close()). */
  spawnCliWorker(): ChildProcess;
  startWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

export async function createHarness(opts: { workers?: boolean } = {}): Promise<Harness> {
  const address = inject('temporalAddress');
  const home = mkdtempSync(join(tmpdir(), 'labor-llm-test-home-'));
  const tag = randomBytes(4).toString('hex');
  // Unique task queues: parallel test files never take each other's tasks.
  const env = { ...process.env, LABOR_LLM_HOME: home, TEMPORAL_ADDRESS: address, LABOR_LLM_TASK_QUEUE_PREFIX: `test-${tag}` };
  const settings = readSettings(env);
  const deps = defaultDeps(settings);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const queues = settings.queues;
  let workerConnection: NativeConnection | undefined;
  let running: Promise<void> | undefined;
  let stop: AbortController | undefined;
  const children: ChildProcess[] = [];

  const harness: Harness = {
    address, home, settings, deps, client, queues,
    env,
    start: (loaded, o) => startRun(client, loaded, { ...o, queues }),
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
