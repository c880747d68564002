import type { Taxonomy } from '../panel/taxonomy';

/** Training prediction points (points.arrow columns, train split). */
export interface TrainPoints {
  prev_code: readonly (string | null)[];
  true_code: readonly string[];
}

/** What a baseline needs to know about the points it predicts. */
export interface BaselinePoints {
  prev_code: readonly (string | null)[];
}

export type BaselineOptions = Record<string, unknown>;

export interface FittedBaseline {
  name: string;
  /** Resolved hyperparameters (for the manifest). */
  params: Record<string, number>;
  /** Row-major [n, K] probabilities over taxonomy states; rows sum to 1. */
  predict(points: BaselinePoints): Float64Array;
}

export interface BaselineSpec {
  name: string;
  description: string;
  /** Option keys this baseline accepts. */
  options: readonly string[];
  fit(train: TrainPoints, taxonomy: Taxonomy, options: BaselineOptions): FittedBaseline;
}
