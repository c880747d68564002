/**
 * The fine-tuning job contract: a training spec goes to a provider, which runs the project's
 * trainer (trainer/labor_trainer) in a job folder keyed by the spec's hash. Providers differ
 * only in how the process is started, watched and stopped; the folder layout is shared:
 *
 *   <jobsRoot>/<jobId>/spec.json       input written by submit
 *   <jobsRoot>/<jobId>/job.json        provider record (pid or Slurm id, attempts)
 *   <jobsRoot>/<jobId>/status.json     trainer progress, atomically rewritten
 *   <jobsRoot>/<jobId>/error.json      trainer failure {type, message}
 *   <jobsRoot>/<jobId>/checkpoints/    trainer checkpoints (a restart resumes from them)
 *   <jobsRoot>/<jobId>/output/         exported model folder
 *   <jobsRoot>/<jobId>/metrics.json    training metrics
 *   <jobsRoot>/<jobId>/cancelled       written by cancel(): the verdict, and the trainer's cancel request
 *   <jobsRoot>/<jobId>/abandoned       written by abandon(): a stalled job, to be resumed
 *
 * Trainer exit codes (trainer/README.md): 0 succeeded, 1 failed, 2 invalid input, 3 cancelled
 * on request, 75 stopped by a signal (preemption, time limit, reboot) after a checkpoint: a
 * resubmit resumes it, so providers report it as 'lost' with error type 'Preempted'.
 */
import { hashJson } from '../config/hash';
import { LaborError, ExitCode } from '../errors';

/** A training spec: any JSON object. Providers only hash it and hand it to the trainer. */
export type TrainingSpec = Record<string, unknown>;

export type JobState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'lost';

/**
 * Failure kinds: the trainer's own four, plus what the scheduler can tell us. On a 'lost' job,
 * 'Preempted' (stopped by a signal, checkpoint saved) and 'Stalled' (abandoned for making no
 * progress) say why it ended; both are resumed by a resubmit.
 */
export type JobErrorType =
  | 'InvalidInput' | 'TrainingFailed' | 'OutOfMemory' | 'Internal' | 'TimeLimit' | 'Preempted' | 'Stalled' | (string & {});

/**
 * The trainer's exit codes that mean more than "failed". (Its 3, cancelled, needs no mapping:
 * the cancel marker and status.json say so, and a crash may exit 3 too.)
 */
export const TRAINER_EXIT = { invalidInput: 2, preempted: 75 } as const;

export interface JobProgress {
  step: number;
  total_steps: number;
  epoch: number;
  loss: number | null;
  val_loss: number | null;
  tokens_per_s: number | null;
  eta_s: number | null;
  best_val_loss?: number | null;
  updated_at?: string;
}

export interface JobStatus {
  state: JobState;
  progress?: JobProgress;
  /** Set for 'failed'; also for 'lost' when the provider knows how the process ended. */
  error?: { type: JobErrorType; message: string };
  /** Local: the pid of the process group leader. Slurm: the Slurm job id. */
  providerJobId?: string;
}

export interface SubmitResult {
  jobId: string;
  jobDir: string;
  /** True when a running or finished job for this spec was found and nothing was started. */
  existing: boolean;
}

export interface JobResult {
  modelDir: string;
  metrics: Record<string, unknown>;
}

export interface SubmitOptions {
  /**
   * Part of the job id: a new token trains a new job for the same spec (a forced rerun), while
   * resubmits with the same token stay idempotent. Undefined: the id depends on the spec alone.
   */
  fresh?: string;
}

export interface JobProvider {
  readonly name: string;
  /**
   * Idempotent by spec hash (and fresh token): a running, pending or succeeded job is returned
   * as is (existing: true); a failed, lost or cancelled one is restarted in the same folder, so
   * the trainer resumes from its last checkpoint.
   */
  submit(spec: TrainingSpec, options?: SubmitOptions): Promise<SubmitResult>;
  status(jobId: string): Promise<JobStatus>;
  /**
   * Stops the job and marks it cancelled; a no-op for a job that already ended. The marker is
   * also the trainer's cancel request, so a trainer that no signal reaches (another host)
   * stops at its next step.
   */
  cancel(jobId: string): Promise<void>;
  /**
   * Stops a job that makes no progress and marks it lost (error type 'Stalled', with `reason`),
   * so the next submit resumes it from its checkpoint; a no-op for a job that already ended.
   */
  abandon(jobId: string, reason: string): Promise<void>;
  /** The last `tailLines` lines (default 100) of the job's logs. */
  logs(jobId: string, tailLines?: number): Promise<string>;
  /** The exported model folder and metrics of a succeeded job; throws otherwise. */
  result(jobId: string): Promise<JobResult>;
}

export const JOB_ID_PREFIX = 'ft-';
const JOB_ID_RE = /^ft-[0-9a-f]{16}$/;

/** `ft-` + the first 16 hex digits of sha256(canonical JSON of the spec, with the fresh token if any). */
export function jobIdForSpec(spec: TrainingSpec, fresh?: string): string {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new InvalidJobSpec(`training spec: expected a JSON object, found ${spec === null ? 'null' : Array.isArray(spec) ? 'an array' : typeof spec}`);
  }
  try {
    return JOB_ID_PREFIX + hashJson(fresh === undefined ? spec : { spec, fresh }).slice(0, 16);
  } catch (err) {
    throw new InvalidJobSpec(`training spec: ${(err as Error).message}`);
  }
}

/** Rejects anything that is not a job id, so a jobId can never name a path outside jobsRoot. */
export function assertJobId(jobId: string): void {
  if (typeof jobId !== 'string' || !JOB_ID_RE.test(jobId)) {
    throw new JobNotFound(`job id ${JSON.stringify(jobId)}: expected ${JOB_ID_PREFIX} followed by 16 hex digits`);
  }
}

export function isTerminal(state: JobState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled' || state === 'lost';
}

/** A spec that cannot be hashed or serialised. */
export class InvalidJobSpec extends LaborError {
  readonly type = 'InvalidConfig';
}

/** No job folder (or record) for this id under the provider's jobs root. */
export class JobNotFound extends LaborError {
  readonly type = 'JobNotFound';
}

/** result() asked of a job that has not succeeded. */
export class JobNotSucceeded extends LaborError {
  readonly type = 'JobNotSucceeded';
  override readonly nonRetryable: boolean = false;
  override readonly exitCode: number = ExitCode.runFailed;
}

/** The scheduler or process layer failed (sbatch missing, squeue cannot reach slurmctld). */
export class ProviderError extends LaborError {
  readonly type = 'ProviderError';
  override readonly nonRetryable: boolean = false;
  override readonly exitCode: number = ExitCode.runFailed;
}
