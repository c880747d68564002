import { describe, expect, it } from 'vitest';
import { oraclePredictions } from '../../lib/baselines';
import { InvalidData } from '../../lib/errors';
import type { Oracle } from '../../lib/panel/panel';
import { points, tinyTaxonomy } from '../predict/tiny';

const taxonomy = tinyTaxonomy();

const oracle: Oracle = {
  person_id: ['A', 'A', 'B'],
  year: Int32Array.from([2002, 2004, 2003]),
  probs: Float32Array.from([
    0.6, 0.1, 0.1, 0.1, 0.1,
    0.2, 0.5, 0.1, 0.1, 0.1,
    0.1, 0.1, 0.1, 0.1, 0.6,
  ]),
};

describe('oraclePredictions', () => {
  it('matches points to oracle rows by person and year, in the points order', () => {
    const pts = points([
      ['B', 2003, 'in_education', 'b'],
      ['A', 2004, 'a', 'a'],
    ]);
    const p = oraclePredictions(oracle, pts, taxonomy);
    expect(p.person_id).toEqual(['B', 'A']);
    expect(Array.from(p.probs.subarray(0, 5))).toEqual(Array.from(oracle.probs.subarray(10, 15)));
    expect(Array.from(p.probs.subarray(5, 10))).toEqual(Array.from(oracle.probs.subarray(5, 10)));
    expect(p.logp_true[0]).toBeCloseTo(Math.log(0.6), 6);
    expect(p.logp_true[1]).toBeCloseTo(Math.log(0.2), 6);
    expect(Array.from(p.valid_mass)).toEqual([1, 1]);
    expect(p.p_change[1]).toBeCloseTo(0.8, 6);
    expect(p.top_codes[0][0]).toBe('in_education');
  });

  it('names the points the oracle lacks', () => {
    const pts = points([
      ['A', 2002, 'a', 'a'],
      ['A', 2003, 'a', 'a'],
      ['C', 2002, 'a', null],
    ]);
    expect(() => oraclePredictions(oracle, pts, taxonomy)).toThrow(InvalidData);
    expect(() => oraclePredictions(oracle, pts, taxonomy)).toThrow(/no row for 2 of 3 prediction points; first: person A year 2003; person C year 2002/);
  });

  it('checks the oracle width against the taxonomy', () => {
    expect(() => oraclePredictions({ ...oracle, probs: oracle.probs.subarray(0, 12) }, points([]), taxonomy)).toThrow(/expected 3 x 5 states/);
  });
});
