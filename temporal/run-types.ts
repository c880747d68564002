/**
 * Inputs, results and progress shapes shared by workflows, activities and the CLI. One `...Input`
 * object per workflow and activity, so fields can be added without breaking running histories.
 * Workflow-safe: types only.
 */
import type { ArtifactRef } from '../lib/artifacts/store';
import type { ExperimentConfig, StepConfig } from '../lib/config/schema';

export type { ArtifactRef };

export interface RunExperimentInput {
  config: ExperimentConfig;
  configHash: string;
  /** The config file the run was declared in (for the manifest). */
  configFile: string;
  /** Recompute every step, ignoring cached outputs. */
  noCache?: boolean;
  /** Recompute these steps (and so everything downstream of them) even if cached. */
  rerun?: string[];
  /** The store's task queues (temporal/task-queues.ts): its workers serve only these. */
  queues: Queues;
}

export interface Queues {
  cpu: string;
  gpu: string;
}

export type StepStatus = 'pending' | 'running' | 'cached' | 'done' | 'failed' | 'skipped';

export interface StepState {
  name: string;
  kind: StepConfig['kind'];
  status: StepStatus;
  key?: string;
  artifact?: ArtifactRef;
  summary?: Record<string, unknown>;
  error?: string;
  startedAt?: number;
  finishedAt?: number;
  /** A short live line, e.g. "step 120/400 loss 2.31" or "shard 3/4 done". */
  detail?: string;
  /** 0..1 where known. */
  fraction?: number;
}

export interface RunProgress {
  experiment: string;
  configHash: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  steps: StepState[];
  manifestPath?: string;
}

export interface RunExperimentResult {
  status: 'succeeded';
  manifestPath: string;
  steps: StepState[];
}

/** What every step activity or child workflow receives. */
export interface StepRunInput {
  runId: string;
  experiment: string;
  step: StepConfig;
  /** Cache key of this step's output. */
  key: string;
  /** Input artifacts by role: the config key that referenced them ('input', 'data', 'model', 'base.step'), plus 'panel' for evaluate. */
  inputs: Record<string, ArtifactRef>;
  /** Seed of the experiment, used when the step sets none. */
  seed: number;
  timeouts: { heartbeatS: number; stepS: number };
  queues: Queues;
  /** Set when the step is forced (rerun, no-cache): the parent run's id, so a forced finetune trains a new job. */
  fresh?: string;
  /** The run so far, for steps that report on it (report): not part of the cache key. */
  run?: RunSoFar;
}

/** What a run manifest records, before the run has finished. */
export type RunSoFar = Omit<WriteManifestInput, 'status' | 'finishedAt'>;

export interface StepResult {
  artifact: ArtifactRef;
  summary: Record<string, unknown>;
}

export interface ResolveStepInput {
  step: StepConfig;
  inputs: Record<string, ArtifactRef>;
  noCache: boolean;
  /** The config's name: part of a report's or comparison's key (resolve-step.ts). */
  experiment: string;
}

export interface ResolveStepResult {
  key: string;
  cached: (StepResult & { cached: true }) | null;
}

export interface FineTuneJobRef {
  provider: 'local' | 'slurm';
  jobId: string;
  jobDir: string;
}

export interface FineTuneStatus {
  state: 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'lost';
  detail?: string;
  fraction?: number;
  error?: { type: string; message: string };
}

export interface EvaluationPlan {
  totalPoints: number;
  numCandidates: number;
  shards: { index: number; start: number; end: number }[];
  workDir: string;
}

export interface ScoreShardInput extends StepRunInput {
  plan: EvaluationPlan;
  shard: number;
}

export interface ShardResult {
  shard: number;
  path: string;
  points: number;
  truncated: number;
}

export interface WriteManifestInput {
  workflowId: string;
  runId: string;
  configFile: string;
  config: ExperimentConfig;
  configHash: string;
  status: RunProgress['status'];
  steps: StepState[];
  startedAt: number;
  finishedAt: number;
}

/** manifest.json of a run (activities/run/write-manifest.ts): what `report` and `compare` read. */
export interface RunManifest {
  workflowId: string;
  runId: string;
  experiment: string;
  status: RunProgress['status'];
  configFile: string;
  configHash: string;
  codeCommit: string | null;
  packages: Record<string, string>;
  startedAt: string;
  finishedAt: string;
  seeds: Record<string, number | undefined>;
  steps: {
    name: string;
    kind: StepState['kind'];
    status: StepStatus;
    cached: boolean;
    key?: string;
    output?: { path: string; sha256: string };
    seconds?: number;
    summary?: Record<string, unknown>;
    error?: string;
  }[];
  config: ExperimentConfig;
}
