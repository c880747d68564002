/**
 * fineTuneWorkflow across a training job's life, on a real server with the fake trainer (the same
 * job-folder contract as the real one, with behaviour chosen per test): a job that stops making
 * progress is stopped and resumed from its checkpoint; a preempted one (SIGTERM) is resumed, not
 * failed; cancelling the run while the submit is under way still cancels the job it starts.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { typed } from '../../activities/failures';
import { fineTuneActivities } from '../../activities/finetune/fine-tune-job';
import { finetuneStep } from '../../lib/config/schema';
import { LocalProvider, type JobRecord } from '../../lib/finetune';
import { workflowBundle } from '../../temporal/worker';
import type { FineTuneJobRef, StepResult, StepRunInput } from '../../temporal/run-types';
import { createHarness, type Harness } from '../helpers/temporal';
import { FAKE_TRAINER, pidRunning, runsOf } from '../finetune/helpers';

let h: Harness;
let connection: NativeConnection;
beforeAll(async () => {
  h = await createHarness({ workers: false });
  connection = await NativeConnection.connect({ address: h.address });
});
afterAll(async () => {
  await connection?.close();
  await h?.close();
});

type Activities = ReturnType<typeof createActivities>;

/** Runs `fn` while a worker serves a queue of its own, with the fake trainer behaving as `fake` says. */
async function withWorker<T>(fake: object, fn: (queue: string) => Promise<T>, override: Partial<Activities> = {}): Promise<T> {
  const queue = `lifecycle-${randomBytes(4).toString('hex')}`;
  const trainer = { ...FAKE_TRAINER, env: { FAKE_TRAINER: JSON.stringify(fake) } };
  const finetune = Object.fromEntries(Object.entries(fineTuneActivities(h.deps, trainer)).map(([k, f]) => [k, typed(f as (...a: unknown[]) => Promise<unknown>)]));
  const worker = await Worker.create({
    connection, taskQueue: queue, workflowBundle: await workflowBundle(), activities: { ...createActivities(h.deps), ...finetune, ...override },
  });
  return worker.runUntil(fn(queue));
}

/** A finetune step's input; the fake trainer ignores the spec, so a seed per test keeps job ids apart. */
function stepInput(queue: string, seed: number, step: Record<string, unknown> = {}): StepRunInput {
  const data = mkdtempSync(join(tmpdir(), 'labor-llm-ftl-data-'));
  return {
    runId: `lifecycle-${seed}`, experiment: 'lifecycle', key: `lifecycle-${seed}-${randomBytes(4).toString('hex')}`, seed,
    step: finetuneStep.parse({ kind: 'finetune', name: 'model', data: 'text', base: { init: { layers: 1, hidden: 32, heads: 2 } }, ...step }),
    inputs: { data: { kind: 'text', key: 'k', path: data, sha256: 'x' } },
    timeouts: { heartbeatS: 5, stepS: 600 }, queues: { cpu: queue, gpu: queue },
  };
}

const record = (jobDir: string): JobRecord => JSON.parse(readFileSync(join(jobDir, 'job.json'), 'utf8'));

function start(queue: string, input: StepRunInput) {
  return h.client.workflow.start('fineTuneWorkflow', { taskQueue: queue, workflowId: `${input.key}-wf`, args: [input] });
}

