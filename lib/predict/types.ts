/**
 * In-memory predictions: the column-wise form of predictions.arrow (contracts.ts). One row per
 * prediction point; `probs` is the constrained distribution, row-major [n, n_states], ordered
 * as the taxonomy.
 */
export interface Predictions {
  /** Number of taxonomy states (the width of each `probs` row). */
  n_states: number;
  person_id: string[];
  year: Int32Array;
  true_code: string[];
  /** State in the previous observed year; null for a person's first point (no change task). */
  prev_code: (string | null)[];
  logp_true_raw: Float64Array;
  logp_true: Float64Array;
  valid_mass: Float64Array;
  top_codes: string[][];
  top_probs: Float32Array[];
  /** 1 - P(previous state); NaN where prev_code is null. */
  p_change: Float64Array;
  p_nonemployment: Float64Array;
  probs: Float32Array;
}

/** The prediction points a model is asked about (a subset of points.arrow's columns). */
export interface PredictionPoints {
  person_id: readonly string[];
  year: ArrayLike<number>;
  true_code: readonly string[];
  prev_code: readonly (string | null)[];
}

/** Number of prediction points. */
export function numPoints(p: Pick<Predictions, 'person_id'>): number {
  return p.person_id.length;
}
