import { describe, expect, it } from 'vitest';
import { loadTaxonomy } from '../../lib/panel/taxonomy';
import { Rng, TruthModel } from '../../lib/synth';
import { newStepContext, type StepContext } from '../../lib/synth/truth';

const taxonomy = loadTaxonomy('default');
const truth = new TruthModel(taxonomy);

/** A context built through the model's own bookkeeping: a short history, then a prediction year. */
function context(states: string[], years: number[], edus: number[], nextYear: number, nextEdu: number): StepContext {
  const ctx = newStepContext(16);
  truth.startPerson(ctx, 1, 1, 2, 1965);
  states.forEach((s, i) => {
    truth.prepare(ctx, years[i], edus[i]);
    truth.observe(ctx, years[i], taxonomy.indexOf(s), edus[i]);
  });
  truth.prepare(ctx, nextYear, nextEdu);
  return ctx;
}

describe('TruthModel', () => {
  const cases: Record<string, StepContext> = {
    'employed with a history, biennial gap': context(['1100', '2400', '1100'], [1994, 1995, 1996], [1, 1, 2], 1998, 3),
    'unemployed after a job': context(['2110', 'unemployed'], [1990, 1991], [1, 1], 1992, 1),
    'out of the labor force': context(['2400', 'not_in_labor_force', 'not_in_labor_force'], [1988, 1989, 1990], [1, 1, 1], 1991, 1),
    'in education, degree just earned': context(['in_education', 'in_education'], [1983, 1984], [1, 2], 1985, 3),
  };
  for (const [name, ctx] of Object.entries(cases)) {
    it(`samples from the distribution it writes out: ${name}`, () => {
      const dist = truth.distribution(ctx, new Float64Array(truth.size));
      expect(Math.abs(dist.reduce((s, x) => s + x, 0) - 1)).toBeLessThan(1e-12);
      const draws = 20000;
      const counts = new Float64Array(truth.size);
      const rng = new Rng(1234);
      for (let i = 0; i < draws; i++) counts[truth.sample(ctx, rng)]++;
      let tv = 0;
      for (let s = 0; s < truth.size; s++) {
        tv += Math.abs(counts[s] / draws - dist[s]) / 2;
        if (dist[s] === 0) expect(counts[s]).toBe(0);
      }
      expect(tv).toBeLessThan(0.03);
    });
  }

  it('raises the stay probability with tenure and lowers it across a longer gap', () => {
    const stay = (years: number[], next: number) => {
      const ctx = context(years.map(() => '1100'), years, years.map(() => 3), next, 3);
      return truth.distribution(ctx, new Float64Array(truth.size))[taxonomy.indexOf('1100')];
    };
    expect(stay([1990, 1991, 1992, 1993, 1994], 1995)).toBeGreaterThan(stay([1994], 1995) + 0.1);
    expect(stay([1994], 1996)).toBeLessThan(stay([1994], 1995) - 0.1);
  });

  it('gives earlier occupations a chance to return', () => {
    const withHistory = context(['1600', '2400'], [1990, 1991], [4, 4], 1992, 4);
    const without = context(['2400', '2400'], [1990, 1991], [4, 4], 1992, 4);
    const lawyer = taxonomy.indexOf('1600');
    const d1 = truth.distribution(withHistory, new Float64Array(truth.size))[lawyer];
    const d0 = truth.distribution(without, new Float64Array(truth.size))[lawyer];
    expect(d1).toBeGreaterThan(d0 + 0.02);
    expect(d1).toBeGreaterThan(10 * d0);
  });
});

describe('Rng', () => {
  it('is deterministic and roughly uniform', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const xs = Array.from({ length: 10000 }, () => a.float());
    expect(Array.from({ length: 10000 }, () => b.float())).toEqual(xs);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(new Rng(8).float()).not.toBe(new Rng(7).float());
  });
});
