/**
 * Heartbeats report progress: a task in a worker thread that stops reporting (a hung scoring
 * call, a busy loop) fails its attempt after the heartbeat timeout, instead of waiting out the
 * step timeout, and the retry resumes from the last reported progress.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { installRuntime } from '../../temporal/worker';
import * as activities from './fixtures/count-activities';

const queue = `test-heartbeat-${randomBytes(4).toString('hex')}`;
let connection: Connection;
let client: Client;
let nativeConnection: NativeConnection;
let stop: AbortController;
let running: Promise<void>;

beforeAll(async () => {
  installRuntime();
  const address = inject('temporalAddress');
  nativeConnection = await NativeConnection.connect({ address });
  connection = await Connection.connect({ address });
  client = new Client({ connection });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue: queue,
    workflowsPath: fileURLToPath(new URL('./fixtures/count-workflow.ts', import.meta.url)),
    activities,
  });
  stop = new AbortController();
  running = worker.runUntil(new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve())));
});

afterAll(async () => {
  stop?.abort();
  await running;
  await nativeConnection?.close();
  await connection?.close();
});

describe('runInThread heartbeats', () => {
  it.each(['await', 'spin'] as const)('a task that hangs (%s) fails its attempt by heartbeat timeout; the retry resumes', async (hang) => {
    const workflowId = `count-${hang}-${randomBytes(4).toString('hex')}`;
    const started = Date.now();
    const handle = await client.workflow.start('countWorkflow', {
      taskQueue: queue, workflowId, args: [{ queue, heartbeatS: 2, to: 30, hangAt: 12, hang }],
    });
    // The retry starts from the last heartbeat (count 12), not from 0.
    expect(await handle.result()).toEqual({ from: 12, to: 30 });
    const seconds = (Date.now() - started) / 1000;
    // One heartbeat timeout (2 s, after the throttled last heartbeat) plus the retry, far from the 600 s step timeout.
    expect(seconds).toBeLessThan(30);

    // The history: the activity completed on its second attempt; the first failed by heartbeat timeout.
    const history = await handle.fetchHistory();
    const startedEvent = history.events!.find((e) => e.activityTaskStartedEventAttributes)!.activityTaskStartedEventAttributes!;
    expect(startedEvent.attempt).toBe(2);
    expect(startedEvent.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT);

    // The abandoned first attempt's thread was stopped, not left computing.
    await expect.poll(() => activities.attempts.filter((a) => a.workflowId === workflowId), { timeout: 10_000 }).toEqual(
      expect.arrayContaining([
        { workflowId, attempt: 1, outcome: 'TaskStalled' },
        { workflowId, attempt: 2, outcome: 'completed' },
      ]),
    );
  }, 60_000);
});
