import { describe, expect, it } from 'vitest';
import { buildPredictions, predictionsFromProbs } from '../../lib/predict';
import { InvalidData } from '../../lib/errors';
import { points, tinyTaxonomy } from './tiny';

const taxonomy = tinyTaxonomy(); // a, b, unemployed, not_in_labor_force, in_education

describe('buildPredictions', () => {
  it('renormalises raw log-probabilities over valid titles', () => {
    const raw = [0.4, 0.2, 0.1, 0.05, 0.05]; // mass 0.8
    const p = buildPredictions({
      taxonomy,
      points: points([['p1', 2001, 'b', 'a']]),
      logp: Float64Array.from(raw, Math.log),
    });
    expect(p.n_states).toBe(5);
    expect(p.valid_mass[0]).toBeCloseTo(0.8, 12);
    expect(p.logp_true_raw[0]).toBeCloseTo(Math.log(0.2), 12);
    expect(p.logp_true[0]).toBeCloseTo(Math.log(0.25), 12);
    expect(Array.from(p.probs)).toEqual(Array.from(Float32Array.from([0.5, 0.25, 0.125, 0.0625, 0.0625])));
    expect(p.p_change[0]).toBeCloseTo(0.5, 12); // 1 - P(a)
    expect(p.p_nonemployment[0]).toBeCloseTo(0.25, 12);
    // Ties keep taxonomy order.
    expect(p.top_codes[0]).toEqual(['a', 'b', 'unemployed', 'not_in_labor_force', 'in_education']);
    expect(Array.from(p.top_probs[0])).toEqual(Array.from(Float32Array.from([0.5, 0.25, 0.125, 0.0625, 0.0625])));
  });

  it('is stable for very negative log-probabilities and honours topK', () => {
    const p = buildPredictions({
      taxonomy,
      points: points([['p1', 2001, 'in_education', null]]),
      logp: Float64Array.from([-1000, -1001, -1002, -1003, -999]),
      topK: 2,
    });
    expect(p.valid_mass[0]).toBe(0);
    expect(p.logp_true_raw[0]).toBe(-999);
    expect(Number.isFinite(p.logp_true[0])).toBe(true);
    const sum = Array.from(p.probs).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 6);
    expect(p.top_codes[0]).toEqual(['in_education', 'a']);
    expect(p.p_change[0]).toBeNaN(); // no previous state
    expect(p.prev_code[0]).toBeNull();
  });

  it('reports every bad row at once', () => {
    const logp = new Float64Array(15).fill(Math.log(0.1));
    logp[5] = NaN;
    logp.fill(0, 10, 15); // mass 5: the scorer is wrong
    const err = (() => {
      try {
        buildPredictions({ taxonomy, points: points([['p1', 1, 'a', null], ['p2', 1, 'a', null], ['p3', 1, 'a', null]]), logp });
      } catch (e) {
        return e as InvalidData;
      }
    })();
    expect(err).toBeInstanceOf(InvalidData);
    expect(err!.message).toMatch(/NaN or \+Infinity.*person p2/);
    expect(err!.message).toMatch(/mass above 1.*person p3/);
  });

  it('rejects unknown codes and wrong shapes', () => {
    const logp = new Float64Array(5).fill(Math.log(0.2));
    expect(() => buildPredictions({ taxonomy, points: points([['p1', 1, 'zzz', 'yyy']]), logp })).toThrow(/true_code not in the taxonomy.*'zzz'[\s\S]*prev_code not in the taxonomy.*'yyy'/);
    expect(() => buildPredictions({ taxonomy, points: points([['p1', 1, 'a', null]]), logp: new Float64Array(4) })).toThrow(/expected 1 points x 5 states/);
  });
});

describe('predictionsFromProbs', () => {
  it('uses the distribution as given: raw = constrained, valid mass 1', () => {
    const p = predictionsFromProbs({
      taxonomy,
      points: points([['p1', 2001, 'b', 'b'], ['p2', 2001, 'unemployed', 'a']]),
      probs: Float32Array.from([0.1, 0.6, 0.1, 0.1, 0.1, 0.3, 0.1, 0.2, 0.2, 0.2]),
    });
    expect(Array.from(p.valid_mass)).toEqual([1, 1]);
    expect(Array.from(p.logp_true_raw)).toEqual(Array.from(p.logp_true));
    expect(p.logp_true[0]).toBeCloseTo(Math.log(0.6), 6);
    expect(p.p_change[0]).toBeCloseTo(0.4, 6);
    expect(p.p_nonemployment[1]).toBeCloseTo(0.6, 6);
    expect(p.top_codes[1]).toEqual(['a', 'unemployed', 'not_in_labor_force', 'in_education', 'b']);
  });

  it('rejects rows that are not distributions', () => {
    expect(() =>
      predictionsFromProbs({ taxonomy, points: points([['p1', 1, 'a', null]]), probs: Float64Array.from([0.5, 0.5, 0.5, 0, 0]) }),
    ).toThrow(/do not sum to 1.*sum 1.5/);
    expect(() =>
      predictionsFromProbs({ taxonomy, points: points([['p1', 1, 'a', null]]), probs: Float64Array.from([1.5, -0.5, 0, 0, 0]) }),
    ).toThrow(/negative/);
  });
});
