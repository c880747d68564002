import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  JobNotFound, JobNotSucceeded, LocalProvider, type JobRecord, createProvider, jobIdForSpec,
} from '../../lib/finetune';
import { FAKE_TRAINER, FIXTURES, REPO_ROOT, pidRunning, runsOf, tempJobsRoot, waitUntil } from './helpers';

let root: string;
let cleanup: () => void;
let provider: LocalProvider;

beforeAll(() => {
  ({ root, cleanup } = tempJobsRoot());
  provider = new LocalProvider({ jobsRoot: root, trainer: FAKE_TRAINER, cancelGraceMs: 500 });
});

afterAll(() => {
  // Never leave a fake trainer behind, whatever a failed test left running.
  for (const name of existsSync(root) ? readdirSync(root) : []) {
    const rec = readJobRecord(join(root, name));
    if (rec?.pid) try { process.kill(-rec.pid, 'SIGKILL'); } catch { /* gone */ }
    const child = join(root, name, 'child.pid');
    if (existsSync(child)) try { process.kill(Number(readFileSync(child, 'utf8')), 'SIGKILL'); } catch { /* gone */ }
  }
  cleanup();
});

function readJobRecord(dir: string): JobRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

describe('local provider', () => {
  it('runs a job to success: pending/running with progress, then output and metrics', async () => {
    const spec = { name: 'ok', fake: { steps: 6, step_s: 0.1 } };
    const sub = await provider.submit(spec);
    expect(sub).toEqual({ jobId: jobIdForSpec(spec), jobDir: join(root, sub.jobId), existing: false });
    expect(sub.jobId).toMatch(/^ft-[0-9a-f]{16}$/);
    expect(JSON.parse(readFileSync(join(sub.jobDir, 'spec.json'), 'utf8'))).toEqual(spec);

    const seen = new Set<string>();
    const running = await waitUntil(provider, sub.jobId, (s) => (seen.add(s.state), s.state === 'running' && (s.progress?.step ?? 0) >= 2));
    expect(running.progress).toMatchObject({ total_steps: 6, epoch: expect.any(Number), loss: expect.any(Number), tokens_per_s: 1000 });
    expect(running.providerJobId).toBe(String(readJobRecord(sub.jobDir)!.pid));

    const done = await waitUntil(provider, sub.jobId);
    expect(done.state).toBe('succeeded');
    expect(done.progress?.step).toBe(6);
    expect([...seen].every((s) => s === 'pending' || s === 'running')).toBe(true);

    const result = await provider.result(sub.jobId);
    expect(result.modelDir).toBe(join(sub.jobDir, 'output'));
    expect(readFileSync(join(result.modelDir, 'model.txt'), 'utf8')).toBe('fake model\n');
    expect(result.metrics).toMatchObject({ steps: 6, resumed_from: 0 });
    // The wrapper records the exit code once the trainer process has exited.
    while (!existsSync(join(sub.jobDir, 'exit_code'))) await new Promise((r) => setTimeout(r, 20));
    expect(readFileSync(join(sub.jobDir, 'exit_code'), 'utf8').trim()).toBe('0');

    const logs = await provider.logs(sub.jobId, 3);
    expect(logs).toContain('done');
    expect(logs).toContain('step 6/6');

    // Resubmitting a finished job starts nothing.
    expect(await provider.submit({ fake: { step_s: 0.1, steps: 6 }, name: 'ok' })).toEqual({ ...sub, existing: true });
    expect(runsOf(sub.jobDir)).toHaveLength(1);
  }, 30_000);

  it('is idempotent under concurrent submits: one trainer process for one spec', async () => {
    const spec = { name: 'concurrent', fake: { steps: 10, step_s: 0.05 } };
    const second = new LocalProvider({ jobsRoot: root, trainer: FAKE_TRAINER }); // another "worker"
    const results = await Promise.all([provider.submit(spec), second.submit(spec), provider.submit({ ...spec }), second.submit(spec)]);
    expect(new Set(results.map((r) => r.jobId)).size).toBe(1);
    expect(results.filter((r) => !r.existing)).toHaveLength(1);
    expect((await waitUntil(provider, results[0].jobId)).state).toBe('succeeded');
    expect(runsOf(results[0].jobDir)).toHaveLength(1);
  }, 30_000);

  it('surfaces error.json type and message as a failed status; result() refuses', async () => {
    const spec = { name: 'oom', fake: { fail: { type: 'OutOfMemory', message: 'out of GPU memory: lower batch_size', exit: 1, at: 2 } } };
    const { jobId } = await provider.submit(spec);
    const st = await waitUntil(provider, jobId);
    expect(st.state).toBe('failed');
    expect(st.error).toEqual({ type: 'OutOfMemory', message: 'out of GPU memory: lower batch_size' });
    expect(st.progress?.step).toBe(2);
    await expect(provider.result(jobId)).rejects.toThrow(JobNotSucceeded);
    await expect(provider.result(jobId)).rejects.toThrow(/failed.*OutOfMemory: out of GPU memory/);

    // A resubmit after a failure is a new attempt in the same folder; the old verdict is archived.
    const again = await provider.submit(spec);
    expect(again.existing).toBe(false);
    expect((await waitUntil(provider, jobId)).state).toBe('failed');
    expect(runsOf(again.jobDir)).toHaveLength(2);
    expect(JSON.parse(readFileSync(join(again.jobDir, 'attempts', '1', 'error.json'), 'utf8')).type).toBe('OutOfMemory');
    const rec = readJobRecord(again.jobDir)!;
    expect(rec.attempt).toBe(2);
    expect(rec.history).toEqual([expect.objectContaining({ attempt: 1, endedAs: 'failed', error: expect.objectContaining({ type: 'OutOfMemory' }) })]);
  }, 30_000);

  it('reports a crash without error.json from the exit code, with the traceback', async () => {
    const crash = await provider.submit({ name: 'crash', fake: { crash_exit: 3 } });
    const st = await waitUntil(provider, crash.jobId);
    expect(st.state).toBe('failed');
    expect(st.error?.type).toBe('Internal');
    expect(st.error?.message).toMatch(/exited with code 3 without writing error\.json/);
    expect(st.error?.message).toContain('RuntimeError: fake crash');
    expect(await provider.logs(crash.jobId)).toContain('RuntimeError: fake crash');

    const invalid = await provider.submit({ name: 'crash2', fake: { crash_exit: 2 } });
    expect((await waitUntil(provider, invalid.jobId)).error?.type).toBe('InvalidInput');
  }, 30_000);

  it('detects a killed process group as lost; a resubmit resumes from the checkpoint', async () => {
    const spec = { name: 'lost', fake: { steps: 30, step_s: 0.05 } };
    const sub = await provider.submit(spec);
    await waitUntil(provider, sub.jobId, (s) => (s.progress?.step ?? 0) >= 4);
    const { pid } = readJobRecord(sub.jobDir)!;
    process.kill(-pid!, 'SIGKILL'); // the whole group at once, as a machine crash would
    const lost = await waitUntil(provider, sub.jobId);
    expect(lost.state).toBe('lost');
    expect(lost.error?.message).toMatch(/gone without a final status/);
    const stepAtLoss = lost.progress!.step;

    const again = await provider.submit(spec);
    expect(again).toEqual({ ...sub, existing: false });
    expect((await waitUntil(provider, sub.jobId)).state).toBe('succeeded');
    const runs = runsOf(sub.jobDir);
    expect(runs).toHaveLength(2);
    expect(runs[1].start).toBeGreaterThanOrEqual(stepAtLoss);
    expect((await provider.result(sub.jobId)).metrics.resumed_from).toBe(runs[1].start);
    expect(readJobRecord(sub.jobDir)!.history[0]).toMatchObject({ attempt: 1, endedAs: 'lost' });
  }, 30_000);

  it('cancel terminates the whole process group, escalating to SIGKILL', async () => {
    const spec = { name: 'cancel', fake: { steps: 10_000, step_s: 0.05, ignore_term: true, child: true } };
    const sub = await provider.submit(spec);
    await waitUntil(provider, sub.jobId, (s) => s.state === 'running' && existsSync(join(sub.jobDir, 'child.pid')));
    const trainerPid = runsOf(sub.jobDir)[0].pid;
    const childPid = Number(readFileSync(join(sub.jobDir, 'child.pid'), 'utf8'));
    expect(pidRunning(trainerPid) && pidRunning(childPid)).toBe(true);

    const t0 = Date.now();
    await provider.cancel(sub.jobId);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450); // the trainer ignored SIGTERM: grace, then SIGKILL
    expect(pidRunning(trainerPid)).toBe(false);
    expect(pidRunning(childPid)).toBe(false);
    expect((await provider.status(sub.jobId)).state).toBe('cancelled');
    await provider.cancel(sub.jobId); // no-op

    // A resubmit after cancel starts again (and is cancelled quickly: SIGTERM is enough now).
    const polite = await provider.submit({ name: 'cancel-polite', fake: { steps: 10_000, step_s: 0.05 } });
    await waitUntil(provider, polite.jobId, (s) => s.state === 'running');
    const t1 = Date.now();
    await provider.cancel(polite.jobId);
    expect(Date.now() - t1).toBeLessThan(450);
    expect((await provider.status(polite.jobId)).state).toBe('cancelled');
    const restarted = await provider.submit({ name: 'cancel-polite', fake: { steps: 10_000, step_s: 0.05 } });
    expect(restarted.existing).toBe(false);
    expect((await waitUntil(provider, polite.jobId, (s) => s.state === 'running')).state).toBe('running');
    await provider.cancel(polite.jobId);
    expect(runsOf(polite.jobDir)).toHaveLength(2);
  }, 30_000);

  it('SIGTERM (preemption, a reboot) is reported as lost/Preempted; a resubmit resumes from the checkpoint', async () => {
    const spec = { name: 'preempted', fake: { steps: 30, step_s: 0.05 } };
    const sub = await provider.submit(spec);
    await waitUntil(provider, sub.jobId, (s) => (s.progress?.step ?? 0) >= 4);
    process.kill(runsOf(sub.jobDir)[0].pid, 'SIGTERM'); // the trainer only, as Slurm or init would
    const stopped = await waitUntil(provider, sub.jobId);
    expect(stopped.state).toBe('lost');
    expect(stopped.error?.type).toBe('Preempted');
    expect(readFileSync(join(sub.jobDir, 'exit_code'), 'utf8').trim()).toBe('75');
    expect(JSON.parse(readFileSync(join(sub.jobDir, 'status.json'), 'utf8')).state).toBe('preempted');

    expect((await provider.submit(spec)).existing).toBe(false);
    expect((await waitUntil(provider, sub.jobId)).state).toBe('succeeded');
    const runs = runsOf(sub.jobDir);
    expect(runs).toHaveLength(2);
    expect(runs[1].start).toBe(stopped.progress!.step);
    expect(readJobRecord(sub.jobDir)!.history[0]).toMatchObject({ endedAs: 'lost', error: { type: 'Preempted' } });
  }, 30_000);

  it('cancel from another host: no pid to signal, the trainer reads the cancel request and stops', async () => {
    const sub = await provider.submit({ name: 'remote-cancel', fake: { steps: 10_000, step_s: 0.05 } });
    await waitUntil(provider, sub.jobId, (s) => (s.progress?.step ?? 0) >= 2);
    const record = readJobRecord(sub.jobDir)!;
    writeFileSync(join(sub.jobDir, 'job.json'), JSON.stringify({ ...record, host: 'another-host' })); // its pid means nothing here
    const trainerPid = runsOf(sub.jobDir)[0].pid;
    await provider.cancel(sub.jobId);
    expect((await provider.status(sub.jobId)).state).toBe('cancelled');
    for (const until = Date.now() + 10_000; pidRunning(trainerPid) && Date.now() < until;) await new Promise((r) => setTimeout(r, 50));
    expect(pidRunning(trainerPid)).toBe(false);
    expect(JSON.parse(readFileSync(join(sub.jobDir, 'status.json'), 'utf8')).state).toBe('cancelled');
    expect(readFileSync(join(sub.jobDir, 'train.log'), 'utf8')).toMatch(/stopped at step \d+ \(cancel request\)/);
  }, 30_000);

  it('abandon stops a stalled job and marks it lost (Stalled); a resubmit resumes from the checkpoint', async () => {
    const spec = { name: 'stalled', fake: { steps: 6, step_s: 0.05, stall: { at: 3 } } };
    const sub = await provider.submit(spec);
    await waitUntil(provider, sub.jobId, (s) => s.progress?.step === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect((await provider.status(sub.jobId)).progress?.step).toBe(2); // hung: running, no progress
    await provider.abandon(sub.jobId, 'no progress for 300 ms');
    const lost = await provider.status(sub.jobId);
    expect(lost).toMatchObject({ state: 'lost', error: { type: 'Stalled', message: 'no progress for 300 ms' } });
    expect(pidRunning(runsOf(sub.jobDir)[0].pid)).toBe(false);

    expect((await provider.submit(spec)).existing).toBe(false);
    expect((await waitUntil(provider, sub.jobId)).state).toBe('succeeded');
    expect(runsOf(sub.jobDir).map((r) => r.start)).toEqual([0, 2]);
    expect(readJobRecord(sub.jobDir)!.history[0]).toMatchObject({ endedAs: 'lost', error: { type: 'Stalled' } });
    await provider.abandon(sub.jobId, 'too late'); // a finished job is left alone
    expect((await provider.status(sub.jobId)).state).toBe('succeeded');
  }, 30_000);

  it('a fresh token trains a new job for the same spec; the same token stays idempotent', async () => {
    const spec = { name: 'fresh', fake: { steps: 2, step_s: 0.01 } };
    const plain = await provider.submit(spec);
    const forced = await provider.submit(spec, { fresh: 'run-2' });
    expect(forced.jobId).not.toBe(plain.jobId);
    expect(forced.jobId).toBe(jobIdForSpec(spec, 'run-2'));
    expect(forced.existing).toBe(false);
    expect(await provider.submit(spec, { fresh: 'run-2' })).toEqual({ ...forced, existing: true });
    expect((await waitUntil(provider, forced.jobId)).state).toBe('succeeded');
    expect(readJobRecord(forced.jobDir)!.fresh).toBe('run-2');
    expect(JSON.parse(readFileSync(join(forced.jobDir, 'spec.json'), 'utf8'))).toEqual(spec); // the trainer sees the same spec
    await expect(provider.cancel('ft-0000000000000000')).rejects.toThrow(JobNotFound);
  }, 30_000);

  it('the detached trainer survives the death of the process that submitted it', async () => {
    const spec = { name: 'detached', fake: { steps: 20, step_s: 0.05 } };
    const child = spawn(process.execPath, ['--import', 'tsx', join(FIXTURES, 'submit-detached.ts'), root, JSON.stringify(FAKE_TRAINER), JSON.stringify(spec)], {
      cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`submitter exited early (code ${code})`)));
    });
    const sub = JSON.parse(line);
    expect(sub.existing).toBe(false);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(['pending', 'running']).toContain((await provider.status(sub.jobId)).state);
    expect((await waitUntil(provider, sub.jobId)).state).toBe('succeeded');
    expect(runsOf(sub.jobDir)).toHaveLength(1);
  }, 30_000);

  it('breaks a submit lock left by a dead process', async () => {
    const spec = { name: 'stale-lock', fake: { steps: 1, step_s: 0.01 } };
    const dir = join(root, jobIdForSpec(spec));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.submit.lock'), JSON.stringify({ pid: 999_999_9, host: (await import('node:os')).hostname(), token: 'x', at: '' }));
    const sub = await provider.submit(spec);
    expect(sub.existing).toBe(false);
    expect((await waitUntil(provider, sub.jobId)).state).toBe('succeeded');
    expect(existsSync(join(dir, '.submit.lock'))).toBe(false);
  }, 30_000);

  it('rejects unknown and malformed job ids, bad specs and unknown providers', async () => {
    await expect(provider.status('ft-0000000000000000')).rejects.toThrow(JobNotFound);
    await expect(provider.status('../etc')).rejects.toThrow(/expected ft- followed by 16 hex digits/);
    await expect(provider.submit({ x: Number.NaN })).rejects.toThrow(/training spec: .*\$\.x is NaN/);
    expect(() => createProvider('slurmm', { jobsRoot: root, trainer: FAKE_TRAINER })).toThrow(/did you mean "slurm"\?/);
    expect(() => createProvider('k8s', { jobsRoot: root, trainer: FAKE_TRAINER })).toThrow(/known: local, slurm/);
    expect(() => createProvider('local', { jobsRoot: root, trainer: { python: '/nope/python', trainerPath: '/nope' } }))
      .toThrow(/python: \/nope\/python does not exist[\s\S]*trainerPath: \/nope does not exist/);
    expect(createProvider('local', { jobsRoot: root, trainer: FAKE_TRAINER }).name).toBe('local');
  });
});
