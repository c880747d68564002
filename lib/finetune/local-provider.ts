/**
 * Runs the trainer as a detached process group on this machine. The process outlives the
 * worker that started it; job.json records the group leader's pid and start time, so a later
 * status() (from any process) can tell "still running" from "gone" without being fooled by a
 * reused pid. A small wrapper shell records the trainer's exit code in DIR/exit_code.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeJsonAtomic } from '../artifacts/atomic';
import {
  type JobProvider, type JobResult, type JobState, type JobStatus, type SubmitOptions, type SubmitResult, type TrainingSpec,
  assertJobId, jobIdForSpec, JobNotFound, ProviderError,
} from './job';
import {
  JOB_FILES, type JobRecord, archiveAttempt, markerVerdict, primaryLog, progressOf, readRecord, readTrainerFiles, resultOf,
  tailFile, tailLogs, terminalFromFiles, writeRecord, writeSpec,
} from './job-dir';
import { jobAlive, readProcStat } from './process-info';
import { type LockOptions, withSubmitLock } from './submit-lock';
import { type TrainerCommand, checkTrainerCommand, pythonPathOf, trainerArgv, trainerEnv } from './trainer-command';

export interface LocalProviderOptions {
  /** Folder that holds one sub-folder per job. */
  jobsRoot: string;
  trainer: TrainerCommand;
  /** Time between SIGTERM and SIGKILL on cancel (default 30 s, as Slurm's KillWait): the trainer finishes its step and saves a checkpoint. */
  cancelGraceMs?: number;
  lock?: LockOptions;
}

/** stdout and stderr of the trainer process (tracebacks that never reach train.log). */
export const PROCESS_LOG = 'process.log';

/**
 * Runs "$@" and writes its exit code to ./exit_code. Trapping (not ignoring) TERM keeps the
 * shell alive until the trainer has exited, while the trainer still gets default handlers.
 */
const WRAPPER = [
  `trap ':' TERM INT HUP`,
  `"$@"`,
  `code=$?`,
  `printf '%s\\n' "$code" > ${JOB_FILES.exitCode}.tmp && mv -f ${JOB_FILES.exitCode}.tmp ${JOB_FILES.exitCode}`,
  `exit "$code"`,
].join('\n');

export class LocalProvider implements JobProvider {
  readonly name = 'local';
  readonly jobsRoot: string;
  private readonly trainer: TrainerCommand;
  private readonly graceMs: number;

  constructor(private readonly options: LocalProviderOptions) {
    this.jobsRoot = resolve(options.jobsRoot);
    this.trainer = checkTrainerCommand(options.trainer, 'local provider trainer');
    this.graceMs = options.cancelGraceMs ?? 30_000;
  }

  jobDir(jobId: string): string {
    assertJobId(jobId);
    return join(this.jobsRoot, jobId);
  }

  async submit(spec: TrainingSpec, options: SubmitOptions = {}): Promise<SubmitResult> {
    const jobId = jobIdForSpec(spec, options.fresh);
    const dir = this.jobDir(jobId);
    mkdirSync(dir, { recursive: true });
    return withSubmitLock(join(dir, JOB_FILES.lock), async () => {
      writeSpec(dir, jobId, spec);
      const record = readRecord(dir);
      let attempt = 1;
      const history = record?.history ?? [];
      if (record) {
        const current = this.statusOf(dir, record);
        if (current.state === 'pending' || current.state === 'running' || current.state === 'succeeded') {
          return { jobId, jobDir: dir, existing: true };
        }
        // Never two trainers in one folder: a failing or cancelled one may still be exiting.
        await this.stopGroup(record);
        history.push({
          attempt: record.attempt, startedAt: record.startedAt, providerJobId: record.providerJobId,
          endedAs: current.state, ...(current.error ? { error: current.error } : {}),
        });
        archiveAttempt(dir, record.attempt);
        attempt = record.attempt + 1;
      } else {
        archiveAttempt(dir, 0); // verdict files of an unrecorded run (an interrupted submit)
      }
      this.start(dir, jobId, attempt, history, options.fresh);
      return { jobId, jobDir: dir, existing: false };
    }, this.options.lock);
  }

  private start(dir: string, jobId: string, attempt: number, history: JobRecord['history'], fresh: string | undefined): void {
    const argv = trainerArgv(this.trainer, dir);
    const env: Record<string, string> = { ...(process.env as Record<string, string>), ...trainerEnv(this.trainer) };
    env.PYTHONPATH = pythonPathOf(this.trainer, process.env.PYTHONPATH);
    const startedAt = new Date().toISOString();
    const logFd = openSync(join(dir, PROCESS_LOG), 'a');
    let pid: number | undefined;
    try {
      writeSync(logFd, `=== labor-llm: ${jobId} attempt ${attempt} started ${startedAt} on ${hostname()}: ${argv.join(' ')}\n`);
      const child = spawn('/bin/sh', ['-c', WRAPPER, 'labor-llm-trainer', ...argv], {
        cwd: dir, env, detached: true, stdio: ['ignore', logFd, logFd],
      });
      child.on('error', () => { /* reported through the missing pid below, or the exit code */ });
      child.unref();
      pid = child.pid;
    } finally {
      closeSync(logFd);
    }
    if (pid === undefined) throw new ProviderError(`could not start /bin/sh for job ${jobId} in ${dir}`);
    writeRecord(dir, {
      provider: this.name, jobId, host: hostname(), attempt, startedAt, providerJobId: String(pid),
      pid, pgid: pid, startTime: readProcStat(pid)?.startTime, command: argv, history, ...(fresh !== undefined && { fresh }),
    });
  }

