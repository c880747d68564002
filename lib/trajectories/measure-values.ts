/**
 * The measures at one horizon from a model's and a reference's (weighted) sums: total
 * variation between the normalised state, group and transition sums; differences of the mean
 * distinct occupations and of the share ever non-employed per path.
 */
import { MEASURES, type Measure, type MeasureStat } from './analysis-types';
import type { SumsLayout } from './measures';

export const NMEASURES = MEASURES.length;

/** Writes the NMEASURES values (MEASURES order) of horizon h into out. */
function measureValues(L: SumsLayout, m: Float64Array, r: Float64Array, h: number, out: Float64Array): void {
  const b = L.at(h);
  const mp = m[b + L.paths];
  const rp = r[b + L.paths];
  out[0] = tv(m, r, b, L.K, mp, rp);
  out[1] = tv(m, r, b + L.group, L.G, mp, rp);
  out[2] = tv(m, r, b + L.transition, L.G * L.G, mp, rp);
  out[3] = m[b + L.distinct] / mp - r[b + L.distinct] / rp;
  out[4] = m[b + L.ever] / mp - r[b + L.ever] / rp;
}

/**
 * measureValues for bootstrap replicates: multiplies by the reciprocal of the paths instead of
 * dividing (last-digit differences; the bootstrap spends most of its time here and in the sums).
 */
export function replicateValues(L: SumsLayout, m: Float64Array, r: Float64Array, h: number, out: Float64Array): void {
  const b = L.at(h);
  const im = 1 / m[b + L.paths];
  const ir = 1 / r[b + L.paths];
  out[0] = tvScaled(m, r, b, L.K, im, ir);
  out[1] = tvScaled(m, r, b + L.group, L.G, im, ir);
  out[2] = tvScaled(m, r, b + L.transition, L.G * L.G, im, ir);
  out[3] = m[b + L.distinct] * im - r[b + L.distinct] * ir;
  out[4] = m[b + L.ever] * im - r[b + L.ever] * ir;
}

/** The measures of horizon h with both sides of the means; intervals null (filled by the bootstrap). */
export function measureStats(L: SumsLayout, m: Float64Array, r: Float64Array, h: number): Record<Measure, MeasureStat> {
  const values = new Float64Array(NMEASURES);
  measureValues(L, m, r, h, values);
  const b = L.at(h);
  const side = (s: Float64Array, k: number) => s[b + k] / s[b + L.paths];
  const stat = (i: number, k: number | null): MeasureStat => ({
    value: values[i], model: k === null ? null : side(m, k), reference: k === null ? null : side(r, k), ci: null,
  });
  return {
    occupation_tv: stat(0, null),
    group_tv: stat(1, null),
    transition_tv: stat(2, null),
    distinct_occupations: stat(3, L.distinct),
    ever_nonemployed: stat(4, L.ever),
  };
}

/** Total variation between a[at..at+n] / na and b[at..at+n] / nb. */
function tv(a: Float64Array, b: Float64Array, at: number, n: number, na: number, nb: number): number {
  let s = 0;
  for (let k = at; k < at + n; k++) s += Math.abs(a[k] / na - b[k] / nb);
  return s / 2;
}

/** The same with reciprocals ia = 1 / na, ib = 1 / nb. */
function tvScaled(a: Float64Array, b: Float64Array, at: number, n: number, ia: number, ib: number): number {
  let s = 0;
  for (let k = at; k < at + n; k++) s += Math.abs(a[k] * ia - b[k] * ib);
  return s / 2;
}
