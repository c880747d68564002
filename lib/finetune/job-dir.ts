/**
 * The job folder shared by all providers: paths, reading what the trainer wrote, the
 * provider's own record (job.json), attempt archiving and log tails.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../artifacts/atomic';
import { canonicalJson } from '../config/hash';
import {
  type JobErrorType, type JobProgress, type JobResult, type JobState, type JobStatus, type TrainingSpec,
  JobNotSucceeded, ProviderError, TRAINER_EXIT,
} from './job';

export const JOB_FILES = {
  spec: 'spec.json',
  record: 'job.json',
  status: 'status.json',
  error: 'error.json',
  metrics: 'metrics.json',
  trainLog: 'train.log',
  /** A fitted baseline's log (baselines/labor_baselines). */
  fitLog: 'fit.log',
  /** Exit code of the trainer, written by the provider's wrapper shell when it returns. */
  exitCode: 'exit_code',
  /**
   * Marker written by cancel(); its presence wins over everything but success. The trainer
   * polls for it between steps (a cancel request that reaches it on any host).
   */
  cancelled: 'cancelled',
  /** Marker written by abandon() for a stalled job: {at, reason}; the job counts as lost. */
  abandoned: 'abandoned',
  lock: '.submit.lock',
  output: 'output',
  checkpoints: 'checkpoints',
  attempts: 'attempts',
} as const;

/** The trainer's status.json. */
export interface TrainerStatus {
  /** preempted: stopped by a signal after a checkpoint (resumable); cancelled: by a cancel request. */
  state: 'running' | 'succeeded' | 'failed' | 'preempted' | 'cancelled';
  step?: number;
  total_steps?: number;
  epoch?: number;
  loss?: number | null;
  val_loss?: number | null;
  best_val_loss?: number | null;
  tokens_per_s?: number | null;
  eta_s?: number | null;
  pid?: number;
  updated_at?: string;
}

export interface AttemptRecord {
  attempt: number;
  startedAt: string;
  providerJobId?: string;
  /** How the attempt had ended when it was replaced by the next one. */
  endedAs?: JobState;
  error?: { type: string; message: string };
}

/** job.json: what a provider needs to find its process again after a restart. */
export interface JobRecord extends AttemptRecord {
  provider: string;
  jobId: string;
  host: string;
  /** Local: pid of the group leader (the wrapper shell) and its start time in clock ticks. */
  pid?: number;
  pgid?: number;
  startTime?: number;
  command?: string[];
  /** Slurm: the job id from sbatch, once known. */
  slurmJobId?: string;
  /** The submit's fresh token (a forced rerun), part of the job id. */
  fresh?: string;
  history: AttemptRecord[];
}

export function readJson<T>(path: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    // Writers rename atomically, so a torn file means a foreign writer: treat it as absent.
    return undefined;
  }
}

export function readRecord(jobDir: string): JobRecord | undefined {
  return readJson<JobRecord>(join(jobDir, JOB_FILES.record));
}

export function writeRecord(jobDir: string, record: JobRecord): void {
  writeJsonAtomic(join(jobDir, JOB_FILES.record), record);
}

/** Everything the trainer and wrapper left in the folder, read once per status() call. */
export interface TrainerFiles {
  status?: TrainerStatus;
  error?: { type: JobErrorType; message: string };
  exitCode?: number;
  cancelled: boolean;
  /** Why abandon() gave up on the job, if it did. */
  abandoned?: string;
}

export function readTrainerFiles(jobDir: string): TrainerFiles {
  const status = readJson<TrainerStatus>(join(jobDir, JOB_FILES.status));
  const rawError = readJson<{ type?: unknown; message?: unknown }>(join(jobDir, JOB_FILES.error));
  const error = rawError
    ? { type: String(rawError.type ?? 'Internal'), message: String(rawError.message ?? '(error.json has no message)') }
    : undefined;
  let exitCode: number | undefined;
  try {
    const text = readFileSync(join(jobDir, JOB_FILES.exitCode), 'utf8').trim();
    if (/^\d+$/.test(text)) exitCode = Number(text);
  } catch {
    /* still running, or killed with its wrapper */
  }
  const abandoned = readJson<{ reason?: unknown }>(join(jobDir, JOB_FILES.abandoned));
  return {
    status: status && typeof status === 'object' ? status : undefined, error, exitCode,
    cancelled: existsSync(join(jobDir, JOB_FILES.cancelled)),
    ...(abandoned && { abandoned: String(abandoned.reason ?? 'abandoned: no progress') }),
  };
}

/** The verdict an explicit cancel or abandon left, whether or not the process is gone yet. */
export function markerVerdict(files: TrainerFiles): JobStatus | undefined {
  if (files.cancelled) return { state: 'cancelled' };
  if (files.abandoned) return { state: 'lost', error: { type: 'Stalled', message: files.abandoned } };
  return undefined;
}

export function progressOf(status: TrainerStatus | undefined): JobProgress | undefined {
  if (!status || typeof status.step !== 'number') return undefined;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const progress: JobProgress = {
    step: status.step,
    total_steps: num(status.total_steps) ?? 0,
    epoch: num(status.epoch) ?? 0,
    loss: num(status.loss),
    val_loss: num(status.val_loss),
    tokens_per_s: num(status.tokens_per_s),
    eta_s: num(status.eta_s),
  };
  if (status.best_val_loss !== undefined) progress.best_val_loss = num(status.best_val_loss);
  if (typeof status.updated_at === 'string') progress.updated_at = status.updated_at;
  return progress;
}

/**
 * The verdict the folder alone gives once the process is known to be gone (or about to be):
 * success wins, then an explicit cancel or abandon, then a failure the trainer reported, then
 * a stop it reported, then the exit code the wrapper recorded. Undefined means "no terminal
 * evidence".
 */
