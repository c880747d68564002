import { describe, expect, it } from 'vitest';
import { UNKNOWN_BIRTH_YEAR } from '../../lib/artifacts/contracts';
import { analyzeOneStep, type OneStepAnalysis } from '../../lib/analysis';
import { handPersons, handProbs, handRows, preds, taxonomy } from './fixtures';

const groups = new Map([['a', 'work'], ['b', 'work'], ['unemployed', 'none'], ['not_in_labor_force', 'none'], ['in_education', 'none']]);
const small = { minPersons: 1, minPoints: 1, bootstrap: 0, eceBins: 2, subgroups: [['gender']] };

function result(a: OneStepAnalysis, subgroup: string, model = 'm') {
  const r = a.results.find((x) => x.subgroup === subgroup && x.model === model);
  if (!r) throw new Error(`no result for ${model} / ${subgroup}`);
  return r;
}

describe('analyzeOneStep on a hand-computed case', () => {
  const input = { taxonomy, persons: handPersons, models: [{ name: 'm', predictions: preds(handRows, handProbs) }], groups };

  it('unweighted: distances, rates and calibration of every point counted once', () => {
    const a = analyzeOneStep(input, small);
    expect(a.subgroups.map((g) => [g.id, g.n_persons, g.n_points, g.status])).toEqual([
      ['all', 2, 3, 'ok'], ['gender=female', 1, 2, 'ok'], ['gender=male', 1, 1, 'ok'],
    ]);
    const all = result(a, 'all');
    // e = (1/3, 1/3, 1/3, 0, 0); q = (1/3, 5/12, 1/4, 0, 0).
    expect(all.distances!.state.tv.value).toBeCloseTo(1 / 12, 6);
    expect(all.distances!.state.tv.ci).toBeNull();
    // Groups: e = (2/3, 1/3), q = (3/4, 1/4).
    expect(all.distances!.group!.tv.value).toBeCloseTo(1 / 12, 6);
    // Change: points 2 and 3 both change, p_change 0.5 each. Non-employment: 1 of 3; predicted (0 + 0.25 + 0.5) / 3.
    expect(all.rates!.change).toMatchObject({ n_points: 2, predicted: 0.5, actual: 1, gap: -0.5, ci: null, flagged: null });
    expect(all.rates!.nonemployment.actual).toBeCloseTo(1 / 3, 12);
    expect(all.rates!.nonemployment.predicted).toBeCloseTo(0.25, 6);
    // Confidence 0.5 everywhere (bin 1 of 2); one hit (point 1: first of the tied maxima is the truth).
    expect(all.calibration!.ece.value).toBeCloseTo(Math.abs(1 - 1.5) / 3, 6);
    expect(all.calibration!.bins).toEqual([
      { bin: 0, lo: 0, hi: 0.5, n_points: 0, weight: 0, confidence: null, accuracy: null },
      { bin: 1, lo: 0.5, hi: 1, n_points: 3, weight: 3, confidence: 0.5, accuracy: 1 / 3 },
    ]);
    const male = result(a, 'gender=male');
    // e = (0, 0, 1, 0, 0), q = (0, 0.5, 0.5, 0, 0): m = (0, 0.25, 0.75).
    expect(male.distances!.state.tv.value).toBeCloseTo(0.5, 6);
    const js = (Math.log(1 / 0.75) + 0.5 * Math.log(2) + 0.5 * Math.log(0.5 / 0.75)) / 2 / Math.LN2;
    expect(male.distances!.state.js.value).toBeCloseTo(js, 6);
    const eps = a.method.distances.kl_epsilon;
    const z = 1 + 5 * eps;
    const kl = ((1 + eps) / z) * Math.log((1 + eps) / (0.5 + eps)) + (eps / z) * Math.log(eps / (0.5 + eps));
    expect(male.distances!.state.kl.value).toBeCloseTo(kl, 5);
    expect(a.method.distances.js).toMatch(/base 2/);
    expect(a.method.distances.kl).toMatch(/epsilon 0.000001 added to every state of both/);
  });

  it('survey weights (A 1, B 3) change every statistic as computed by hand', () => {
    const a = analyzeOneStep(input, { ...small, weightColumn: 'weight' });
    expect(a.method.weights).toMatch(/'weight'/);
    const all = result(a, 'all');
    expect(a.subgroups[0].weight).toBe(5);
    // Total weight 5: e = (1/5, 1/5, 3/5, 0, 0); q = (1/5, 0.45, 0.35, 0, 0).
    expect(all.distances!.state.tv.value).toBeCloseTo(0.25, 6);
    // Groups: e = (0.4, 0.6), q = (0.65, 0.35).
    expect(all.distances!.group!.tv.value).toBeCloseTo(0.25, 6);
    expect(all.rates!.nonemployment.actual).toBeCloseTo(0.6, 12);
    expect(all.rates!.nonemployment.predicted).toBeCloseTo(0.35, 6);
    expect(all.rates!.nonemployment.gap).toBeCloseTo(-0.25, 6);
    expect(all.rates!.change.gap).toBeCloseTo(-0.5, 6);
    expect(all.calibration!.ece.value).toBeCloseTo(Math.abs(1 - 2.5) / 5, 6);
    expect(all.calibration!.bins[1]).toMatchObject({ n_points: 3, weight: 5, accuracy: 0.2 });
    // A subgroup of one person: its weight cancels out.
    expect(result(a, 'gender=male').distances!.state.tv.value).toBeCloseTo(0.5, 6);
  });

  it('reports a subgroup below the minimum size as too small, with no statistics', () => {
    const a = analyzeOneStep(input, { ...small, minPersons: 2, minPoints: 3 });
    expect(a.subgroups.map((g) => g.status)).toEqual(['ok', 'too_small', 'too_small']);
    expect(result(a, 'gender=female')).toEqual({ model: 'm', subgroup: 'gender=female', status: 'too_small', distances: null, rates: null, calibration: null });
    expect(result(a, 'all').status).toBe('ok');
    const b = analyzeOneStep(input, { ...small, minPersons: 1, minPoints: 4 });
    expect(b.subgroups.every((g) => g.status === 'too_small')).toBe(true);
  });

  it('without a group map reports no group level', () => {
    const a = analyzeOneStep({ ...input, groups: undefined }, small);
    expect(a.groups).toEqual([]);
    expect(result(a, 'all').distances!.group).toBeUndefined();
  });

  it('education is taken at each point: one person can be in two education subgroups', () => {
    const personYears = {
      person_id: ['A', 'A', 'B'], year: Int32Array.from([2001, 2002, 2001]),
      education: ['high school diploma', "bachelor's degree", "bachelor's degree"],
    };
    const a = analyzeOneStep({ ...input, personYears }, { ...small, subgroups: [['education'], ['gender', 'education'], ['birth_cohort']] });
    expect(a.subgroups.map((g) => [g.id, g.n_persons, g.n_points])).toEqual([
      ['all', 2, 3],
      ['education=high school diploma', 1, 1],
      ["education=bachelor's degree", 2, 2],
      ['gender=female&education=high school diploma', 1, 1],
      ["gender=female&education=bachelor's degree", 1, 1],
      ["gender=male&education=bachelor's degree", 1, 1],
      ['birth_cohort=1960s', 2, 3],
    ]);
    // A birth year the source did not have (CAREER's files) is a cohort of its own, not the "0s".
    const unknownB = { ...input, persons: input.persons.map((p) => (p.person_id === 'B' ? { ...p, birth_year: UNKNOWN_BIRTH_YEAR } : p)) };
    expect(analyzeOneStep(unknownB, { ...small, subgroups: [['birth_cohort']] }).subgroups.map((g) => g.id)).toEqual(['all', 'birth_cohort=1960s', 'birth_cohort=unknown']);
    // Bachelor's: points A2002 (b) and B2001 (unemployed); q = mean of rows 2 and 3.
    const r = result(a, "education=bachelor's degree");
    expect(r.distances!.state.tv.value).toBeCloseTo(0.5 * (0.25 + 0.125 + 0.125), 6);
  });
});
