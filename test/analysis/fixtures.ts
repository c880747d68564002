/** Shared inputs for the analysis tests: a tiny hand case and a seeded synthetic panel. */
import { mulberry32 } from '../../lib/metrics/rng';
import type { Taxonomy } from '../../lib/panel/taxonomy';
import { predictionsFromProbs } from '../../lib/predict';
import type { Predictions } from '../../lib/predict/types';
import type { AnalysisPerson } from '../../lib/analysis';
import { points, tinyTaxonomy } from '../predict/tiny';

export const taxonomy: Taxonomy = tinyTaxonomy(); // a, b, unemployed, not_in_labor_force, in_education
export const K = taxonomy.size;

export function person(id: string, gender: string, extra: Partial<AnalysisPerson> = {}): AnalysisPerson {
  return { person_id: id, gender, race: 'r1', region: 'north', birth_year: 1965, split: 'test', ...extra };
}

export type PointRow = [person: string, year: number, truth: string, prev: string | null];

export function preds(rows: PointRow[], probs: number[][]): Predictions {
  return predictionsFromProbs({ taxonomy, points: points(rows), probs: Float64Array.from(probs.flat()) });
}

/**
 * Person A (female, weight 1): 2001 a (no previous), 2002 b (previous a);
 * person B (male, weight 3): 2001 unemployed (previous b).
 */
export const handRows: PointRow[] = [
  ['A', 2001, 'a', null],
  ['A', 2002, 'b', 'a'],
  ['B', 2001, 'unemployed', 'b'],
];
export const handProbs = [
  [0.5, 0.5, 0, 0, 0],
  [0.5, 0.25, 0.25, 0, 0],
  [0, 0.5, 0.5, 0, 0],
];
export const handPersons = [person('A', 'female', { weight: 1 }), person('B', 'male', { weight: 3 })];

/** Transition probabilities by previous state (rows: a, b, unemployed, nilf, in_education), and the first year's. */
const T = [
  [0.6, 0.2, 0.1, 0.05, 0.05],
  [0.2, 0.6, 0.1, 0.05, 0.05],
  [0.3, 0.3, 0.3, 0.05, 0.05],
  [0.2, 0.2, 0.1, 0.45, 0.05],
  [0.3, 0.3, 0.1, 0.05, 0.25],
];
const FIRST = [0.3, 0.3, 0.1, 0.1, 0.2];

export interface Synthetic {
  persons: AnalysisPerson[];
  rows: PointRow[];
  /** The true distribution of each point. */
  truth: number[][];
  personYears: { person_id: string[]; year: Int32Array; education: string[] };
}

/**
 * `perGender` women and as many men, `years` points each, drawn from T; race alternates r1/r2;
 * education changes from 'high school diploma' to 'some college' halfway through each career.
 */
export function synthetic(perGender: number, years: number, seed: number): Synthetic {
  const rng = mulberry32(seed);
  const draw = (p: number[]) => {
    let u = rng();
    for (let k = 0; k < p.length; k++) if ((u -= p[k]) < 0) return k;
    return p.length - 1;
  };
  const codes = taxonomy.rows.map((r) => r.code);
  const persons: AnalysisPerson[] = [];
  const rows: PointRow[] = [];
  const truth: number[][] = [];
  const py = { person_id: [] as string[], year: [] as number[], education: [] as string[] };
  for (let i = 0; i < 2 * perGender; i++) {
    const id = `p${i}`;
    persons.push(person(id, i % 2 ? 'male' : 'female', { race: i % 4 < 2 ? 'r1' : 'r2', birth_year: 1960 + (i % 20) }));
    let prev = -1;
    for (let y = 0; y < years; y++) {
      const p = prev < 0 ? FIRST : T[prev];
      const t = draw(p);
      rows.push([id, 2000 + y, codes[t], prev < 0 ? null : codes[prev]]);
      truth.push(p);
      py.person_id.push(id);
      py.year.push(2000 + y);
      py.education.push(y < years / 2 ? 'high school diploma' : 'some college');
      prev = t;
    }
  }
  return { persons, rows, truth, personYears: { ...py, year: Int32Array.from(py.year) } };
}

/** Moves `shift` of every point's mass to 'unemployed' for persons of `gender`. */
export function biasedFor(s: Synthetic, gender: string, shift: number): number[][] {
  const genderOf = new Map(s.persons.map((p) => [p.person_id, p.gender]));
  const u = taxonomy.indexOf('unemployed');
  return s.truth.map((p, i) => (genderOf.get(s.rows[i][0]) === gender ? p.map((x, k) => (1 - shift) * x + (k === u ? shift : 0)) : p));
}

/** Each point's prediction = the empirical distribution of the truth among points of the same gender and previous state. */
export function empiricalByGenderAndPrev(s: Synthetic): number[][] {
  const genderOf = new Map(s.persons.map((p) => [p.person_id, p.gender]));
  const key = (r: PointRow) => `${genderOf.get(r[0])}|${r[3]}`;
  const counts = new Map<string, number[]>();
  for (const r of s.rows) {
    const c = counts.get(key(r)) ?? new Array(K).fill(0);
    c[taxonomy.indexOf(r[2])]++;
    counts.set(key(r), c);
  }
  return s.rows.map((r) => {
    const c = counts.get(key(r))!;
    const n = c.reduce((a, b) => a + b, 0);
    return c.map((x) => x / n);
  });
}