export function terminalFromFiles(files: TrainerFiles, logTail: () => string): JobStatus | undefined {
  const progress = progressOf(files.status);
  const withProgress = (s: JobStatus): JobStatus => (progress ? { ...s, progress } : s);
  if (files.status?.state === 'succeeded') return withProgress({ state: 'succeeded' });
  const marked = markerVerdict(files);
  if (marked) return withProgress(marked);
  if (files.error || files.status?.state === 'failed') {
    return withProgress({
      state: 'failed',
      error: files.error ?? { type: 'Internal', message: 'the trainer reported failure but wrote no error.json' },
    });
  }
  if (files.status?.state === 'preempted') return withProgress(preempted(`the trainer was stopped by a signal at step ${files.status.step ?? '?'}`));
  if (files.status?.state === 'cancelled') return withProgress({ state: 'cancelled' });
  if (files.exitCode !== undefined) return withProgress(fromExitCode(files.exitCode, logTail));
  return undefined;
}

function preempted(what: string): JobStatus {
  return { state: 'lost', error: { type: 'Preempted', message: `${what} (preemption, time limit or a reboot) after saving a checkpoint; resubmit to resume from it` } };
}

/** An exit without status or error file: a crash before the trainer's own handler ran. */
export function fromExitCode(code: number, logTail: () => string): JobStatus {
  const tail = logTail().trim();
  const last = tail ? `; last log lines:\n${tail}` : '';
  if (code === TRAINER_EXIT.preempted) return preempted(`the trainer exited with code ${code}`);
  if (code >= 128) {
    // Killed by a signal (OOM killer, admin, node going down): resumable, so 'lost'.
    return { state: 'lost', error: { type: 'Internal', message: `trainer was killed by signal ${code - 128} (exit ${code}) before writing a final status${last}` } };
  }
  if (code === 0) {
    return { state: 'failed', error: { type: 'Internal', message: `trainer exited with code 0 but status.json does not say succeeded${last}` } };
  }
  return {
    state: 'failed',
    error: { type: code === TRAINER_EXIT.invalidInput ? 'InvalidInput' : 'Internal', message: `trainer exited with code ${code} without writing error.json${last}` },
  };
}

/**
 * Moves the previous attempt's verdict files into attempts/<n>/ so the restarted trainer starts
 * from a clean status while checkpoints/ stay where it resumes from them.
 */
export function archiveAttempt(jobDir: string, attempt: number): void {
  const dest = join(jobDir, JOB_FILES.attempts, String(attempt));
  for (const name of [JOB_FILES.status, JOB_FILES.error, JOB_FILES.exitCode, JOB_FILES.cancelled, JOB_FILES.abandoned, JOB_FILES.metrics]) {
    const src = join(jobDir, name);
    if (!existsSync(src)) continue;
    mkdirSync(dest, { recursive: true });
    renameSync(src, join(dest, name));
  }
}

/** The last `lines` lines of a file, reading at most the last 1 MiB of it. */
export function tailFile(path: string, lines: number): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return '';
  }
  const length = Math.min(size, 1 << 20);
  const buf = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  const text = buf.toString('utf8').replace(/\n$/, '');
  if (lines <= 0 || text === '') return '';
  return text.split('\n').slice(-lines).join('\n') + '\n';
}

/** The job's own log: the trainer's train.log, or a fitted baseline's fit.log. */
export function primaryLog(dir: string): string {
  return existsSync(join(dir, JOB_FILES.fitLog)) ? JOB_FILES.fitLog : JOB_FILES.trainLog;
}

/**
 * The primary log's tail, then the lines of the secondary log that the primary does not hold
 * (the trainer echoes train.log to stderr; what is left there is tracebacks and warnings),
 * with `==> name <==` headers as tail prints them when both have content.
 */
export function tailLogs(jobDir: string, primary: string, secondary: string | undefined, lines: number): string {
  const main = tailFile(join(jobDir, primary), lines);
  if (!secondary) return main;
  const known = new Set(tailFile(join(jobDir, primary), 100_000).split('\n'));
  const extra = tailFile(join(jobDir, secondary), 100_000)
    .split('\n')
    .filter((l) => l !== '' && !known.has(l))
    .slice(-lines);
  if (extra.length === 0) return main;
  if (main === '') return extra.join('\n') + '\n';
  return `==> ${primary} <==\n${main}\n==> ${secondary} <==\n${extra.join('\n')}\n`;
}

/** Writes spec.json once; an existing one must hash to the same job id. */
export function writeSpec(dir: string, jobId: string, spec: TrainingSpec): void {
  const path = join(dir, JOB_FILES.spec);
  const existing = readJson<TrainingSpec>(path);
  if (existing !== undefined) {
    if (canonicalJson(existing) === canonicalJson(spec)) return;
    throw new ProviderError(`${path}: holds a different spec than the one submitted for ${jobId}; remove the folder if it was edited by hand`);
  }
  writeJsonAtomic(path, spec);
}

export function resultOf(dir: string, jobId: string, status: JobStatus): JobResult {
  if (status.state !== 'succeeded') {
    const why = status.error ? ` (${status.error.type}: ${status.error.message})` : '';
    throw new JobNotSucceeded(`fine-tuning job ${jobId} is ${status.state}, not succeeded${why}`);
  }
  const modelDir = join(dir, JOB_FILES.output);
  if (!existsSync(modelDir)) {
    throw new JobNotSucceeded(`fine-tuning job ${jobId} reports success but ${modelDir} does not exist`);
  }
  const metrics = readJson<Record<string, unknown>>(join(dir, JOB_FILES.metrics)) ?? {};
  return { modelDir, metrics };
}
