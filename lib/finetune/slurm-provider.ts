/**
 * Runs the trainer as a Slurm batch job. The job folder must be on storage that the compute
 * nodes share with the submitting host. Slurm only knows jobs for a while (MinJobAge) and
 * sacct is often unconfigured, so the verdict combines squeue, then `scontrol show job`, then
 * the files the trainer and the batch script leave in the folder.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeFileAtomic, writeJsonAtomic } from '../artifacts/atomic';
import { InvalidConfig } from '../errors';
import {
  type JobProvider, type JobResult, type JobState, type JobStatus, type SubmitOptions, type SubmitResult, type TrainingSpec,
  assertJobId, jobIdForSpec, JobNotFound, ProviderError,
} from './job';
import {
  JOB_FILES, type JobRecord, archiveAttempt, markerVerdict, primaryLog, progressOf, readRecord, readTrainerFiles, resultOf,
  tailFile, tailLogs, terminalFromFiles, writeRecord, writeSpec,
} from './job-dir';
import { type LockOptions, withSubmitLock } from './submit-lock';
import { type TrainerCommand, checkTrainerCommand, pythonPathOf, shellQuote, trainerArgv, trainerEnv } from './trainer-command';

/** Resources and setup of the batch job (the `slurm:` block of a finetune step). */
export interface SlurmJobOptions {
  partition?: string;
  /** GPUs per job: adds --gres=gpu:N when > 0. */
  gpus?: number;
  /** --time, e.g. "04:00:00" or "2-00:00:00". */
  time?: string;
  /** --mem, e.g. "32G". */
  mem?: string;
  cpusPerTask?: number;
  /** More sbatch options, each a whole option such as "--account=lab" or "--constraint=a100". */
  extraSbatchArgs?: string[];
  /** Shell lines run before the trainer (module load, conda activate, ...). */
  setup?: string[];
  /** Folder holding sbatch/squeue/scontrol/scancel when they are not on PATH. */
  binDir?: string;
  /** How long cancel() waits for Slurm to take the job off the run queue (default 60 s). */
  cancelWaitMs?: number;
}

export interface SlurmProviderOptions extends SlurmJobOptions {
  /** Folder that holds one sub-folder per job; must be visible from the compute nodes. */
  jobsRoot: string;
  trainer: TrainerCommand;
  lock?: LockOptions;
}

export const SBATCH_FILE = 'job.sbatch';
export const JOB_NAME_PREFIX = 'labor-llm-';

/** Slurm job states grouped by what they mean for us. */
type SlurmClass = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'timeout' | 'oom' | 'lost';
const SLURM_STATES: Record<string, SlurmClass> = {
  PENDING: 'pending', CONFIGURING: 'pending', REQUEUED: 'pending', REQUEUE_FED: 'pending',
  REQUEUE_HOLD: 'pending', RESV_DEL_HOLD: 'pending', SUSPENDED: 'running', STOPPED: 'running',
  RUNNING: 'running', COMPLETING: 'running', SIGNALING: 'running', STAGE_OUT: 'running',
  RESIZING: 'running', COMPLETED: 'completed', FAILED: 'failed', SPECIAL_EXIT: 'failed',
  CANCELLED: 'cancelled', TIMEOUT: 'timeout', DEADLINE: 'timeout', OUT_OF_MEMORY: 'oom',
  NODE_FAIL: 'lost', PREEMPTED: 'lost', BOOT_FAIL: 'lost', REVOKED: 'lost',
};

/** What Slurm says about a job id, or undefined once it has forgotten it. */
interface SlurmView {
  state: string;
  cls: SlurmClass;
  exitCode?: string;
  reason?: string;
}

export class SlurmProvider implements JobProvider {
  readonly name = 'slurm';
  readonly jobsRoot: string;
  private readonly trainer: TrainerCommand;

