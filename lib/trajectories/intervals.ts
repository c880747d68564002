/**
 * Person-bootstrap intervals of the trajectory measures of one subgroup: its persons are
 * resampled with replacement, and each resample reweights every source (the observed careers,
 * every model) the same way, so the intervals of different models are comparable. A replicate
 * is a weighted sum of the per-person contributions: the careers are never read again.
 * Distances (the total variations) get basic intervals, which correct their upward bias; the
 * differences of means, percentile intervals.
 */
import { basicInterval, percentileInterval, personBootstrap, type Interval } from '../metrics/bootstrap';
import { MEASURES } from './analysis-types';
import { NMEASURES, replicateValues } from './measure-values';
import type { PersonContributions, SumsLayout } from './measures';

export interface IntervalInput {
  layout: SumsLayout;
  /** One per source (index 0 the observed careers). */
  contributions: readonly PersonContributions[];
  /** The subgroup's person slots and their survey weights. */
  persons: Int32Array;
  weight: Float64Array;
  /** [model source, reference source] index pairs. */
  pairs: readonly (readonly [number, number])[];
  /** Horizons 1..maxHorizon get intervals. */
  maxHorizon: number;
  replicates: number;
  seed: number;
  level: number;
}

/** Intervals, index ((pair * maxHorizon) + h - 1) * NMEASURES + measure. */
export function bootstrapIntervals(x: IntervalInput): Interval[] {
  const { layout, contributions, persons, pairs, maxHorizon: H, replicates: B } = x;
  const n = persons.length;
  const w = Float64Array.from(persons, (p) => x.weight[p]);
  const factor = new Float64Array(n);
  const sums = contributions.map(() => layout.newSums());
  const values = new Float64Array(NMEASURES);
  const reps = new Float64Array(pairs.length * H * NMEASURES * B);
  const estimates = new Float64Array(pairs.length * H * NMEASURES);
  contributions.forEach((c, i) => c.sums(persons, w, sums[i]));
  pairs.forEach(([m, r], i) => {
    for (let h = 1; h <= H; h++) replicateValues(layout, sums[m], sums[r], h, estimates.subarray(((i * H) + h - 1) * NMEASURES, ((i * H) + h) * NMEASURES));
  });
  personBootstrap(n, B, x.seed, (counts, b) => {
    for (let j = 0; j < n; j++) factor[j] = counts[j] * w[j];
    contributions.forEach((c, i) => c.sums(persons, factor, sums[i]));
    pairs.forEach(([m, r], i) => {
      for (let h = 1; h <= H; h++) {
        replicateValues(layout, sums[m], sums[r], h, values);
        const at = ((i * H) + h - 1) * NMEASURES;
        for (let k = 0; k < NMEASURES; k++) reps[(at + k) * B + b] = values[k];
      }
    });
  });
  return Array.from({ length: pairs.length * H * NMEASURES }, (_, i) => {
    const values = reps.subarray(i * B, (i + 1) * B);
    return MEASURES[i % NMEASURES].endsWith('_tv') ? basicInterval(values, estimates[i], x.level, 0) : percentileInterval(values, x.level);
  });
}
