/**
 * Excess log-loss of a model over another on the same points, with a paired person bootstrap:
 * each replicate draws persons with replacement once and scores both models on that draw, so
 * what the two share (hard persons, easy persons) cancels and the interval measures only their
 * difference.
 */
import { DEFAULT_BOOTSTRAP, DEFAULT_CI_LEVEL } from '../metrics/evaluate';
import { percentileInterval, personBootstrap, type Interval } from '../metrics/bootstrap';
import type { PointLosses } from './point-losses';

export interface PairedOptions {
  bootstrap?: number;
  seed?: number;
  level?: number;
}

export interface PairedExcess {
  points: number;
  persons: number;
  /** mean over the model's points of logp_other - logp_model: the model's extra log-loss (nats per point). */
  excess: number;
  excess_ci: Interval;
  /** exp(excess): the model's perplexity over the other's on these points. */
  ratio: number;
  /** exp of the excess interval's bounds. */
  ratio_ci: Interval;
}

/** `idx[i]`: the row of the model's point i in `other` (pairPoints). */
export function pairedExcess(model: PointLosses, other: PointLosses, idx: Int32Array, options: PairedOptions = {}): PairedExcess {
  const B = options.bootstrap ?? DEFAULT_BOOTSTRAP;
  const n = idx.length;
  // Per-person sums of the differences, persons in order of first appearance.
  const personIndex = new Map<string, number>();
  const count: number[] = [];
  const sum: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const d = other.logp_true[idx[i]] - model.logp_true[i];
    let p = personIndex.get(model.person_id[i]);
    if (p === undefined) {
      personIndex.set(model.person_id[i], (p = personIndex.size));
      count.push(0);
      sum.push(0);
    }
    count[p]++;
    sum[p] += d;
    total += d;
  }
  const P = personIndex.size;
  const excess = n ? total / n : NaN;
  let excessCi: Interval = { lo: null, hi: null };
  if (B > 0 && n > 0) {
    const reps = new Float64Array(B);
    personBootstrap(P, B, options.seed ?? 0, (counts, b) => {
      let c = 0, s = 0;
      for (let p = 0; p < P; p++) {
        if (counts[p] === 0) continue;
        c += counts[p] * count[p];
        s += counts[p] * sum[p];
      }
      reps[b] = s / c;
    });
    excessCi = percentileInterval(reps, options.level ?? DEFAULT_CI_LEVEL);
  }
  const exp = (v: number | null) => (v === null ? null : Math.exp(v));
  return { points: n, persons: P, excess, excess_ci: excessCi, ratio: Math.exp(excess), ratio_ci: { lo: exp(excessCi.lo), hi: exp(excessCi.hi) } };
}
