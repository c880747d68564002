import { describe, expect, it } from 'vitest';
import { auc, logLoss, percentileInterval, quantile } from '../../lib/metrics';

describe('auc', () => {
  it('counts ties as one half (Mann-Whitney)', () => {
    // Positives 0.35, 0.8, 0.4; negatives 0.1, 0.4: pairs won 1+0+1+1+1+0.5 of 6.
    expect(auc([0.1, 0.4, 0.35, 0.8, 0.4], [0, 0, 1, 1, 1])).toBeCloseTo(4.5 / 6, 12);
    expect(auc([0.5, 0.5, 0.5], [1, 0, 1])).toBe(0.5);
    expect(auc([0.1, 0.9], [0, 1])).toBe(1);
    expect(auc([0.1, 0.9], [1, 0])).toBe(0);
  });
  it('is undefined (null) with one class only', () => {
    expect(auc([0.1, 0.2], [1, 1])).toBeNull();
    expect(auc([], [])).toBeNull();
  });
  it('weights equal duplicated points', () => {
    const scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.2];
    const labels = [0, 0, 1, 1, 1, 0];
    const w = [2, 0, 1, 3, 1, 2];
    const dupS: number[] = [];
    const dupL: number[] = [];
    w.forEach((k, i) => { for (let j = 0; j < k; j++) { dupS.push(scores[i]); dupL.push(labels[i]); } });
    expect(auc(scores, labels, w)).toBeCloseTo(auc(dupS, dupL)!, 12);
  });
});

describe('logLoss', () => {
  it('is the mean binary cross-entropy with scores clipped to 1e-12', () => {
    expect(logLoss([0.9, 0.2, 0], [1, 0, 1])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(1e-12)) / 3, 12);
    expect(logLoss([1, 0], [1, 0])).toBeCloseTo(-Math.log(1 - 1e-12), 15);
    expect(logLoss([], [])).toBeNull();
  });
});

describe('quantiles', () => {
  it('interpolates linearly and skips NaN', () => {
    expect(quantile([4, 1, 3, 2, NaN], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.025)).toBeCloseTo(1.1, 12);
    expect(percentileInterval([NaN], 0.95)).toEqual({ lo: null, hi: null });
  });
});
