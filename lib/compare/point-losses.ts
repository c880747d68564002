/**
 * What pairing needs of a model's predictions: per point, the person, the year, the true state
 * and log P(true state) over the valid states. Read from predictions.arrow and kept small (the
 * full distributions are dropped).
 */
import { readPredictions } from '../predict/predictions-table';
import type { Predictions } from '../predict/types';

export interface PointLosses {
  person_id: readonly string[];
  year: ArrayLike<number>;
  true_code: readonly string[];
  logp_true: Float64Array;
}

export function pointLossesOf(p: Pick<Predictions, 'person_id' | 'year' | 'true_code' | 'logp_true'>): PointLosses {
  return { person_id: p.person_id, year: p.year, true_code: p.true_code, logp_true: p.logp_true };
}

/** Reads `dir/predictions.arrow` (InvalidData naming the file when missing or malformed). */
export function readPointLosses(dir: string): PointLosses {
  return pointLossesOf(readPredictions(dir));
}
