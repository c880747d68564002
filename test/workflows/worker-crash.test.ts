/**
 * Durability: a worker process SIGKILLed in the middle of a step. A new worker finishes the run;
 * the step that had finished before the kill is not redone, the interrupted one is retried.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load';
import type { RunExperimentResult, RunProgress } from '../../temporal/run-types';
import { createHarness, type Harness } from '../helpers/temporal';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ workers: false });
});
afterAll(async () => {
  await h?.close();
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

it('a run survives SIGKILL of its worker mid-step', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'labor-llm-crash-'));
  const file = join(dir, 'crash.yaml');
  // `small` finishes at once; `big` takes seconds, and is killed while running.
  writeFileSync(
    file,
    'schemaVersion: 1\nname: crash\ntimeouts: { heartbeat: 3s }\nsteps:\n' +
      '  - {name: small, kind: data, source: synthetic, population: survey, persons: 50}\n' +
      '  - {name: small-text, kind: encode, input: small}\n' +
      '  - {name: big, kind: data, source: synthetic, population: survey, persons: 60000}\n',
  );
  const loaded = loadConfig(file);
  const worker = h.spawnCliWorker();
  const handle = await h.start(loaded);

  const atKill = await waitFor('small done while big runs', async () => {
    const p = await handle.query<RunProgress>('progress');
    const [small, text, big] = p.steps;
    return small.status === 'done' && text.status === 'done' && big.status === 'running' ? p : undefined;
  });
  expect(atKill.steps[2].status).toBe('running');
  worker.kill('SIGKILL');
  await new Promise((r) => worker.once('exit', r));

  await h.startWorkers();
  const result = (await handle.result()) as RunExperimentResult;
  expect(result.steps.map((s) => [s.name, s.status])).toEqual([['small', 'done'], ['small-text', 'done'], ['big', 'done']]);

  // The history tells who did what: `small` ran once; `big` was retried after the kill.
  // (A started event is written once, with the attempt that ended the activity.)
  const history = await handle.fetchHistory();
  const scheduled = new Map<number, string>();
  const attempts: Record<string, number[]> = {};
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) {
      const input = JSON.parse(Buffer.from(s.input!.payloads![0].data!).toString());
      scheduled.set(Number(e.eventId), `${s.activityType?.name}:${input.step?.name}`);
    }
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const step = scheduled.get(Number(started.scheduledEventId))!;
      (attempts[step] ??= []).push(started.attempt ?? 1);
    }
  }
  expect(attempts['prepareData:small']).toEqual([1]);
  expect(attempts['encodeText:small-text']).toEqual([1]);
  // Retried after the kill: attempt 2, or later when a loaded machine starved a retry's 3 s heartbeat.
  expect(attempts['prepareData:big']).toHaveLength(1);
  expect(attempts['prepareData:big'][0]).toBeGreaterThanOrEqual(2);
}, 120_000);
