/**
 * The comparison table: one row per model of every evaluate step of the compared runs, with
 * its metrics and intervals (from metrics.json) and paired columns against the oracle of its
 * evaluation and against one reference model. `labor-llm compare` prints it; a report can
 * embed it.
 */
import type { PairedExcess } from './paired-excess';

/** A figure with its person-bootstrap interval; lo/hi null where metrics.json has none. */
export interface Estimate {
  value: number | null;
  lo: number | null;
  hi: number | null;
}

/**
 * The model against the one it is paired with, over the model's points (every one of them must
 * be a point of the other, with the same true state): excess = mean(logp_other - logp_model),
 * the model's extra log-loss per point (positive: worse); ratio = exp(excess), its perplexity
 * over the other's on those points. Intervals: paired person bootstrap (one resample of
 * persons for both), percentile; the ratio's is exp of the excess's bounds.
 */
export type Paired =
  | ({
      comparable: true;
      /** Label of the model paired against. */
      against: string;
    } & PairedExcess)
  | {
      comparable: false;
      against: string;
      /** Why not, e.g. "12 of its 60 points are not points of …". */
      reason: string;
    };

export interface CompareRow {
  /** Short run id. */
  run: string;
  /** The evaluate step. */
  step: string;
  /** The model's name in the evaluation: 'model', a baseline ('marginal', 'markov', ...) or 'oracle'. */
  model: string;
  /** `step:model`, unique within a run; the full name is `run/step:model`. */
  label: string;
  /** Labels of the same baseline or oracle in later evaluations of the run (same points, same losses): listed once. */
  also?: string[];
  /** For an oracle that sees what the evaluation's text hides: why it is a bound, not the best achievable. */
  bound?: string;
  /** For the evaluated model ('model'): the finetune step it scored, or the folder. */
  scored?: string;
  points: number;
  persons: number;
  perplexity: Estimate;
  raw_perplexity: Estimate;
  top1: Estimate;
  top5: Estimate;
  ece: Estimate;
  brier: Estimate;
  change_auc: Estimate;
  change_log_loss: Estimate;
  labor_force_auc: Estimate;
  labor_force_log_loss: Estimate;
  /** Against the oracle of the same evaluation; null where it has none (real data). */
  vs_oracle: Paired | null;
  /** Against the reference model; null when no reference was chosen. */
  vs_reference: Paired | null;
}

export interface CompareRunInfo {
  id: string;
  workflowId?: string;
  runId?: string;
  experiment?: string;
  manifestPath?: string;
}

export interface CompareTable {
  runs: CompareRunInfo[];
  /** Full name (`run/step:model`) of the reference, or null. */
  reference: string | null;
  /** How the paired intervals were computed. */
  paired: { method: 'paired person bootstrap, percentile'; replicates: number; seed: number; level: number };
  rows: CompareRow[];
}

export interface CompareOptions {
  /**
   * The reference model: `model`, `step:model` or `run/step:model`, matching exactly one row;
   * null for none. Default (undefined): the first run's first evaluate step's `model`.
   */
  reference?: string | null;
  /** Bootstrap replicates of the paired intervals (0: none). Default 200. */
  bootstrap?: number;
  seed?: number;
  level?: number;
}