  async status(jobId: string): Promise<JobStatus> {
    const dir = this.jobDir(jobId);
    const record = readRecord(dir);
    if (!record) return this.unrecorded(dir, jobId);
    return this.statusOf(dir, record);
  }

  private unrecorded(dir: string, jobId: string): JobStatus {
    if (!existsSync(join(dir, JOB_FILES.spec))) {
      throw new JobNotFound(`fine-tuning job ${jobId}: no job folder at ${dir}`);
    }
    return { state: 'lost', error: { type: 'Internal', message: `job ${jobId} has a spec but no job.json: its submit was interrupted before the trainer started` } };
  }

  private statusOf(dir: string, record: JobRecord): JobStatus {
    const files = readTrainerFiles(dir);
    const providerJobId = record.providerJobId;
    const logTail = () => tailFile(join(dir, PROCESS_LOG), 20);
    const onThisHost = record.host === hostname();
    const alive = onThisHost && record.pid !== undefined ? jobAlive(record.pid, record.startTime) : undefined;
    if (alive !== false) {
      // Running (or on another host, where only the files can speak).
      const progress = progressOf(files.status);
      if (files.status?.state === 'succeeded') return { state: 'succeeded', ...(progress && { progress }), providerJobId };
      const marked = markerVerdict(files);
      if (marked) return { ...marked, ...(progress && { progress }), providerJobId };
      if (files.error || files.status?.state === 'failed' || (alive === undefined && files.exitCode !== undefined)) {
        return { ...terminalFromFiles(files, logTail)!, providerJobId };
      }
      return { state: files.status ? 'running' : 'pending', ...(progress && { progress }), providerJobId };
    }
    const verdict = terminalFromFiles(files, logTail);
    if (verdict) return { ...verdict, providerJobId };
    const progress = progressOf(files.status);
    return {
      state: 'lost',
      ...(progress && { progress }),
      error: { type: 'Internal', message: `trainer process group ${record.pid} is gone without a final status (killed with its group, or the machine restarted); resubmit to resume from the last checkpoint` },
      providerJobId,
    };
  }

  async cancel(jobId: string): Promise<void> {
    await this.stop(jobId, JOB_FILES.cancelled, {}, ['succeeded', 'failed', 'cancelled']);
  }

  async abandon(jobId: string, reason: string): Promise<void> {
    await this.stop(jobId, JOB_FILES.abandoned, { reason }, ['succeeded', 'failed', 'cancelled', 'lost']);
  }

  /**
   * Writes `marker` (unless the job is in one of the `ended` states), then stops the process
   * group if it runs on this host; on another host the trainer sees the cancel marker itself.
   */
  private async stop(jobId: string, marker: string, detail: Record<string, string>, ended: JobState[]): Promise<void> {
    const dir = this.jobDir(jobId);
    if (!existsSync(dir)) throw new JobNotFound(`fine-tuning job ${jobId}: no job folder at ${dir}`);
    await withSubmitLock(join(dir, JOB_FILES.lock), async () => {
      const at = new Date().toISOString();
      const record = readRecord(dir);
      if (!record) {
        const current = this.unrecorded(dir, jobId); // throws JobNotFound for an unknown job
        if (!ended.includes(current.state)) writeJsonAtomic(join(dir, marker), { at, host: hostname(), ...detail });
        return;
      }
      const current = this.statusOf(dir, record);
      if (!ended.includes(current.state)) {
        writeJsonAtomic(join(dir, marker), { at, host: hostname(), previousState: current.state, ...detail });
      }
      await this.stopGroup(record); // also a failed or cancelled trainer that may still be exiting
    }, this.options.lock);
  }

  /** SIGTERM to the group, SIGKILL after the grace period; returns once nothing of it is left. */
  private async stopGroup(record: JobRecord): Promise<void> {
    const { pid, startTime } = record;
    if (pid === undefined || record.host !== hostname() || !jobAlive(pid, startTime)) return;
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + this.graceMs;
    while (Date.now() < deadline && jobAlive(pid, startTime)) await sleep(50);
    if (!jobAlive(pid, startTime)) return;
    signalGroup(pid, 'SIGKILL');
    const hardDeadline = Date.now() + 10_000;
    while (jobAlive(pid, startTime)) {
      if (Date.now() > hardDeadline) throw new ProviderError(`process group ${pid} survived SIGKILL for 10 s`);
      await sleep(50);
    }
  }

  async logs(jobId: string, tailLines = 100): Promise<string> {
    const dir = this.jobDir(jobId);
    if (!existsSync(dir)) throw new JobNotFound(`fine-tuning job ${jobId}: no job folder at ${dir}`);
    return tailLogs(dir, primaryLog(dir), PROCESS_LOG, tailLines);
  }

  async result(jobId: string): Promise<JobResult> {
    return resultOf(this.jobDir(jobId), jobId, await this.status(jobId));
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
