/**
 * Fine-tuning durability on a real server with the real trainer: a worker SIGKILLed during
 * training does not restart the training (the next worker re-attaches to the detached job), and
 * cancelling the run cancels the job.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load';
import type { RunExperimentResult } from '../../temporal/run-types';
import { providerFor } from '../../activities/finetune/fine-tune-job';
import { createHarness, type Harness } from '../helpers/temporal';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ workers: false });
});
afterAll(async () => {
  await h?.close();
});

function config(name: string, maxSteps: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'labor-llm-ftd-'));
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `schemaVersion: 1\nname: ${name}\ntimeouts: { heartbeat: 3s }\nsteps:\n` +
      `  - {name: survey, kind: data, source: synthetic, population: survey, persons: 60}\n` +
      `  - {name: text, kind: encode, input: survey}\n` +
      `  - {name: model, kind: finetune, data: text, base: {init: {layers: 1, hidden: 32, heads: 2, vocabSize: 512}}, maxSteps: ${maxSteps}, batchSize: 4, maxSeqLen: 128, evalEvery: 10, threads: 1}\n`,
  );
  return file;
}

/** Waits until the trainer of the run's only job has finished at least one step (its status.json). */
async function waitForTraining(): Promise<string> {
  // Generous: a worker process starting on a busy 2-core machine can take many seconds.
  for (const until = Date.now() + 150_000; Date.now() < until; await sleep(100)) {
    const jobs = existsSync(h.deps.jobsDir) ? readdirSync(h.deps.jobsDir).filter((d) => d.startsWith('ft-')) : [];
    const status = jobs.length === 1 ? join(h.deps.jobsDir, jobs[0], 'status.json') : '';
    if (status && existsSync(status)) {
      const s = JSON.parse(readFileSync(status, 'utf8'));
      if (s.state === 'running' && s.step > 0) return jobs[0];
    }
  }
  throw new Error('training never started');
}

describe('fine-tuning durability', () => {
  it('a worker SIGKILLed mid-training: the next worker re-attaches, training is not restarted', async () => {
    const worker = h.spawnCliWorker();
    const handle = await h.start(loadConfig(config('ft-crash', 300)));
    await waitForTraining();
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    await h.startWorkers();

    const result = (await handle.result()) as RunExperimentResult;
    expect(result.steps[2]).toMatchObject({ status: 'done', summary: { steps: 300 } });
    const jobs = readdirSync(h.deps.jobsDir);
    expect(jobs).toHaveLength(1);
    const record = JSON.parse(readFileSync(join(h.deps.jobsDir, jobs[0], 'job.json'), 'utf8'));
    expect(record.attempt).toBe(1); // one training process, never resubmitted
    await h.stopWorkers();
  }, 240_000);

  it('cancelling the run cancels its training job', async () => {
    rmSync(h.deps.jobsDir, { recursive: true, force: true });
    await h.startWorkers();
    const handle = await h.start(loadConfig(config('ft-cancel', 100000)));
    const jobId = await waitForTraining();
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const provider = providerFor(h.deps, 'local');
    let state = '';
    for (let i = 0; i < 100 && state !== 'cancelled'; i++) {
      state = (await provider.status(jobId)).state;
      await sleep(200);
    }
    expect(state).toBe('cancelled');
  }, 240_000);
});
