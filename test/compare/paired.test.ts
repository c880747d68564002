/** Pairing two models on their points and the paired person bootstrap of their excess log-loss. */
import { describe, expect, it } from 'vitest';
import { pairedExcess, pairPoints, PointsMismatch, type PointLosses } from '../../lib/compare';
import { mulberry32, percentileInterval, personBootstrap } from '../../lib/metrics';
import { losses } from './fixtures';

const names = { model: 'r/evaluate:markov', other: 'r/evaluate:model' };

/** Two models on the same points whose losses share a large person effect; the model is `planted` nats worse per point. */
function correlated(persons: number, perPerson: number, planted: number, seed = 7) {
  const rng = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(rng() || 1e-12)) * Math.cos(2 * Math.PI * rng());
  const person: string[] = [];
  const ref: number[] = [];
  const model: number[] = [];
  for (let p = 0; p < persons; p++) {
    const hard = 1.5 * normal(); // how hard the person is to predict: both models feel it
    for (let j = 0; j < perPerson; j++) {
      const base = -2 - Math.abs(hard) - 0.3 * Math.abs(normal());
      person.push(`p${p}`);
      ref.push(base);
      model.push(base - planted - 0.05 * normal());
    }
  }
  return { ref: losses(person, ref), model: losses(person, model) };
}

/** The unpaired interval of the same difference: each model's mean log-loss resampled on its own draw of persons. */
function unpairedInterval(model: PointLosses, ref: PointLosses, B: number, level: number) {
  const persons = [...new Set(model.person_id)];
  const sums = (l: PointLosses) => persons.map((p) => l.logp_true.reduce((s, v, i) => (l.person_id[i] === p ? s + v : s), 0));
  const counts = persons.map((p) => model.person_id.filter((q) => q === p).length);
  const [sm, sr] = [sums(model), sums(ref)];
  const mean = (c: Float64Array, s: number[]) => c.reduce((a, w, p) => a + w * s[p], 0) / c.reduce((a, w, p) => a + w * counts[p], 0);
  const a = new Float64Array(B);
  const b = new Float64Array(B);
  personBootstrap(persons.length, B, 1, (c, i) => (a[i] = -mean(c, sm)));
  personBootstrap(persons.length, B, 2, (c, i) => (b[i] = -mean(c, sr)));
  return percentileInterval(a.map((v, i) => v - b[i]), level);
}

describe('pairedExcess', () => {
  it('identical models: excess 0, ratio 1, a degenerate interval', () => {
    const { ref } = correlated(50, 4, 0);
    const r = pairedExcess(ref, ref, pairPoints(ref, ref, names), { bootstrap: 100, seed: 3 });
    expect(r).toEqual({ points: 200, persons: 50, excess: 0, excess_ci: { lo: 0, hi: 0 }, ratio: 1, ratio_ci: { lo: 1, hi: 1 } });
  });

  it('recovers a planted excess inside its paired interval, which is far narrower than the unpaired one', () => {
    const { ref, model } = correlated(300, 5, 0.1);
    const r = pairedExcess(model, ref, pairPoints(model, ref, names), { bootstrap: 400, seed: 5 });
    expect(r.excess).toBeCloseTo(0.1, 2);
    expect(r.excess_ci.lo!).toBeLessThan(0.1);
    expect(r.excess_ci.hi!).toBeGreaterThan(0.1);
    expect(r.excess_ci.lo!).toBeGreaterThan(0); // the difference is significant
    expect(r.ratio).toBeCloseTo(Math.exp(r.excess), 12);
    expect(r.ratio_ci).toEqual({ lo: Math.exp(r.excess_ci.lo!), hi: Math.exp(r.excess_ci.hi!) });
    const unpaired = unpairedInterval(model, ref, 400, 0.95);
    expect(unpaired.lo!).toBeLessThan(0); // unpaired, the person effect swamps the difference
    expect((r.excess_ci.hi! - r.excess_ci.lo!) * 5).toBeLessThan(unpaired.hi! - unpaired.lo!);
  });

  it('pairs by (person, year), whatever the row order, on a reference with more points', () => {
    const model = losses(['x', 'x', 'y'], [-1, -2, -3]);
    // The reference: y, an extra person z, then x's two years in reverse order.
    const ref = { person_id: ['y', 'z', 'x', 'x'], year: Int32Array.from([2000, 2000, 2001, 2000]), true_code: ['a', 'a', 'a', 'a'], logp_true: Float64Array.from([-2, -9, -1, -1.5]) };
    const idx = pairPoints(model, ref, names);
    expect(Array.from(idx)).toEqual([3, 2, 0]);
    const r = pairedExcess(model, ref, idx, { bootstrap: 0 });
    // Differences: -1.5 - -1, -1 - -2, -2 - -3.
    expect(r.excess).toBeCloseTo((-0.5 + 1 + 1) / 3, 12);
    expect(r.excess_ci).toEqual({ lo: null, hi: null });
    expect(r.persons).toBe(2);
  });
});

describe('pairPoints', () => {
  it('a model with points the other lacks cannot be paired: the error names both and the points', () => {
    const model = losses(['x', 'x', 'y', 'w'], [-1, -1, -1, -1]);
    const ref = losses(['x', 'y'], [-1, -1]);
    let err: unknown;
    try {
      pairPoints(model, ref, names);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PointsMismatch);
    const msg = (err as Error).message;
    expect(msg).toContain('r/evaluate:markov cannot be paired with r/evaluate:model: 2 of its 4 points are not points of r/evaluate:model');
    expect(msg).toContain('person x year 2001');
    expect(msg).toContain('person w year 2000');
  });

  it('the same person-year with another true state is different data, not a pair', () => {
    const model = losses(['x'], [-1], ['a']);
    const ref = losses(['x'], [-1], ['b']);
    expect(() => pairPoints(model, ref, names)).toThrow(/different true state.*person x year 2000: 'a' vs 'b'/s);
  });

  it('a point listed twice is an error', () => {
    const ref = losses(['x'], [-1]);
    const twice = { ...ref, person_id: ['x', 'x'], year: Int32Array.from([2000, 2000]), true_code: ['a', 'a'], logp_true: Float64Array.from([-1, -1]) };
    expect(() => pairPoints(twice, ref, names)).toThrow(/r\/evaluate:markov has a point twice/);
  });
});
