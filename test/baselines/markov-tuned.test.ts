/**
 * The Markov baselines on careers from a known chain (markov-chain.ts): smoothing chosen on
 * validation, order 2 backing off to order 1, and the gap-aware variant.
 */
import { describe, expect, it } from 'vitest';
import { fitBaseline, SMOOTHING_GRID, type TrainPoints } from '../../lib/baselines';
import { InvalidData } from '../../lib/errors';
import { tinyTaxonomy } from '../predict/tiny';
import { chainTaxonomy, perplexity, sampleCareers, square, stickyChain } from './markov-chain';

const taxonomy = chainTaxonomy(20); // 20 occupations + 3 special states
const K = taxonomy.size;
const P = stickyChain(K, 4, 11);
const careers = (persons: number, seed: number, biennial = 0) =>
  sampleCareers({ taxonomy, P, persons, observations: 11, seed, biennial, prefix: `s${seed}-` });

const rowSums = (probs: Float64Array, n: number) => Array.from({ length: n }, (_, i) => probs.subarray(i * K, (i + 1) * K).reduce((a, b) => a + b, 0));

describe('markov: smoothing chosen on validation', () => {
  const train = careers(3000, 1);
  const valid = careers(1000, 2);
  const test = careers(2000, 3);

  it('is within 2% of the oracle\'s perplexity on a first-order chain', () => {
    const tuned = fitBaseline('markov', train, taxonomy, {}, valid);
    const oracle = perplexity(test.truth, test, taxonomy);
    const ppl = perplexity(tuned.predict(test), test, taxonomy);
    console.log(`first-order chain (${K} states, ${train.true_code.length} train transitions): oracle ${oracle.toFixed(4)}, tuned markov ${ppl.toFixed(4)} (alpha ${tuned.report.smoothing.alpha})`);
    expect(ppl / oracle).toBeLessThan(1.02);
    expect(ppl).toBeGreaterThan(oracle * 0.99);
    expect(tuned.report).toMatchObject({ order: 1, conditions: ['prev'], tuned: true, valid_points: valid.true_code.length, grid: [...SMOOTHING_GRID] });
    expect(SMOOTHING_GRID).toContain(tuned.report.smoothing.alpha);
    expect(tuned.report.valid_log_loss).toBeLessThanOrEqual(tuned.report.add_one_valid_log_loss!);
  });

  it('order 2 on a first-order chain leans on order 1 and stays within 2% of the oracle', () => {
    const m2 = fitBaseline('markov2', train, taxonomy, {}, valid);
    const oracle = perplexity(test.truth, test, taxonomy);
    const ppl = perplexity(m2.predict(test), test, taxonomy);
    console.log(`first-order chain: markov2 ${ppl.toFixed(4)} (smoothing ${JSON.stringify(m2.report.smoothing)})`);
    expect(ppl / oracle).toBeLessThan(1.02);
    // The pair level adds nothing here, so its pseudo-count is large: at least 10 observations' worth.
    expect(m2.report.smoothing.alpha2).toBeGreaterThanOrEqual(10);
  });

  it('every baseline\'s distributions sum to 1 at every point', () => {
    for (const name of ['marginal', 'markov', 'markov2', 'markov-gap']) {
      const probs = fitBaseline(name, train, taxonomy, {}, valid).predict(test);
      expect(probs.length).toBe(test.true_code.length * K);
      expect(Math.max(...rowSums(probs, test.true_code.length).map((s) => Math.abs(s - 1)))).toBeLessThan(1e-6);
      expect(probs.every((p) => p > 0)).toBe(true);
    }
  });

  it('falls back to pseudo-count 1 and says why when the validation split is empty', () => {
    const empty: TrainPoints = { prev_code: [], true_code: [], prev2_code: [], gap: [] };
    const fit = fitBaseline('markov2', train, taxonomy, {}, empty);
    expect(fit.report).toMatchObject({ tuned: false, smoothing: { alpha: 1, alpha2: 1 } });
    expect(fit.report.tuning_note).toMatch(/validation split has no prediction points/);
    expect(fit.report.valid_log_loss).toBeUndefined();
    // Options given: nothing to tune; one given, the other tuned.
    expect(fitBaseline('markov', train, taxonomy, { alpha: 0.5 }, valid).report).toMatchObject({ tuned: false, smoothing: { alpha: 0.5 } });
    const half = fitBaseline('markov2', train, taxonomy, { alpha2: 0.5 }, valid).report;
    expect(half).toMatchObject({ tuned: true, smoothing: { alpha2: 0.5 } });
  });
});

