import type { Taxonomy } from '../panel/taxonomy';

/** What a baseline may know about the points it predicts (points.arrow plus point features). */
export interface BaselinePoints {
  prev_code: readonly (string | null)[];
  /** State two observations back, null where there is none (point_features' prev2_state); order-2 baselines need it. */
  prev2_code?: readonly (string | null)[];
  /** Years since the previous observation (point_features' gap); gap-aware baselines need it. */
  gap?: ArrayLike<number>;
}

/** Points with their true state: the training split to fit on, the validation split to tune on. */
export interface TrainPoints extends BaselinePoints {
  true_code: readonly string[];
}

/** A point column a baseline needs beyond prev_code. */
export type BaselineInput = 'prev2_code' | 'gap';

export type BaselineOptions = Record<string, unknown>;

/** What metrics.json records about a fitted baseline: what it conditions on and how it was smoothed. */
export interface BaselineReport {
  /** Previous states conditioned on (0: none, 1: the previous state, 2: the last two). */
  order: number;
  /** The contexts of the back-off chain, coarsest first (e.g. ['prev', 'prev2']). */
  conditions: string[];
  n_train: number;
  /** The smoothing options the fit used; passing them as options reproduces it. */
  smoothing: Record<string, number>;
  /** Whether `smoothing` was chosen on the validation split; `tuning_note` says why not. */
  tuned: boolean;
  tuning_note?: string;
  /** Candidate values of each smoothing option. */
  grid?: number[];
  valid_points?: number;
  /** Mean negative log-likelihood of the validation truths, at the chosen smoothing and at pseudo-count 1 everywhere. */
  valid_log_loss?: number;
  add_one_valid_log_loss?: number;
  /** Options whose chosen value is an end of the grid (the optimum may lie beyond it). */
  at_grid_edge?: string[];
}

export interface FittedBaseline {
  name: string;
  /** Resolved hyperparameters (for the manifest). */
  params: Record<string, number>;
  report: BaselineReport;
  /** Row-major [n, K] probabilities over taxonomy states; rows sum to 1. */
  predict(points: BaselinePoints): Float64Array;
}

export interface BaselineSpec {
  name: string;
  description: string;
  /** Option keys this baseline accepts. */
  options: readonly string[];
  /** Point columns it needs besides prev_code (in training, validation and predicted points). */
  inputs: readonly BaselineInput[];
  /** Fits on `train`; a baseline with smoothing options not given chooses them on `valid` when it is passed. */
  fit(train: TrainPoints, taxonomy: Taxonomy, options: BaselineOptions, valid?: TrainPoints): FittedBaseline;
}