describe('training jobs across their life', () => {
  it('a job whose progress stands still for stallTimeout is stopped and resumed from its checkpoint', async () => {
    await withWorker({ steps: 8, step_s: 0.05, stall: { at: 4 } }, async (queue) => {
      const input = stepInput(queue, 1, { stallTimeout: '3s' });
      const t0 = Date.now();
      const result = (await (await start(queue, input)).result()) as StepResult;
      const jobId = result.summary.jobId as string;
      const jobDir = join(h.deps.jobsDir, jobId);
      expect(runsOf(jobDir).map((r) => r.start)).toEqual([0, 3]); // hung before step 4, resumed after step 3
      expect(record(jobDir).history).toEqual([expect.objectContaining({
        attempt: 1, endedAs: 'lost', error: expect.objectContaining({ type: 'Stalled', message: expect.stringMatching(/no progress for \d+s \(stallTimeout 3s\) at step 3\/8/) }),
      })]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(3000);
      expect(readFileSync(join(result.artifact.path, 'model.txt'), 'utf8')).toBe('fake model\n');
    });
  }, 120_000);

  it('a preempted job (SIGTERM: checkpoint, exit 75) is resumed, not failed', async () => {
    await withWorker({ steps: 40, step_s: 0.05 }, async (queue) => {
      const input = stepInput(queue, 2);
      const handle = await start(queue, input);
      let jobId: string | undefined;
      for (const until = Date.now() + 60_000; Date.now() < until && !jobId; await sleep(100)) {
        ({ jobId } = await handle.query<{ jobId?: string }>('progress'));
      }
      const jobDir = join(h.deps.jobsDir, jobId!);
      while (!existsSync(join(jobDir, 'checkpoints', 'step'))) await sleep(50);
      process.kill(runsOf(jobDir)[0].pid, 'SIGTERM'); // the trainer alone, as Slurm or a shutting-down host does
      const result = (await handle.result()) as StepResult;
      expect(result.summary.jobId).toBe(jobId);
      const runs = runsOf(jobDir);
      expect(runs).toHaveLength(2);
      expect(runs[1].start).toBeGreaterThan(0);
      expect(record(jobDir).history).toEqual([expect.objectContaining({ endedAs: 'lost', error: expect.objectContaining({ type: 'Preempted' }) })]);
      expect(JSON.parse(readFileSync(join(jobDir, 'attempts', '1', 'status.json'), 'utf8')).state).toBe('preempted');
    });
  }, 120_000);

  it.each([
    ['answers', false],
    ['dies after starting the job', true], // its answer never comes: the job is found by its deterministic id
  ])('cancelling the run while the job is being submitted cancels the job the submit starts (submit %s)', async (_what, dies) => {
    let submitted!: (ref: FineTuneJobRef) => void;
    const jobRef = new Promise<FineTuneJobRef>((resolve) => (submitted = resolve));
    let entered!: () => void;
    const submitEntered = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const real = fineTuneActivities(h.deps, { ...FAKE_TRAINER, env: { FAKE_TRAINER: JSON.stringify({ steps: 100_000, step_s: 0.05 }) } });
    // A slow submit (a busy shared file system, a slow sbatch): the cancel arrives while it runs.
    const submitFineTuneJob = async (input: StepRunInput) => {
      entered();
      await gate;
      const ref = await real.submitFineTuneJob(input);
      submitted(ref);
      if (dies) throw new Error('worker lost after starting the job');
      return ref;
    };
    await withWorker({}, async (queue) => {
      const handle = await start(queue, stepInput(queue, dies ? 4 : 3));
      await submitEntered;
      await handle.cancel();
      await sleep(1000); // the workflow has seen the cancel request
      release();
      const ref = await jobRef;
      await expect(handle.result()).rejects.toThrow();
      const provider = new LocalProvider({ jobsRoot: h.deps.jobsDir, trainer: FAKE_TRAINER });
      let state = '';
      for (const until = Date.now() + 30_000; Date.now() < until && state !== 'cancelled'; await sleep(100)) state = (await provider.status(ref.jobId)).state;
      expect(state).toBe('cancelled');
      const pids = runsOf(ref.jobDir).map((r) => r.pid);
      expect(pids.length).toBeLessThanOrEqual(1);
      for (const pid of pids) {
        for (const until = Date.now() + 10_000; pidRunning(pid) && Date.now() < until;) await sleep(50);
        expect(pidRunning(pid)).toBe(false);
      }
    }, { submitFineTuneJob });
  }, 120_000);
});