describe('markov2: order 2 backing off to order 1', () => {
  const tiny = tinyTaxonomy(); // a, b, unemployed, not_in_labor_force, in_education
  const k = tiny.size;
  const train: TrainPoints = {
    prev2_code: [null, 'a', 'a', 'b', 'a'],
    prev_code: ['a', 'a', 'b', 'a', 'b'],
    true_code: ['a', 'b', 'a', 'b', 'unemployed'],
  };
  const options = { alpha: 0.5, alpha2: 2 };
  const row = (p: Float64Array, i: number) => Array.from(p.subarray(i * k, (i + 1) * k));

  it('gives an unseen pair, or a missing state two back, exactly the order-1 distribution', () => {
    const m1 = fitBaseline('markov', train, tiny, { alpha: 0.5 });
    const m2 = fitBaseline('markov2', train, tiny, options);
    const at = { prev_code: ['a', 'b', 'a', null], prev2_code: ['unemployed', 'b', null, null] };
    const p1 = m1.predict(at);
    const p2 = m2.predict(at);
    for (let i = 0; i < 4; i++) row(p2, i).forEach((p, j) => expect(p).toBeCloseTo(row(p1, i)[j], 15));
    // No previous state: the marginal.
    const m = [3, 3, 2, 1, 1].map((c) => c / (5 + k));
    row(p2, 3).forEach((p, j) => expect(p).toBeCloseTo(m[j], 15));
  });

  it('mixes a seen pair\'s counts with the order-1 distribution by its pseudo-count', () => {
    const p1 = row(fitBaseline('markov', train, tiny, { alpha: 0.5 }).predict({ prev_code: ['b'] }), 0);
    const p2 = row(fitBaseline('markov2', train, tiny, options).predict({ prev_code: ['b'], prev2_code: ['a'] }), 0);
    // Pair (a, b) was followed by 'a' once and 'unemployed' once.
    const counts = [1, 0, 1, 0, 0];
    p2.forEach((p, j) => expect(p).toBeCloseTo((counts[j] + 2 * p1[j]) / (2 + 2), 15));
  });

  it('beats order 1 where the process is second order, with a pair pseudo-count short of the grid\'s ends', () => {
    // Spells of unemployment are common (15% a year), and after one people go back to the job
    // they held before it.
    const U = taxonomy.indexOf('unemployed');
    const P0 = stickyChain(K, 4, 12);
    for (let j = 0; j < K; j++) {
      if (j === U) continue;
      for (let i = 0; i < K; i++) P0[j * K + i] *= 0.85;
      P0[j * K + U] += 0.15;
    }
    const back = new Float64Array(K);
    const next = (prev2: number, prev: number) => {
      if (prev !== U || prev2 < 0 || prev2 === U) return P0.subarray(prev * K, (prev + 1) * K);
      back.set(P0.subarray(U * K, (U + 1) * K));
      for (let j = 0; j < K; j++) back[j] *= 0.2;
      back[prev2] += 0.8;
      return back;
    };
    const data = (persons: number, seed: number) => sampleCareers({ taxonomy, P: P0, persons, observations: 11, seed, next, prefix: `u${seed}-` });
    const [tr, va, te] = [data(3000, 21), data(1000, 22), data(2000, 23)];
    const m1 = fitBaseline('markov', tr, taxonomy, {}, va);
    const m2 = fitBaseline('markov2', tr, taxonomy, {}, va);
    const [o, p1, p2] = [perplexity(te.truth, te, taxonomy), perplexity(m1.predict(te), te, taxonomy), perplexity(m2.predict(te), te, taxonomy)];
    console.log(`second-order chain: oracle ${o.toFixed(4)}, markov ${p1.toFixed(4)}, markov2 ${p2.toFixed(4)} (smoothing ${JSON.stringify(m2.report.smoothing)})`);
    expect(p2).toBeLessThan(p1 * 0.97);
    expect(p2 / o).toBeLessThan(1.03);
    expect(m2.report.at_grid_edge).not.toContain('alpha2');
  });

  it('names the missing column and bad gaps', () => {
    expect(() => fitBaseline('markov2', { prev_code: ['a'], true_code: ['a'] }, tiny)).toThrow(InvalidData);
    expect(() => fitBaseline('markov2', { prev_code: ['a'], true_code: ['a'] }, tiny)).toThrow(/markov2 baseline: train: the point column 'prev2_code' is missing/);
    expect(() => fitBaseline('markov-gap', { prev_code: ['a', 'a'], true_code: ['a', 'b'], gap: [1, 0] }, tiny)).toThrow(/gap must be a whole number of years >= 1, found 0 at row 1/);
    expect(() => fitBaseline('markov2', train, tiny, { alpha2: -1 })).toThrow(/markov2 baseline: alpha2 must be a positive number, found -1/);
  });
});

describe('markov-gap: conditioning on the gap since the last observed year', () => {
  // Half the gaps are 2 years, where the truth is a row of P^2, not P.
  const train = careers(3000, 31, 0.5);
  const valid = careers(1000, 32, 0.5);
  const test = careers(2000, 33, 0.5);

  it('learns P after one year and P^2 after two, and beats the gap-blind markov', () => {
    const gapModel = fitBaseline('markov-gap', train, taxonomy, {}, valid);
    const plain = fitBaseline('markov', train, taxonomy, {}, valid);
    const oracle = perplexity(test.truth, test, taxonomy);
    const pg = perplexity(gapModel.predict(test), test, taxonomy);
    const pm = perplexity(plain.predict(test), test, taxonomy);
    console.log(`chain observed at gaps 1 and 2: oracle ${oracle.toFixed(4)}, markov ${pm.toFixed(4)}, markov-gap ${pg.toFixed(4)} (smoothing ${JSON.stringify(gapModel.report.smoothing)})`);
    expect(pg).toBeLessThan(pm * 0.99);
    expect(pg / oracle).toBeLessThan(1.02);

    // The same previous state gives different distributions after 1 and 2 years, each near its truth.
    const P2 = square(P, K);
    const probs = gapModel.predict({ prev_code: ['o0', 'o0', 'o0'], gap: [1, 2, 5] });
    const stay = (g: number) => probs[g * K + 0];
    expect(Math.abs(stay(0) - P[0])).toBeLessThan(0.03);
    expect(Math.abs(stay(1) - P2[0])).toBeLessThan(0.03);
    expect(stay(0) - stay(1)).toBeGreaterThan(0.05);
    // Gap 5 is in the 3+ bucket, never seen in training: the gap-blind order-1 distribution.
    const blind = fitBaseline('markov', train, taxonomy, { alpha: gapModel.report.smoothing.alpha }).predict({ prev_code: ['o0'] });
    for (let j = 0; j < K; j++) expect(probs[2 * K + j]).toBeCloseTo(blind[j], 12);
  });
});
