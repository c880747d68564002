/** Slurm provider logic against fake sbatch/squeue/scontrol/scancel scripts (no cluster needed). */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidConfig } from '../../lib/errors';
import { ProviderError, SlurmProvider, createProvider, jobIdForSpec } from '../../lib/finetune';
import { FAKE_TRAINER, FIXTURES, tempJobsRoot } from './helpers';

const { root, cleanup } = tempJobsRoot('labor-llm-ft-fake-slurm-');
const fake = mkdtempSync(join(tmpdir(), 'labor-llm-fake-slurm-'));
process.env.FAKE_SLURM_DIR = fake;
afterAll(() => {
  cleanup();
  rmSync(fake, { recursive: true, force: true });
});

const binDir = join(FIXTURES, 'fake-slurm-bin');
const provider = new SlurmProvider({ jobsRoot: root, trainer: FAKE_TRAINER, binDir, cancelWaitMs: 2000 });
const set = (name: string, text: string) => writeFileSync(join(fake, name), text);
const calls = () => readFileSync(join(fake, 'calls.log'), 'utf8').trim().split('\n');
const writeJob = (jobId: string, name: string, obj: unknown) => writeFileSync(join(root, jobId, name), JSON.stringify(obj));

beforeEach(() => {
  for (const f of ['calls.log', 'squeue.out', 'squeue.err', 'scontrol.out', 'byname']) rmSync(join(fake, f), { force: true });
  set('next_id', '101');
});

