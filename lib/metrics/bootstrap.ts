/** Person-level bootstrap helpers: resampling counts and percentile intervals. */
import { mulberry32 } from './rng';

/**
 * Calls `replicate(counts)` B times; `counts[p]` is how often person p was drawn when
 * `nPersons` persons are drawn with replacement. Deterministic for a seed.
 */
export function personBootstrap(nPersons: number, B: number, seed: number, replicate: (counts: Float64Array, b: number) => void): void {
  const rng = mulberry32(seed);
  const counts = new Float64Array(nPersons);
  for (let b = 0; b < B; b++) {
    counts.fill(0);
    for (let j = 0; j < nPersons; j++) counts[Math.floor(rng() * nPersons)]++;
    replicate(counts, b);
  }
}

/** Linear-interpolation quantile (type 7), NaNs (undefined replicates) left out; null if none. */
export function quantile(values: ArrayLike<number>, q: number): number | null {
  const v = Float64Array.from(values).filter((x) => !Number.isNaN(x)).sort();
  if (v.length === 0) return null;
  const h = (v.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(v.length - 1, lo + 1);
  return v[lo] === v[hi] ? v[lo] : v[lo] + (h - lo) * (v[hi] - v[lo]);
}

export interface Interval {
  lo: number | null;
  hi: number | null;
}

/** Central percentile interval at `level` (e.g. 0.95 -> 2.5% and 97.5%). */
export function percentileInterval(values: ArrayLike<number>, level: number): Interval {
  const a = (1 - level) / 2;
  return { lo: quantile(values, a), hi: quantile(values, 1 - a) };
}
