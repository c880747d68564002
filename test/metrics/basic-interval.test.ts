/**
 * Basic (reflected) bootstrap intervals: replicates standing above a biased plug-in estimate
 * (a distance between sampled distributions) give an interval below it, where the truth is.
 */
import { describe, expect, it } from 'vitest';
import { basicInterval, percentileInterval, personBootstrap } from '../../lib/metrics/bootstrap';

describe('basicInterval', () => {
  it('reflects the percentile interval around the estimate, floored where asked', () => {
    const reps = Array.from({ length: 101 }, (_, i) => 0.1 + i * 0.001); // 0.100 .. 0.200
    const p = percentileInterval(reps, 0.9);
    expect(basicInterval(reps, 0.12, 0.9)).toEqual({ lo: 0.24 - p.hi!, hi: 0.24 - p.lo! });
    expect(basicInterval(reps, 0.05, 0.9, 0).lo).toBe(0);
    expect(basicInterval([NaN], 0.1, 0.9)).toEqual({ lo: null, hi: null });
  });

  it('moves toward the true total variation, which sampling noise inflates', () => {
    // Two samples of the same 20-state uniform distribution: the true TV is 0, the plug-in estimate is not.
    const K = 20;
    const n = 400;
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const a = Array.from({ length: n }, () => Math.floor(rand() * K));
    const b = Array.from({ length: n }, () => Math.floor(rand() * K));
    const tv = (wa: ArrayLike<number>, wb: ArrayLike<number>) => {
      const ca = new Float64Array(K), cb = new Float64Array(K);
      let sa = 0, sb = 0;
      for (let i = 0; i < n; i++) (ca[a[i]] += wa[i], cb[b[i]] += wb[i], sa += wa[i], sb += wb[i]);
      let d = 0;
      for (let k = 0; k < K; k++) d += Math.abs(ca[k] / sa - cb[k] / sb);
      return d / 2;
    };
    const ones = new Float64Array(n).fill(1);
    const estimate = tv(ones, ones);
    const reps: number[] = [];
    personBootstrap(n, 400, 3, (counts) => reps.push(tv(counts, counts)));
    const p = percentileInterval(reps, 0.95);
    const basic = basicInterval(reps, estimate, 0.95, 0);
    // Sampling noise only inflates the distance: the estimate is above the truth (0), the replicates above the estimate.
    const mean = reps.reduce((x, y) => x + y, 0) / reps.length;
    expect(estimate).toBeGreaterThan(0.05);
    expect(mean).toBeGreaterThan(estimate);
    // The basic interval sits lower than the percentile one, toward the truth.
    expect(basic.lo!).toBeLessThan(p.lo!);
    expect(basic.hi!).toBeLessThan(p.hi!);
  });
});