describe('slurm provider (fake Slurm commands)', () => {
  it('writes the batch script from the options', () => {
    const p = new SlurmProvider({
      jobsRoot: root, trainer: { ...FAKE_TRAINER, env: { HF_HOME: "/tmp/it's" } }, partition: 'gpu', gpus: 2, time: '04:00:00', mem: '32G',
      cpusPerTask: 8, extraSbatchArgs: ['--account=lab', '--constraint=a100'], setup: ['module load cuda/12.4', 'source /opt/env.sh'],
    });
    const id = jobIdForSpec({ a: 1 });
    const script = p.sbatchScript(id, 3);
    const dir = join(root, id);
    expect(script.split('\n').slice(0, 11)).toEqual([
      '#!/bin/bash',
      `#SBATCH --job-name=labor-llm-${id}`,
      `#SBATCH --output=${dir}/slurm-%j.out`,
      `#SBATCH --chdir=${dir}`,
      '#SBATCH --partition=gpu',
      '#SBATCH --gres=gpu:2',
      '#SBATCH --time=04:00:00',
      '#SBATCH --mem=32G',
      '#SBATCH --cpus-per-task=8',
      '#SBATCH --account=lab',
      '#SBATCH --constraint=a100',
    ]);
    expect(script).toContain('attempt 3');
    expect(script).toContain('module load cuda/12.4\nsource /opt/env.sh\n');
    expect(script).toContain(`export PYTHONPATH=${FAKE_TRAINER.trainerPath}\${PYTHONPATH:+:$PYTHONPATH}`);
    expect(script).toContain(`export HF_HOME='/tmp/it'\\''s'`);
    expect(script).toContain(`${FAKE_TRAINER.python} -m labor_trainer.train --job-dir ${dir}\ncode=$?`);
    const cpu = new SlurmProvider({ jobsRoot: root, trainer: FAKE_TRAINER, gpus: 0 }).sbatchScript(id, 1);
    expect(cpu).not.toMatch(/--gres|--partition|--time|--mem/);
  });

  it('rejects options sbatch cannot carry, all at once', () => {
    expect(() => new SlurmProvider({ jobsRoot: '/tmp/has space', trainer: FAKE_TRAINER, gpus: 1.5, time: '1 h', extraSbatchArgs: ['account=x'] }))
      .toThrow(InvalidConfig);
    try {
      new SlurmProvider({ jobsRoot: '/tmp/has space', trainer: FAKE_TRAINER, gpus: 1.5, time: '1 h', extraSbatchArgs: ['account=x'] });
    } catch (err) {
      expect((err as InvalidConfig).details).toHaveLength(4);
    }
    // The registry accepts Slurm settings flat or under `slurm` (a finetune step's block).
    const viaBlock = createProvider('slurm', { jobsRoot: root, trainer: FAKE_TRAINER, slurm: { partition: 'p1', gpus: 1 } }) as SlurmProvider;
    expect(viaBlock.sbatchScript(jobIdForSpec({}), 1)).toMatch(/--partition=p1\n#SBATCH --gres=gpu:1/);
  });

  it('submits once, reuses a pending job, and reads progress while running', async () => {
    const spec = { name: 'queued' };
    const sub = await provider.submit(spec);
    expect(sub.existing).toBe(false);
    expect(calls()).toContain(`sbatch --parsable ${join(sub.jobDir, 'job.sbatch')}`);
    const rec = JSON.parse(readFileSync(join(sub.jobDir, 'job.json'), 'utf8'));
    expect(rec).toMatchObject({ provider: 'slurm', jobId: sub.jobId, attempt: 1, slurmJobId: '101', providerJobId: '101' });

    set('squeue.out', 'PENDING\n');
    expect(await provider.status(sub.jobId)).toEqual({ state: 'pending', providerJobId: '101' });
    expect(await provider.submit(spec)).toEqual({ ...sub, existing: true });
    set('squeue.out', 'RUNNING\n');
    writeJob(sub.jobId, 'status.json', { state: 'running', step: 3, total_steps: 10, epoch: 0.3, loss: 1.5, val_loss: null, tokens_per_s: 50, eta_s: 7 });
    const st = await provider.status(sub.jobId);
    expect(st).toMatchObject({ state: 'running', progress: { step: 3, total_steps: 10, loss: 1.5, val_loss: null, eta_s: 7 } });
    expect(calls().filter((c) => c.startsWith('sbatch'))).toHaveLength(1);
  });

  it('maps Slurm end states, and falls back to the folder once Slurm forgot the job', async () => {
    const { jobId } = await provider.submit({ name: 'ends' });
    const show = (state: string, exit = '0:0') => set('scontrol.out', `JobId=101 JobName=x\n   JobState=${state} Reason=None Dependency=(null)\n   ExitCode=${exit}\n`);
    show('TIMEOUT');
    expect(await provider.status(jobId)).toMatchObject({ state: 'failed', error: { type: 'TimeLimit' } });
    show('OUT_OF_MEMORY', '0:125');
    expect(await provider.status(jobId)).toMatchObject({ state: 'failed', error: { type: 'OutOfMemory', message: expect.stringContaining('exit 0:125') } });
    show('NODE_FAIL');
    expect((await provider.status(jobId)).state).toBe('lost');
    show('CANCELLED');
    expect((await provider.status(jobId)).state).toBe('cancelled');
    show('FAILED', '1:0');
    expect(await provider.status(jobId)).toMatchObject({ state: 'failed', error: { type: 'Internal', message: expect.stringMatching(/FAILED \(exit 1:0\) without a final trainer status/) } });
    writeJob(jobId, 'error.json', { type: 'TrainingFailed', message: 'loss is NaN at step 7' });
    expect(await provider.status(jobId)).toMatchObject({ state: 'failed', error: { type: 'TrainingFailed', message: 'loss is NaN at step 7' } });
    rmSync(join(root, jobId, 'error.json'));
    show('COMPLETED');
    expect((await provider.status(jobId)).state).toBe('failed');
    writeJob(jobId, 'status.json', { state: 'succeeded', step: 10, total_steps: 10 });
    expect((await provider.status(jobId)).state).toBe('succeeded');

    // Forgotten by Slurm (past MinJobAge): the trainer's files decide.
    rmSync(join(fake, 'scontrol.out'));
    expect((await provider.status(jobId)).state).toBe('succeeded');
    writeJob(jobId, 'status.json', { state: 'running', step: 4, total_steps: 10 });
    expect(await provider.status(jobId)).toMatchObject({ state: 'lost', progress: { step: 4 }, error: { message: expect.stringContaining('unknown to Slurm') } });
    writeFileSync(join(root, jobId, 'exit_code'), '2\n');
    expect(await provider.status(jobId)).toMatchObject({ state: 'failed', error: { type: 'InvalidInput' } });

    // A resubmit of a failed job is a new sbatch; the old verdict goes to attempts/1.
    set('next_id', '102');
    const again = await provider.submit({ name: 'ends' });
    expect(again.existing).toBe(false);
    const rec = JSON.parse(readFileSync(join(again.jobDir, 'job.json'), 'utf8'));
    expect(rec).toMatchObject({ attempt: 2, slurmJobId: '102', history: [{ attempt: 1, providerJobId: '101', endedAs: 'failed' }] });
    expect(readFileSync(join(again.jobDir, 'attempts', '1', 'exit_code'), 'utf8')).toBe('2\n');
  });

  it('adopts a job found by name when job.json never got its id', async () => {
    const spec = { name: 'adopt' };
    const jobId = jobIdForSpec(spec);
    mkdirSync(join(root, jobId), { recursive: true });
    set('byname', '555 RUNNING\n');
    set('squeue.out', 'RUNNING\n');
    expect(await provider.submit(spec)).toMatchObject({ jobId, existing: true });
    expect(calls().some((c) => c.startsWith('sbatch'))).toBe(false);
    expect(calls()).toContain(`squeue -h -n labor-llm-${jobId} -o %i %T`);
    expect(await provider.status(jobId)).toMatchObject({ state: 'running', providerJobId: '555' });
  });

  it('cancels with scancel and waits until Slurm lets go', async () => {
    const { jobId } = await provider.submit({ name: 'cancel-me' });
    set('squeue.out', 'RUNNING\n');
    await provider.cancel(jobId);
    expect(calls()).toContain('scancel 101');
    expect((await provider.status(jobId)).state).toBe('cancelled');
    await provider.cancel(jobId); // no-op
    expect(calls().filter((c) => c.startsWith('scancel'))).toHaveLength(1);
  });

  it('reports a preempted job as lost/Preempted, by Slurm state or by the trainer\'s own status and exit code', async () => {
    const { jobId } = await provider.submit({ name: 'preempt' });
    const show = (state: string, exit = '0:0') => set('scontrol.out', `JobId=101 JobName=x\n   JobState=${state} Reason=None Dependency=(null)\n   ExitCode=${exit}\n`);
    show('PREEMPTED');
    expect(await provider.status(jobId)).toMatchObject({ state: 'lost', error: { type: 'Preempted' } });
    show('NODE_FAIL');
    expect(await provider.status(jobId)).toMatchObject({ state: 'lost', error: { type: 'Internal' } });
    writeJob(jobId, 'status.json', { state: 'preempted', step: 4, total_steps: 10 });
    expect(await provider.status(jobId)).toMatchObject({ state: 'lost', error: { type: 'Preempted' } }); // SIGTERM before the node died
    show('FAILED', '75:0');
    expect(await provider.status(jobId)).toMatchObject({ state: 'lost', progress: { step: 4 }, error: { type: 'Preempted', message: expect.stringContaining('step 4') } });
    rmSync(join(root, jobId, 'status.json'));
    writeFileSync(join(root, jobId, 'exit_code'), '75\n');
    expect(await provider.status(jobId)).toMatchObject({ state: 'lost', error: { type: 'Preempted' } });
  });

  it('abandons a stalled job: marker, scancel, lost (Stalled) even though Slurm says CANCELLED', async () => {
    const { jobId } = await provider.submit({ name: 'stall' });
    set('squeue.out', 'RUNNING\n');
    await provider.abandon(jobId, 'no progress for 1800s');
    expect(calls()).toContain('scancel 101');
    set('scontrol.out', 'JobId=101 JobName=x\n   JobState=CANCELLED Reason=None\n   ExitCode=0:15\n');
    expect(await provider.status(jobId)).toMatchObject({ state: 'lost', error: { type: 'Stalled', message: 'no progress for 1800s' } });
    set('next_id', '102');
    expect((await provider.submit({ name: 'stall' })).existing).toBe(false);
    expect(existsSync(join(root, jobId, 'abandoned'))).toBe(false); // archived with the attempt
    expect(existsSync(join(root, jobId, 'attempts', '1', 'abandoned'))).toBe(true);
  });

  it('writes the cancel request the trainer polls before scancel (a cancel reaches it on any node)', async () => {
    const { jobId } = await provider.submit({ name: 'cancel-file' });
    set('squeue.out', 'RUNNING\n');
    await provider.cancel(jobId);
    expect(JSON.parse(readFileSync(join(root, jobId, 'cancelled'), 'utf8'))).toMatchObject({ previousState: 'running' });
  });

  it('reports an unreachable controller as a ProviderError, and a missing sbatch clearly', async () => {
    const { jobId } = await provider.submit({ name: 'unreachable' });
    set('squeue.err', 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n');
    await expect(provider.status(jobId)).rejects.toThrow(ProviderError);
    await expect(provider.status(jobId)).rejects.toThrow(/Unable to contact slurm controller/);
    const noSlurm = new SlurmProvider({ jobsRoot: root, trainer: FAKE_TRAINER, binDir: '/nonexistent/bin' });
    await expect(noSlurm.submit({ name: 'no-slurm' })).rejects.toThrow(/bin\/(squeue|sbatch): not found.*slurm-dev\.sh start/);
  });
});
