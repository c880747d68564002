/**
 * The slurm provider against a real single-node Slurm (scripts/slurm-dev.sh): the fake trainer
 * goes through sbatch, runs to success, and a second long job is cancelled. It changes the host
 * (apt-get install, daemons, /etc/slurm), so it runs only when asked: LABOR_LLM_TEST_SLURM=1
 * (.ci/run sets it). Asked, it fails rather than skips when Slurm cannot be had.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlurmProvider } from '../../lib/finetune';
import { FAKE_TRAINER, REPO_ROOT, pidRunning, runsOf, tempJobsRoot, waitUntil } from './helpers';

const SCRIPT = join(REPO_ROOT, 'scripts', 'slurm-dev.sh');
const asked = process.env.LABOR_LLM_TEST_SLURM === '1';
const HOW = 'set LABOR_LLM_TEST_SLURM=1 to install and start a single-node Slurm with scripts/slurm-dev.sh (needs root and apt-get)';
if (!asked) console.warn(`[slurm-cluster.test] skipped: ${HOW}`);

describe.skipIf(!asked)(`slurm provider on a single-node dev cluster${asked ? '' : ` (skipped: ${HOW})`}`, () => {
  let root: string;
  let cleanup: () => void;
  let provider: SlurmProvider;
  let started = false;
  const submitted: string[] = [];

  beforeAll(() => {
    ({ root, cleanup } = tempJobsRoot('labor-llm-ft-slurm-'));
    provider = new SlurmProvider({ jobsRoot: root, trainer: FAKE_TRAINER, cpusPerTask: 1, time: '00:10:00', cancelWaitMs: 30_000 });
    if (spawnSync('bash', [SCRIPT, 'status']).status !== 0) {
      if (process.getuid?.() !== 0) throw new Error('LABOR_LLM_TEST_SLURM=1, but no dev cluster is running and starting one (scripts/slurm-dev.sh start) needs root');
      const out = execFileSync('bash', [SCRIPT, 'start'], { encoding: 'utf8', timeout: 300_000 });
      started = true;
      console.log(out.trim());
    }
  }, 320_000);

  afterAll(() => {
    for (const jobId of submitted) {
      const rec = existsSync(join(root, jobId, 'job.json')) ? JSON.parse(readFileSync(join(root, jobId, 'job.json'), 'utf8')) : undefined;
      if (rec?.slurmJobId) spawnSync('scancel', [rec.slurmJobId]);
    }
    if (started) console.log(execFileSync('bash', [SCRIPT, 'stop'], { encoding: 'utf8' }).trim());
    cleanup();
  });

  it('runs the trainer through sbatch to success', async () => {
    const spec = { name: 'slurm-ok', fake: { steps: 8, step_s: 0.1 } };
    const sub = await provider.submit(spec);
    submitted.push(sub.jobId);
    expect(sub.existing).toBe(false);
    const { slurmJobId } = JSON.parse(readFileSync(join(sub.jobDir, 'job.json'), 'utf8'));
    expect(slurmJobId).toMatch(/^\d+$/);
    expect(execFileSync('squeue', ['-h', '-j', slurmJobId, '-o', '%j'], { encoding: 'utf8' }).trim()).toBe(`labor-llm-${sub.jobId}`);

    expect(await provider.submit(spec)).toEqual({ ...sub, existing: true }); // queued or running: reused
    const running = await waitUntil(provider, sub.jobId, (s) => s.state === 'running' && !!s.progress, 60_000);
    expect(running.providerJobId).toBe(slurmJobId);
    const done = await waitUntil(provider, sub.jobId, undefined, 60_000);
    expect(done).toMatchObject({ state: 'succeeded', progress: { step: 8, total_steps: 8 } });
    expect((await provider.result(sub.jobId)).metrics).toMatchObject({ steps: 8 });
    expect(await provider.submit(spec)).toEqual({ ...sub, existing: true });
    expect(runsOf(sub.jobDir)).toHaveLength(1);
    const logs = await provider.logs(sub.jobId);
    expect(logs).toContain('step 8/8');
    expect(logs).toContain(`==> slurm-${slurmJobId}.out <==`);
    expect(logs).toContain('fake trainer stdout');
  }, 120_000);

  it('surfaces the trainer error of a failed batch job', async () => {
    const sub = await provider.submit({ name: 'slurm-fail', fake: { fail: { type: 'InvalidInput', message: 'spec.texts: required key is missing', exit: 2 } } });
    submitted.push(sub.jobId);
    const st = await waitUntil(provider, sub.jobId, undefined, 60_000);
    expect(st).toMatchObject({ state: 'failed', error: { type: 'InvalidInput', message: 'spec.texts: required key is missing' } });
  }, 120_000);

  it('cancels a long job with scancel and can start it again', async () => {
    const spec = { name: 'slurm-long', fake: { steps: 100_000, step_s: 0.05, child: true } };
    const sub = await provider.submit(spec);
    submitted.push(sub.jobId);
    await waitUntil(provider, sub.jobId, (s) => s.state === 'running' && existsSync(join(sub.jobDir, 'child.pid')), 60_000);
    const trainerPid = runsOf(sub.jobDir)[0].pid;
    const childPid = Number(readFileSync(join(sub.jobDir, 'child.pid'), 'utf8'));
    await provider.cancel(sub.jobId);
    expect((await provider.status(sub.jobId)).state).toBe('cancelled');
    const { slurmJobId } = JSON.parse(readFileSync(join(sub.jobDir, 'job.json'), 'utf8'));
    expect(execFileSync('scontrol', ['show', 'job', slurmJobId], { encoding: 'utf8' })).toMatch(/JobState=CANCELLED/);
    const deadline = Date.now() + 20_000;
    while ((pidRunning(trainerPid) || pidRunning(childPid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(pidRunning(trainerPid)).toBe(false);
    expect(pidRunning(childPid)).toBe(false);

    const again = await provider.submit(spec);
    expect(again.existing).toBe(false);
    const rec = JSON.parse(readFileSync(join(sub.jobDir, 'job.json'), 'utf8'));
    expect(rec.slurmJobId).not.toBe(slurmJobId);
    expect(rec.history[0]).toMatchObject({ attempt: 1, providerJobId: slurmJobId, endedAs: 'cancelled' });
    await waitUntil(provider, sub.jobId, (s) => s.state === 'running', 60_000);
    await provider.cancel(sub.jobId);
    expect((await provider.status(sub.jobId)).state).toBe('cancelled');
  }, 180_000);
  it('a SIGTERM to the batch job (as preemption sends) ends it lost/Preempted; a resubmit resumes from the checkpoint', async () => {
    const spec = { name: 'slurm-preempt', fake: { steps: 40, step_s: 0.1 } };
    const sub = await provider.submit(spec);
    submitted.push(sub.jobId);
    await waitUntil(provider, sub.jobId, (s) => (s.progress?.step ?? 0) >= 3, 60_000);
    const { slurmJobId } = JSON.parse(readFileSync(join(sub.jobDir, 'job.json'), 'utf8'));
    execFileSync('scancel', ['--full', '--signal=TERM', slurmJobId]); // signal only: the job is not cancelled
    const stopped = await waitUntil(provider, sub.jobId, undefined, 60_000);
    expect(stopped).toMatchObject({ state: 'lost', error: { type: 'Preempted' } });
    expect(readFileSync(join(sub.jobDir, 'exit_code'), 'utf8').trim()).toBe('75');

    expect((await provider.submit(spec)).existing).toBe(false);
    expect((await waitUntil(provider, sub.jobId, undefined, 90_000)).state).toBe('succeeded');
    const runs = runsOf(sub.jobDir);
    expect(runs).toHaveLength(2);
    expect(runs[1].start).toBe(stopped.progress!.step);
  }, 180_000);
});
