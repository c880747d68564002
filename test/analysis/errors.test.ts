import { describe, expect, it } from 'vitest';
import { analyzeOneStep, type AnalysisInput, type AnalysisOptions } from '../../lib/analysis';
import { InvalidConfig, InvalidData } from '../../lib/errors';
import { makeTaxonomy } from '../../lib/panel/taxonomy';
import { handPersons, handProbs, handRows, preds, taxonomy } from './fixtures';

const base: AnalysisInput = { taxonomy, persons: handPersons, models: [{ name: 'm', predictions: preds(handRows, handProbs) }] };
const small: AnalysisOptions = { minPersons: 1, minPoints: 1, bootstrap: 0, subgroups: [['gender']] };

function error(input: AnalysisInput, options: AnalysisOptions = small): Error {
  try {
    analyzeOneStep(input, options);
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected analyzeOneStep to throw');
}

describe('analysis input errors', () => {
  it('a subgroup column missing from the persons', () => {
    const err = error(base, { ...small, subgroups: [['gender', 'religion']] });
    expect(err).toBeInstanceOf(InvalidData);
    expect(err.message).toContain("subgroup column 'religion' missing from persons");
    expect(err.message).toContain('columns: person_id, gender, race, region, birth_year, split, weight');
  });

  it('a person without a value for a subgroup column', () => {
    const persons = [handPersons[0], { ...handPersons[1], region: '' }];
    const err = error({ ...base, persons }, { ...small, subgroups: [['region']] });
    expect(err.message).toContain("cannot assign prediction points to 'region' subgroups");
    expect(err.message).toContain("no value of 'region'");
    expect(err.message).toContain('person B');
  });

  it('education without person-years, and points without a person-year', () => {
    expect(error(base, { ...small, subgroups: [['education']] }).message).toContain("'education' needs person_years");
    const personYears = { person_id: ['A', 'B'], year: Int32Array.from([2001, 2001]), education: ['x', 'y'] };
    const err = error({ ...base, personYears }, { ...small, subgroups: [['education']] });
    expect(err.message).toContain('prediction points without a person-year (education): 1 occurrence; first: person A, year 2002');
  });

  it('predictions missing for some points of another model', () => {
    const other = { name: 'markov', predictions: preds(handRows.slice(0, 2), handProbs.slice(0, 2)) };
    const err = error({ ...base, models: [...base.models, other] });
    expect(err).toBeInstanceOf(InvalidData);
    expect(err.message).toContain("model 'markov' does not predict the same points as 'm'");
    expect(err.message).toContain("points of 'm' missing: 1 occurrence; first: person B, year 2001");
  });

  it('a model whose truth differs at a point', () => {
    const rows = handRows.map((r, i) => (i === 1 ? (['A', 2002, 'a', 'a'] as typeof r) : r));
    const err = error({ ...base, models: [...base.models, { name: 'x', predictions: preds(rows, handProbs) }] });
    expect(err.message).toContain("true_code differs: 1 occurrence; first: row 2 (person A, year 2002): 'a', 'm' has 'b'");
  });

  it('taxonomies that differ', () => {
    const other = makeTaxonomy([{ code: 'a', title: 'Alpha worker', kind: 'occupation' }, { code: 'c', title: 'Gamma worker', kind: 'occupation' }]);
    const err = error({ ...base, models: [{ ...base.models[0], taxonomy: other }] });
    expect(err).toBeInstanceOf(InvalidData);
    expect(err.message).toBe("analysis: model 'm' was evaluated over a different taxonomy: state 2 is 'c' (occupation), expected 'b' (occupation)");
    const wide = { ...base.models[0].predictions, n_states: 6 };
    expect(error({ ...base, models: [{ name: 'w', predictions: wide }] }).message).toContain(
      "model 'w' has distributions over 6 states (15 probabilities for 3 points), the taxonomy has 5 states",
    );
  });

  it('NaN or out-of-range probabilities', () => {
    const p = preds(handRows, handProbs);
    const bad = { ...p, p_change: Float64Array.from(p.p_change, (x, i) => (i === 1 ? 1.5 : x)) };
    expect(error({ ...base, models: [{ name: 'm', predictions: bad }] }).message).toContain(
      "model 'm' has invalid predictions\n  - p_change outside [0, 1] or NaN at a point with a previous state: 1 occurrence; first: row 2: 1.5",
    );
    const nan = { ...p, probs: Float32Array.from(p.probs, (x, i) => (i === 7 ? NaN : x)) };
    expect(error({ ...base, models: [{ name: 'm', predictions: nan }] }).message).toContain('NaN or infinite probabilities in the predictions (subgroup all)');
  });

  it('prediction points of persons not in the persons table', () => {
    const err = error({ ...base, persons: [handPersons[0]] });
    expect(err.message).toContain('prediction points of persons not in persons: 1 occurrence; first: person B (year 2001)');
  });

  it('a group map that does not cover the taxonomy', () => {
    const err = error({ ...base, groups: new Map([['a', 'work'], ['zz', 'work']]) });
    expect(err.message).toContain('occupation group map does not fit the taxonomy');
    expect(err.message).toContain("taxonomy codes without a group: 'b', 'unemployed', 'not_in_labor_force', 'in_education'");
    expect(err.message).toContain("codes not in the taxonomy: 'zz'");
  });

  it('weights: a missing column and invalid values', () => {
    expect(error(base, { ...small, weightColumn: 'wt' }).message).toContain("weight column 'wt' missing from persons");
    const persons = [handPersons[0], { ...handPersons[1], weight: -1 }];
    expect(error({ ...base, persons }, { ...small, weightColumn: 'weight' }).message).toContain('weight not a finite number >= 0: 1 occurrence; first: person B: -1');
  });

  it('bad models and options', () => {
    expect(error({ ...base, models: [] }).message).toContain('no models given');
    const twice = [base.models[0], { ...base.models[0], oracle: true }, { ...base.models[0], name: 'o2', oracle: true }];
    const err = error({ ...base, models: twice });
    expect(err.message).toContain("model name 'm' given twice");
    expect(err.message).toContain("more than one oracle: 'm', 'o2'");
    const bad = error(base, { ...small, bootstrap: -1, level: 1.5, klEpsilon: 0, subgroups: [[], ['gender', 'gender']] });
    expect(bad).toBeInstanceOf(InvalidConfig);
    expect(bad.message).toContain('bootstrap: expected an integer >= 0, found -1');
    expect(bad.message).toContain('level: expected a number in (0, 1), found 1.5');
    expect(bad.message).toContain('klEpsilon: expected a number in (0, 1), found 0');
    const defs = error(base, { ...small, subgroups: [[], ['gender', 'gender']] });
    expect(defs.message).toContain('subgroups[0]: expected a non-empty list of dimensions');
    expect(defs.message).toContain('subgroups[1]: a dimension repeats');
  });
});
