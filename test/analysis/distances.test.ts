import { describe, expect, it } from 'vitest';
import { jensenShannon, klSmoothed, totalVariation } from '../../lib/analysis';

const e = [0.5, 0.5, 0];
const q = [0.25, 0.25, 0.5];

describe('distances', () => {
  it('total variation is half the L1 distance', () => {
    expect(totalVariation(e, q)).toBeCloseTo(0.5 * (0.25 + 0.25 + 0.5), 12);
    expect(totalVariation(e, e)).toBe(0);
    expect(totalVariation([1, 0], [0, 1])).toBe(1);
  });

  it('Jensen-Shannon is in bits: m = (0.375, 0.375, 0.25), JS = (ln 4/3 + 0.5 ln 4/3) / 2 / ln 2', () => {
    // KL(e||m) = 2 * 0.5 ln(0.5 / 0.375) = ln(4/3); KL(q||m) = 0.5 ln(2/3) + 0.5 ln 2 = 0.5 ln(4/3).
    expect(jensenShannon(e, q)).toBeCloseTo((0.75 * Math.log(4 / 3)) / Math.LN2, 12);
    expect(jensenShannon(q, e)).toBeCloseTo(jensenShannon(e, q), 12);
    expect(jensenShannon(e, e)).toBe(0);
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(1, 12);
  });

  it('KL(e||q) in nats with epsilon added to both and renormalised', () => {
    // epsilon 0.1, K = 3: e' = (0.6, 0.6, 0.1) / 1.3, q' = (0.35, 0.35, 0.6) / 1.3.
    const want = (2 * 0.6 * Math.log(0.6 / 0.35) + 0.1 * Math.log(0.1 / 0.6)) / 1.3;
    expect(klSmoothed(e, q, 0.1)).toBeCloseTo(want, 12);
    expect(klSmoothed(q, q, 1e-6)).toBe(0);
    // A state the model gives no mass: large but finite.
    expect(klSmoothed([1, 0], [0, 1], 1e-6)).toBeCloseTo(((1 + 1e-6) * Math.log((1 + 1e-6) / 1e-6) + 1e-6 * Math.log(1e-6 / (1 + 1e-6))) / (1 + 2e-6), 9);
  });
});
