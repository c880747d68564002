import { describe, expect, it } from 'vitest';
import { BASELINE_NAMES, fitBaseline, getBaseline } from '../../lib/baselines';
import { computeMetrics, mulberry32 } from '../../lib/metrics';
import { predictionsFromProbs } from '../../lib/predict';
import { InvalidConfig, InvalidData } from '../../lib/errors';
import { points, tinyTaxonomy } from '../predict/tiny';

const taxonomy = tinyTaxonomy(); // a, b, unemployed, not_in_labor_force, in_education
const K = taxonomy.size;
const codes = taxonomy.rows.map((r) => r.code);

const row = (probs: Float64Array, i: number) => Array.from(probs.subarray(i * K, (i + 1) * K));

describe('marginal baseline', () => {
  it('is the add-one smoothed distribution of training truths', () => {
    const train = { true_code: ['a', 'a', 'b', 'unemployed'], prev_code: [null, 'a', 'a', 'b'] };
    const model = fitBaseline('marginal', train, taxonomy);
    const probs = model.predict({ prev_code: ['b', null] });
    const expected = [3, 2, 2, 1, 1].map((c) => c / (4 + K));
    row(probs, 0).forEach((p, k) => expect(p).toBeCloseTo(expected[k], 15));
    expect(row(probs, 1)).toEqual(row(probs, 0));
  });
});

describe('markov baseline', () => {
  it('smooths transition counts toward the marginal with a Dirichlet prior', () => {
    const train = { true_code: ['a', 'a', 'b', 'unemployed'], prev_code: [null, 'a', 'a', 'b'] };
    const alpha = 2;
    const model = fitBaseline('markov', train, taxonomy, { alpha });
    expect(model.params).toEqual({ alpha: 2, n_train: 4 });
    const m = [3, 2, 2, 1, 1].map((c) => c / (4 + K));
    const probs = model.predict({ prev_code: ['a', 'b', 'in_education', null] });
    // From a: counts a->a 1, a->b 1 (n_a = 2).
    const fromA = [1, 1, 0, 0, 0].map((c, k) => (c + alpha * m[k]) / (2 + alpha));
    row(probs, 0).forEach((p, k) => expect(p).toBeCloseTo(fromA[k], 15));
    // From b: b->unemployed once.
    const fromB = [0, 0, 1, 0, 0].map((c, k) => (c + alpha * m[k]) / (1 + alpha));
    row(probs, 1).forEach((p, k) => expect(p).toBeCloseTo(fromB[k], 15));
    // Never seen as a previous state, or no previous state: the marginal.
    row(probs, 2).forEach((p, k) => expect(p).toBeCloseTo(m[k], 15));
    row(probs, 3).forEach((p, k) => expect(p).toBeCloseTo(m[k], 15));
    for (let i = 0; i < 4; i++) expect(row(probs, i).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('beats the marginal when transitions are sticky', () => {
    const train = stickyPanel(300, 6, 1);
    const test = stickyPanel(100, 6, 2);
    const score = (name: string) => {
      const probs = fitBaseline(name, train, taxonomy).predict(test);
      return computeMetrics(predictionsFromProbs({ taxonomy, points: test, probs }), taxonomy, { bootstrap: 50 });
    };
    const marginal = score('marginal');
    const markov = score('markov');
    expect(markov.perplexity).toBeLessThan(marginal.perplexity * 0.7);
    expect(markov.ci!.perplexity.hi!).toBeLessThan(marginal.ci!.perplexity.lo!);
    expect(markov.top1).toBeGreaterThan(marginal.top1);
  });

  it('rejects bad options and unknown codes', () => {
    const train = { true_code: ['a'], prev_code: ['zz'] };
    expect(() => fitBaseline('markov', train, taxonomy)).toThrow(InvalidData);
    expect(() => fitBaseline('markov', train, taxonomy)).toThrow(/unknown state codes[\s\S]*row 0: 'zz'/);
    expect(() => fitBaseline('markov', { true_code: ['a'], prev_code: [null] }, taxonomy, { alpha: 0 })).toThrow(/alpha must be a positive number/);
    expect(() => fitBaseline('markov', { true_code: ['a'], prev_code: [null] }, taxonomy, { alhpa: 1 })).toThrow(/'alhpa' \(did you mean 'alpha'\?\)/);
  });
});

describe('baseline registry', () => {
  it('lists baselines and suggests the closest name', () => {
    expect(BASELINE_NAMES).toEqual(['marginal', 'markov', 'markov2', 'markov-gap']);
    expect(getBaseline('markov').name).toBe('markov');
    expect(() => getBaseline('markv')).toThrow(InvalidConfig);
    expect(() => getBaseline('markv')).toThrow(/unknown baseline 'markv' \(did you mean 'markov'\?\); known: marginal, markov, markov2, markov-gap/);
    expect(() => getBaseline('logit')).toThrow(/unknown baseline 'logit'; known/);
  });
});

/** Persons who keep their state with probability 0.85, else jump uniformly. */
function stickyPanel(persons: number, years: number, seed: number) {
  const rng = mulberry32(seed);
  const rows: [string, number, string, string | null][] = [];
  for (let p = 0; p < persons; p++) {
    let prev = codes[Math.floor(rng() * K)];
    for (let y = 1; y < years; y++) {
      const next = rng() < 0.85 ? prev : codes[Math.floor(rng() * K)];
      rows.push([`s${seed}-${p}`, 2000 + y, next, prev]);
      prev = next;
    }
  }
  return points(rows);
}