  constructor(private readonly options: SlurmProviderOptions) {
    this.jobsRoot = resolve(options.jobsRoot);
    this.trainer = checkTrainerCommand(options.trainer, 'slurm provider trainer');
    const problems: string[] = [];
    // #SBATCH lines cannot quote, and --output expands '%'.
    if (/[\s%'"\\$`]/.test(this.jobsRoot)) problems.push(`jobsRoot: ${JSON.stringify(this.jobsRoot)} contains whitespace, quotes or '%', which #SBATCH lines cannot carry`);
    if (options.gpus !== undefined && !(Number.isInteger(options.gpus) && options.gpus >= 0)) problems.push(`gpus: expected a whole number >= 0, found ${options.gpus}`);
    if (options.cpusPerTask !== undefined && !(Number.isInteger(options.cpusPerTask) && options.cpusPerTask >= 1)) problems.push(`cpusPerTask: expected a whole number >= 1, found ${options.cpusPerTask}`);
    for (const [key, value] of [['partition', options.partition], ['time', options.time], ['mem', options.mem]] as const) {
      if (value !== undefined && !/^[A-Za-z0-9_.:,+-]+$/.test(value)) problems.push(`${key}: ${JSON.stringify(value)} is not a valid sbatch value`);
    }
    for (const [i, arg] of (options.extraSbatchArgs ?? []).entries()) {
      if (!arg.startsWith('-') || /[\n\r]/.test(arg)) problems.push(`extraSbatchArgs[${i}]: expected one sbatch option like "--account=lab", found ${JSON.stringify(arg)}`);
    }
    for (const [i, line] of (options.setup ?? []).entries()) {
      if (/[\n\r]/.test(line)) problems.push(`setup[${i}]: expected one shell line, found a line break`);
    }
    if (problems.length) throw new InvalidConfig('invalid slurm provider options', problems);
  }

  jobDir(jobId: string): string {
    assertJobId(jobId);
    return join(this.jobsRoot, jobId);
  }

  jobName(jobId: string): string {
    return JOB_NAME_PREFIX + jobId;
  }

  /** The batch script for one attempt (pure, for tests and `labor-llm` dry runs). */
  sbatchScript(jobId: string, attempt: number): string {
    const dir = this.jobDir(jobId);
    const o = this.options;
    const directives = [
      `--job-name=${this.jobName(jobId)}`,
      `--output=${dir}/slurm-%j.out`,
      `--chdir=${dir}`,
      ...(o.partition ? [`--partition=${o.partition}`] : []),
      ...(o.gpus ? [`--gres=gpu:${o.gpus}`] : []),
      ...(o.time ? [`--time=${o.time}`] : []),
      ...(o.mem ? [`--mem=${o.mem}`] : []),
      ...(o.cpusPerTask ? [`--cpus-per-task=${o.cpusPerTask}`] : []),
      ...(o.extraSbatchArgs ?? []),
    ];
    const env = trainerEnv(this.trainer);
    const argv = trainerArgv(this.trainer, dir);
    return [
      '#!/bin/bash',
      ...directives.map((d) => `#SBATCH ${d}`),
      `# Written by labor-llm (lib/finetune/slurm-provider.ts): fine-tuning job ${jobId}, attempt ${attempt}.`,
      `# Resubmitting this script by hand resumes the trainer from ${JOB_FILES.checkpoints}/.`,
      'set -u',
      `cd ${shellQuote(dir)}`,
      ...(o.setup?.length ? ['# setup', ...o.setup] : []),
      `export PYTHONPATH=${shellQuote(pythonPathOf(this.trainer))}\${PYTHONPATH:+:$PYTHONPATH}`,
      ...Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
      `rm -f ${JOB_FILES.exitCode}`,
      '# Trap (not ignore) TERM so the script outlives the trainer long enough to record its exit code.',
      `trap ':' TERM INT HUP`,
      argv.map(shellQuote).join(' '),
      'code=$?',
      `printf '%s\\n' "$code" > ${JOB_FILES.exitCode}.tmp && mv -f ${JOB_FILES.exitCode}.tmp ${JOB_FILES.exitCode}`,
      'exit "$code"',
      '',
    ].join('\n');
  }

  async submit(spec: TrainingSpec, options: SubmitOptions = {}): Promise<SubmitResult> {
    const jobId = jobIdForSpec(spec, options.fresh);
    const fresh = options.fresh !== undefined ? { fresh: options.fresh } : {};
    for (const [k] of Object.entries(this.trainer.env ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new InvalidConfig(`slurm provider trainer.env: ${JSON.stringify(k)} is not a variable name`);
    }
    const dir = this.jobDir(jobId);
    mkdirSync(dir, { recursive: true });
    return withSubmitLock(join(dir, JOB_FILES.lock), async () => {
      writeSpec(dir, jobId, spec);
      let record = readRecord(dir);
      const history = record?.history ?? [];
      let attempt = 1;
      if (record) {
        const current = await this.statusOf(dir, jobId, record);
        if (current.state === 'pending' || current.state === 'running' || current.state === 'succeeded') {
          return { jobId, jobDir: dir, existing: true };
        }
        record = readRecord(dir)!; // statusOf may have adopted a job id found by name
        history.push({
          attempt: record.attempt, startedAt: record.startedAt, providerJobId: record.slurmJobId,
          endedAs: current.state, ...(current.error ? { error: current.error } : {}),
        });
        archiveAttempt(dir, record.attempt);
        attempt = record.attempt + 1;
      } else {
        // An sbatch whose id never reached job.json (submitting process died) is found by name.
        const found = await this.activeByName(jobId);
        if (found) {
          writeRecord(dir, { provider: this.name, jobId, host: hostname(), attempt, startedAt: new Date().toISOString(), providerJobId: found, slurmJobId: found, history, ...fresh });
          return { jobId, jobDir: dir, existing: true };
        }
        archiveAttempt(dir, 0);
      }
      const startedAt = new Date().toISOString();
      writeFileAtomic(join(dir, SBATCH_FILE), this.sbatchScript(jobId, attempt));
      // Record the attempt before sbatch: if we die in between, the name lookup finds the job.
      const base: JobRecord = { provider: this.name, jobId, host: hostname(), attempt, startedAt, history, ...fresh };
      writeRecord(dir, base);
      const out = await this.slurm('sbatch', ['--parsable', join(dir, SBATCH_FILE)]);
      if (out.code !== 0) {
        throw new ProviderError(`sbatch ${join(dir, SBATCH_FILE)} failed (exit ${out.code}): ${out.stderr.trim() || out.stdout.trim()}`);
      }
      const slurmJobId = out.stdout.trim().split(/[;\n]/)[0];
      if (!/^\d+(_\d+)?$/.test(slurmJobId)) throw new ProviderError(`sbatch --parsable printed ${JSON.stringify(out.stdout)}; expected a job id`);
      writeRecord(dir, { ...base, providerJobId: slurmJobId, slurmJobId });
      return { jobId, jobDir: dir, existing: false };
    }, this.options.lock);
  }

  async status(jobId: string): Promise<JobStatus> {
    const dir = this.jobDir(jobId);
    const record = readRecord(dir);
    if (!record) {
      if (!existsSync(join(dir, JOB_FILES.spec))) throw new JobNotFound(`fine-tuning job ${jobId}: no job folder at ${dir}`);
      return { state: 'lost', error: { type: 'Internal', message: `job ${jobId} has a spec but no job.json: its submit was interrupted` } };
    }
    return this.statusOf(dir, jobId, record);
  }

  private async statusOf(dir: string, jobId: string, record: JobRecord): Promise<JobStatus> {
    let slurmJobId = record.slurmJobId;
    if (!slurmJobId) {
      slurmJobId = await this.activeByName(jobId);
      if (slurmJobId) writeRecord(dir, { ...record, providerJobId: slurmJobId, slurmJobId });
    }
    const view = slurmJobId ? await this.query(slurmJobId) : undefined;
    const files = readTrainerFiles(dir);
    const progress = progressOf(files.status);
    const withMeta = (s: JobStatus): JobStatus => ({ ...s, ...(progress && !s.progress && { progress }), ...(slurmJobId && { providerJobId: slurmJobId }) });
    const logTail = () => (slurmJobId ? tailFile(join(dir, `slurm-${slurmJobId}.out`), 20) : '');
    const slurmSays = (what: string) => `Slurm job ${slurmJobId} ${what}${view?.exitCode ? ` (exit ${view.exitCode})` : ''}${view?.reason && view.reason !== 'None' ? `, reason ${view.reason}` : ''}`;

    if (files.status?.state === 'succeeded') return withMeta({ state: 'succeeded' });
    if (!view) {
      // Never submitted, or Slurm has forgotten it: the folder decides.
      const verdict = terminalFromFiles(files, logTail);
      if (verdict) return withMeta(verdict);
      return withMeta({ state: 'lost', error: { type: 'Internal', message: slurmJobId ? `${slurmSays('is unknown to Slurm')} and left no final status; resubmit to resume` : `job ${jobId} was never handed to sbatch; resubmit` } });
    }
    const marked = markerVerdict(files);
    if (marked) return withMeta(marked);
    if (view.cls === 'cancelled') return withMeta({ state: 'cancelled' });
    switch (view.cls) {
      case 'pending':
      case 'running':
        if (files.error || files.status?.state === 'failed') return withMeta(terminalFromFiles(files, logTail)!);
        return withMeta({ state: view.cls });
      case 'timeout':
        return withMeta({ state: 'failed', error: { type: 'TimeLimit', message: `${slurmSays(`hit its time limit (${view.state})`)}; resubmit to resume from the last checkpoint, or raise the time option` } });
      case 'oom':
        return withMeta({ state: 'failed', error: files.error ?? { type: 'OutOfMemory', message: slurmSays('ran out of memory') } });
      case 'lost': {
        // A preempted trainer saved a checkpoint and said so; NODE_FAIL and the like did not.
        const preempted = view.state === 'PREEMPTED' || files.status?.state === 'preempted';
        return withMeta({ state: 'lost', error: { type: preempted ? 'Preempted' : 'Internal', message: `${slurmSays(`ended as ${view.state}`)}; resubmit to resume` } });
      }
      case 'completed':
      case 'failed': {
        const verdict = terminalFromFiles(files, logTail);
        if (verdict) return withMeta(verdict);
        const tail = logTail().trim();
        return withMeta({ state: 'failed', error: { type: 'Internal', message: `${slurmSays(`ended as ${view.state}`)} without a final trainer status${tail ? `; last log lines:\n${tail}` : ''}` } });
      }
    }
  }

  /** squeue first (cheap), then scontrol for jobs squeue no longer lists; undefined if Slurm forgot the job. */
  private async query(slurmJobId: string): Promise<SlurmView | undefined> {
    const q = await this.slurm('squeue', ['-h', '-j', slurmJobId, '-o', '%T']);
    if (q.code === 0 && q.stdout.trim()) return classify(q.stdout.trim().split('\n')[0].trim());
    if (q.code !== 0 && !/invalid job id/i.test(q.stderr)) {
      throw new ProviderError(`squeue -j ${slurmJobId} failed (exit ${q.code}): ${q.stderr.trim()}`);
    }
    const s = await this.slurm('scontrol', ['show', 'job', slurmJobId]);
    if (s.code !== 0) {
      if (/invalid job id/i.test(s.stderr)) return undefined;
      throw new ProviderError(`scontrol show job ${slurmJobId} failed (exit ${s.code}): ${s.stderr.trim()}`);
    }
    const state = /\bJobState=(\S+)/.exec(s.stdout)?.[1];
    if (!state) return undefined;
    return { ...classify(state), exitCode: /\bExitCode=(\S+)/.exec(s.stdout)?.[1], reason: /\bReason=(\S+)/.exec(s.stdout)?.[1] };
  }

  private async activeByName(jobId: string): Promise<string | undefined> {
    const q = await this.slurm('squeue', ['-h', '-n', this.jobName(jobId), '-o', '%i %T']);
    if (q.code !== 0) throw new ProviderError(`squeue -n ${this.jobName(jobId)} failed (exit ${q.code}): ${q.stderr.trim()}`);
    for (const line of q.stdout.trim().split('\n')) {
      const [id, state] = line.trim().split(/\s+/);
      if (id && state && ['pending', 'running'].includes(classify(state).cls)) return id;
    }
    return undefined;
  }

  async cancel(jobId: string): Promise<void> {
    await this.stop(jobId, JOB_FILES.cancelled, {}, ['succeeded', 'failed', 'cancelled']);
  }

  async abandon(jobId: string, reason: string): Promise<void> {
    await this.stop(jobId, JOB_FILES.abandoned, { reason }, ['succeeded', 'failed', 'cancelled', 'lost']);
  }

  /** Writes `marker` (the trainer also reads the cancel marker), then scancels and waits. */
  private async stop(jobId: string, marker: string, detail: Record<string, string>, ended: JobState[]): Promise<void> {
    const dir = this.jobDir(jobId);
    if (!existsSync(dir)) throw new JobNotFound(`fine-tuning job ${jobId}: no job folder at ${dir}`);
    await withSubmitLock(join(dir, JOB_FILES.lock), async () => {
      const at = new Date().toISOString();
      const record = readRecord(dir);
      if (!record) {
        const current = await this.status(jobId); // throws JobNotFound for an unknown job
        if (!ended.includes(current.state)) writeJsonAtomic(join(dir, marker), { at, host: hostname(), ...detail });
        return;
      }
      const current = await this.statusOf(dir, jobId, record);
      if (ended.includes(current.state)) return;
      writeJsonAtomic(join(dir, marker), { at, host: hostname(), previousState: current.state, ...detail });
      const slurmJobId = readRecord(dir)?.slurmJobId;
      if (!slurmJobId) return;
      const out = await this.slurm('scancel', [slurmJobId]);
      if (out.code !== 0 && !/already completing or completed|invalid job id/i.test(out.stderr)) {
        throw new ProviderError(`scancel ${slurmJobId} failed (exit ${out.code}): ${out.stderr.trim()}`);
      }
      // Wait until Slurm has stopped it, so that a resubmit right after cannot overlap it.
      const deadline = Date.now() + (this.options.cancelWaitMs ?? 60_000);
      for (;;) {
        const view = await this.query(slurmJobId);
        if (!view || (view.cls !== 'running' && view.cls !== 'pending')) return;
        if (Date.now() > deadline) throw new ProviderError(`Slurm job ${slurmJobId} is still ${view.state} ${this.options.cancelWaitMs ?? 60_000} ms after scancel`);
        await sleep(200);
      }
    }, this.options.lock);
  }

  async logs(jobId: string, tailLines = 100): Promise<string> {
    const dir = this.jobDir(jobId);
    const record = readRecord(dir);
    if (!record && !existsSync(dir)) throw new JobNotFound(`fine-tuning job ${jobId}: no job folder at ${dir}`);
    return tailLogs(dir, primaryLog(dir), record?.slurmJobId ? `slurm-${record.slurmJobId}.out` : undefined, tailLines);
  }

  async result(jobId: string): Promise<JobResult> {
    return resultOf(this.jobDir(jobId), jobId, await this.status(jobId));
  }

  private slurm(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const file = this.options.binDir ? join(this.options.binDir, command) : command;
    return new Promise((resolvePromise, reject) => {
      execFile(file, args, { timeout: 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new ProviderError(`${file}: not found. Install Slurm's client commands (or start a dev cluster: bash scripts/slurm-dev.sh start), set the slurm provider's binDir, or use the local provider`));
          return;
        }
        if (err && typeof (err as { code?: unknown }).code !== 'number') {
          reject(new ProviderError(`${file} ${args.join(' ')}: ${err.message}`));
          return;
        }
        resolvePromise({ code: err ? Number((err as { code?: unknown }).code) : 0, stdout, stderr });
      });
    });
  }
}

function classify(state: string): SlurmView {
  const name = state.replace(/[+\s].*$/, '').toUpperCase();
  return { state: name, cls: SLURM_STATES[name] ?? 'running' };
}
