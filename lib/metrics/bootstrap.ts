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

/**
 * Basic (reflected) bootstrap interval: [2·estimate − q_hi, 2·estimate − q_lo], floored at `min`.
 * It corrects for bias the way the bootstrap estimates it (replicates − estimate standing in for
 * estimate − truth): a plug-in distance such as the total variation between two sampled
 * distributions, which sampling noise only inflates, has replicates above the estimate, and its
 * percentile interval can lie wholly above the estimate itself; the basic one is reflected below it.
 */
export function basicInterval(values: ArrayLike<number>, estimate: number, level: number, min = -Infinity): Interval {
  const { lo, hi } = percentileInterval(values, level);
  if (lo === null || hi === null || !Number.isFinite(estimate)) return { lo, hi };
  return { lo: Math.max(min, 2 * estimate - hi), hi: Math.max(min, 2 * estimate - lo) };
}
