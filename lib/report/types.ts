/**
 * What a report is made of: one or more runs, each with its provenance, the metrics of every
 * model it evaluated (metrics.json of each evaluate step) and, when the run has an analyze
 * step, the one-step representativeness analysis (one_step.json). The report step and
 * `labor-llm report` both gather this and hand it to renderReport; nothing here reads files.
 */
import type { OneStepAnalysis } from '../analysis/types';
import type { CompareTable } from '../compare/types';
import type { EvalMetrics } from '../metrics/evaluate';
import type { TrajectoryAnalysis } from '../trajectories/analysis-types';

/** Where a run's numbers came from: enough to audit or reproduce it. */
export interface ReportProvenance {
  /** Temporal workflow id and run id of the run that produced the numbers. */
  workflowId: string;
  runId: string;
  /** Link to the run's page in the Temporal Web UI, when known. */
  webUrl?: string;
  configFile?: string;
  configHash: string;
  /** git commit of the code (with "+dirty" for uncommitted changes), null outside a checkout. */
  codeCommit: string | null;
  /** Package name -> version (node, npm packages, python:<name>). */
  packages: Record<string, string>;
  /** Step name -> seed. */
  seeds: Record<string, number | undefined>;
  /** Every step's output: artifact kind/key and sha256 digest. */
  artifacts: { step: string; kind: string; artifact?: string; sha256?: string; cached?: boolean }[];
  /** The resolved experiment config, as run. */
  config: unknown;
  startedAt?: string;
  finishedAt?: string;
}

/** The metrics of one evaluate step: every model it scored (the model, baselines, the oracle). */
export interface ReportEvaluation {
  /** The evaluate step's name. */
  step: string;
  /** The finetune step (or folder) it scored. */
  model: string;
  models: Record<string, EvalMetrics>;
  points: number;
  /**
   * The model that is the synthetic truth (drawn grey, never ranked best). Optional: when absent,
   * a model named "oracle" (the evaluate step's name for it) is the oracle.
   */
  oracle?: string;
}

export interface ReportRun {
  /** Short run id as the CLI shows it (experiment name and config hash). */
  id: string;
  experiment: string;
  description?: string;
  provenance: ReportProvenance;
  evaluations: ReportEvaluation[];
  /** The analyze step's output; absent when the run has none. */
  analysis?: { step: string; oneStep: OneStepAnalysis; trajectories?: TrajectoryAnalysis };
}

export interface ReportInput {
  title: string;
  runs: ReportRun[];
  /** Every model of the runs paired against its oracle and a reference model (lib/compare); optional. */
  comparison?: CompareTable;
  /** When the report was made (ISO 8601); a parameter so tests get stable output. */
  generatedAt: string;
}
