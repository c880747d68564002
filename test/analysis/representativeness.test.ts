import { describe, expect, it } from 'vitest';
import { analyzeOneStep, type AnalysisOptions, type OneStepAnalysis } from '../../lib/analysis';
import { biasedFor, empiricalByGenderAndPrev, preds, synthetic, taxonomy } from './fixtures';

// 300 women and 300 men, 6 points each, drawn from a known transition matrix.
const s = synthetic(300, 6, 11);
const models = [
  { name: 'oracle', predictions: preds(s.rows, s.truth), oracle: true },
  { name: 'biased', predictions: preds(s.rows, biasedFor(s, 'female', 0.2)) },
  { name: 'empirical', predictions: preds(s.rows, empiricalByGenderAndPrev(s)) },
];
const input = { taxonomy, persons: s.persons, models, personYears: s.personYears };
const options: AnalysisOptions = { subgroups: [['gender'], ['gender', 'race']], bootstrap: 200, seed: 3 };
const analysis = analyzeOneStep(input, options);

function result(a: OneStepAnalysis, model: string, subgroup: string) {
  const r = a.results.find((x) => x.subgroup === subgroup && x.model === model);
  if (!r || r.status !== 'ok') throw new Error(`no statistics for ${model} / ${subgroup}`);
  return { d: r.distances!.state, rates: r.rates!, ece: r.calibration!.ece };
}

describe('representativeness flags', () => {
  it('a model predicting the empirical distribution has distance 0 and is not flagged', () => {
    for (const g of ['all', 'gender=female', 'gender=male']) {
      const { d, rates } = result(analysis, 'empirical', g);
      expect(d.tv.value).toBeLessThan(1e-6);
      expect(d.js.value).toBeLessThan(1e-6);
      expect(d.kl.value).toBeLessThan(1e-6);
      expect(d.tv.exceeds_oracle).toBe(false);
      expect(rates.change.gap).toBeCloseTo(0, 6);
      expect(rates.nonemployment.gap).toBeCloseTo(0, 6);
      expect(rates.change.flagged).toBe(false);
      expect(rates.nonemployment.flagged).toBe(false);
    }
  });

  it('a model biased for women is flagged for women only', () => {
    const women = result(analysis, 'biased', 'gender=female');
    const men = result(analysis, 'biased', 'gender=male');
    expect(women.rates.nonemployment.flagged).toBe(true);
    expect(women.rates.nonemployment.ci!.lo).toBeGreaterThan(0);
    expect(women.d.tv.exceeds_oracle).toBe(true);
    expect(women.d.tv.minus_oracle!.lo).toBeGreaterThan(0);
    expect(men.rates.nonemployment.flagged).toBe(false);
    expect(men.rates.change.flagged).toBe(false);
    // For men the model is the oracle: every paired replicate differs by exactly 0.
    expect(men.d.tv.minus_oracle).toEqual({ lo: 0, hi: 0 });
    expect(men.d.tv.exceeds_oracle).toBe(false);
    // Intersections with race follow the gender.
    for (const race of ['r1', 'r2']) {
      expect(result(analysis, 'biased', `gender=female&race=${race}`).rates.nonemployment.flagged).toBe(true);
      expect(result(analysis, 'biased', `gender=male&race=${race}`).rates.nonemployment.flagged).toBe(false);
    }
  });

  it("the oracle's row measures sampling noise: a distance above 0 that covers its estimate, never flagged against itself", () => {
    for (const g of ['gender=female', 'gender=male']) {
      const { d, rates } = result(analysis, 'oracle', g);
      expect(d.tv.value).toBeGreaterThan(0);
      expect(d.tv.ci!.lo).toBeLessThanOrEqual(d.tv.value);
      expect(d.tv.ci!.hi).toBeGreaterThanOrEqual(d.tv.value);
      expect(d.tv.minus_oracle).toBeNull();
      expect(d.tv.exceeds_oracle).toBeNull();
      expect(rates.nonemployment.flagged).toBe(false);
    }
    expect(analysis.oracle).toBe('oracle');
  });

  it('the bootstrap is deterministic for a seed and changes with it', () => {
    const again = analyzeOneStep(input, options);
    expect(again).toEqual(analysis);
    const other = analyzeOneStep(input, { ...options, seed: 4 });
    const ci = (a: OneStepAnalysis) => result(a, 'oracle', 'gender=female').d.tv.ci;
    expect(ci(other)).not.toEqual(ci(analysis));
    expect(result(other, 'oracle', 'gender=female').d.tv.value).toBe(result(analysis, 'oracle', 'gender=female').d.tv.value);
    // A subgroup's resamples do not depend on which other subgroups are analysed.
    const alone = analyzeOneStep(input, { ...options, subgroups: [['gender']] });
    expect(result(alone, 'biased', 'gender=female')).toEqual(result(analysis, 'biased', 'gender=female'));
  });

  it('weights: doubling every weight changes nothing, weighting one gender moves the pooled rates', () => {
    const weighted = (w: (gender: string) => number) => ({
      ...input, persons: s.persons.map((p) => ({ ...p, w: w(p.gender) })),
    });
    const doubled = analyzeOneStep(weighted(() => 2), { ...options, weightColumn: 'w' });
    expect(result(doubled, 'biased', 'all').d.tv.value).toBeCloseTo(result(analysis, 'biased', 'all').d.tv.value, 9);
    // Women weigh 3: the pooled gap is (3 * women's gap + men's gap) / 4 when both have the same number of points.
    const tilted = analyzeOneStep(weighted((g) => (g === 'female' ? 3 : 1)), { ...options, weightColumn: 'w', bootstrap: 0 });
    const gap = (a: OneStepAnalysis, g: string) => result(a, 'biased', g).rates.nonemployment.gap!;
    expect(gap(tilted, 'all')).toBeCloseTo((3 * gap(analysis, 'gender=female') + gap(analysis, 'gender=male')) / 4, 9);
  });
});
