import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfig } from '../../lib/errors';
import type { Panel } from '../../lib/panel/panel';
import { loadTaxonomy, type Taxonomy } from '../../lib/panel/taxonomy';
import { validatePanel } from '../../lib/panel/validate';
import { TruthModel, computeOracle, generatePanel } from '../../lib/synth';
import { occupationClusters } from '../../lib/synth/truth';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CENSUS = resolve(ROOT, 'data/taxonomy/census2010.csv');
const bytes = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Checks every oracle row sums to 1 and gives the observed state positive probability. */
function checkOracle(panel: Panel): void {
  const K = panel.taxonomy.size;
  const o = panel.oracle!;
  const py = panel.personYears;
  let k = 0;
  for (let r = 1; r < py.year.length; r++) {
    if (py.person_id[r] !== py.person_id[r - 1]) continue;
    if (o.person_id[k] !== py.person_id[r] || o.year[k] !== py.year[r]) throw new Error(`oracle row ${k} is not prediction point ${r}`);
    let sum = 0;
    for (let j = k * K; j < (k + 1) * K; j++) {
      if (!(o.probs[j] >= 0)) throw new Error(`negative or NaN probability at point ${k}`);
      sum += o.probs[j];
    }
    if (Math.abs(sum - 1) >= 1e-5) throw new Error(`oracle row ${k} sums to ${sum}`);
    if (!(o.probs[k * K + panel.taxonomy.indexOf(py.state[r])] > 0)) throw new Error(`observed state has probability 0 at point ${k}`);
    k++;
  }
  expect(k).toBe(o.year.length);
}

function rate(panel: Panel, include: (person: Panel['persons'][number], r: number) => boolean, kinds: string[]): number {
  const byId = new Map(panel.persons.map((p) => [p.person_id, p]));
  const py = panel.personYears;
  let hit = 0;
  let n = 0;
  for (let r = 0; r < py.year.length; r++) {
    if (!include(byId.get(py.person_id[r])!, r)) continue;
    n++;
    if (kinds.includes(panel.taxonomy.rows[panel.taxonomy.indexOf(py.state[r])].kind)) hit++;
  }
  return hit / n;
}
const NONEMPLOYMENT = ['unemployed', 'not_in_labor_force', 'in_education'];

let taxonomy: Taxonomy;
let survey: Panel;
let resume: Panel;
beforeAll(() => {
  taxonomy = loadTaxonomy('default');
  survey = generatePanel({ taxonomy, population: 'survey', persons: 3000, seed: 11 });
  resume = generatePanel({ taxonomy, population: 'resume', persons: 3000, seed: 11 });
});

describe('generatePanel', () => {
  it('is reproducible by seed, and another seed gives another panel', () => {
    const a = generatePanel({ taxonomy, population: 'survey', persons: 200, seed: 42 });
    const b = generatePanel({ taxonomy, population: 'survey', persons: 200, seed: 42 });
    const c = generatePanel({ taxonomy, population: 'survey', persons: 200, seed: 43 });
    expect(b.persons).toEqual(a.persons);
    expect(b.personYears.person_id).toEqual(a.personYears.person_id);
    expect(b.personYears.state).toEqual(a.personYears.state);
    expect(b.personYears.education).toEqual(a.personYears.education);
    expect(bytes(b.personYears.year).equals(bytes(a.personYears.year))).toBe(true);
    expect(bytes(b.oracle!.probs).equals(bytes(a.oracle!.probs))).toBe(true);
    expect(c.personYears.state).not.toEqual(a.personYears.state);
    expect(c.persons.map((p) => p.birth_year)).not.toEqual(a.persons.map((p) => p.birth_year));
  });

  it('draws each person from its own stream: more persons leave earlier careers unchanged', () => {
    const small = generatePanel({ taxonomy, population: 'resume', persons: 30, seed: 3, oracle: false });
    const big = generatePanel({ taxonomy, population: 'resume', persons: 60, seed: 3, oracle: false });
    const n = small.personYears.state.length;
    expect(big.personYears.state.slice(0, n)).toEqual(small.personYears.state);
    expect(big.personYears.person_id[n]).not.toBe(small.personYears.person_id[n - 1]);
  });

  it('makes a valid panel: waves annual to 1996 then biennial, splits 70/10/20 by person', () => {
    expect(() => validatePanel(survey, 'survey')).not.toThrow();
    const years = survey.personYears.year;
    expect(years.filter((y) => y < 1980 || y > 2020 || (y > 1996 && y % 2 === 1))).toHaveLength(0);
    expect(years.filter((y) => y === 1997 || y === 1999)).toHaveLength(0);
    expect(years.filter((y) => y === 1995).length).toBeGreaterThan(0);
    const counts = { train: 0, valid: 0, test: 0 };
    for (const p of survey.persons) counts[p.split]++;
    expect(counts).toEqual({ train: 2100, valid: 300, test: 600 });
    const rows = new Map<string, number>();
    for (const id of survey.personYears.person_id) rows.set(id, (rows.get(id) ?? 0) + 1);
    expect(rows.size).toBe(3000);
    expect(Math.min(...rows.values())).toBeGreaterThanOrEqual(2);
    const custom = generatePanel({ taxonomy, population: 'survey', persons: 10, seed: 1, firstYear: 2000, lastYear: 2010, biennialAfter: 2004, splits: { train: 0.5, valid: 0.5, test: 0 }, name: 'custom' });
    expect(custom.name).toBe('custom');
    const allowed = new Set([2000, 2001, 2002, 2003, 2004, 2006, 2008, 2010]);
    expect([...custom.personYears.year].filter((y) => !allowed.has(y))).toEqual([]);
    expect(custom.persons.filter((p) => p.split === 'train')).toHaveLength(5);
    expect(generatePanel({ taxonomy, population: 'survey', persons: 5, seed: 1, oracle: false }).oracle).toBeUndefined();
  });

  it('has an oracle that sums to 1 at every prediction point (default taxonomy)', () => {
    checkOracle(survey);
    checkOracle(resume);
  });

  it('has an oracle that sums to 1 with the 538-state Census taxonomy', () => {
    const census = loadTaxonomy(CENSUS);
    expect(census.size).toBe(538);
    const panel = generatePanel({ taxonomy: census, population: 'survey', persons: 150, seed: 5 });
    expect(() => validatePanel(panel, 'census')).not.toThrow();
    checkOracle(panel);
    // Clusters are the taxonomy's occupation groups: codes sharing their first two digits.
    const truth = new TruthModel(census);
    const occ = census.occupationIndices;
    const prefixes = new Set(occ.map((s) => census.rows[s].code.slice(0, 2)));
    expect(truth.nClusters).toBe(prefixes.size);
    for (const m of truth.clusterMembers) expect(new Set([...m].map((s) => census.rows[s].code.slice(0, 2))).size).toBe(1);
    for (let i = 1; i < occ.length; i++) expect(truth.clusterOf[occ[i]]).toBeGreaterThanOrEqual(truth.clusterOf[occ[i - 1]]);
  });

  it('clusters the default taxonomy into families of titles that share words', () => {
    const truth = new TruthModel(taxonomy);
    const titles = (c: number) => [...truth.clusterMembers[c]].map((s) => taxonomy.rows[s].title);
    const managers = truth.clusterOf[taxonomy.rows.findIndex((r) => r.title === 'Financial managers')];
    expect(titles(managers)).toContain('Construction managers');
    expect(titles(managers)).not.toContain('Accountants and auditors');
    const engineers = truth.clusterOf[taxonomy.rows.findIndex((r) => r.title === 'Civil engineers')];
    expect(titles(engineers)).toEqual(expect.arrayContaining(['Mechanical engineers', 'Electrical engineers']));
  });

  it('falls back to contiguous blocks when codes form no groups', () => {
    const codes = Array.from({ length: 40 }, (_, i) => `AA${i}`);
    const blocks = occupationClusters(codes, codes.map((_, i) => i));
    expect(blocks.length).toBe(3);
    expect(blocks.flat()).toEqual(codes.map((_, i) => i));
    const singles = occupationClusters(['1', '2', '3', '4'], [0, 1, 2, 3]);
    expect(singles).toEqual([[0, 1, 2, 3]]);
  });

  it('is the exact law of the draws: oracle expectations match observed frequencies', () => {
    // Over ~50k prediction points the mean oracle probability of each state kind, and of staying
    // in the previous state, must match how often it happened (within sampling error).
    const K = taxonomy.size;
    const py = survey.personYears;
    const o = survey.oracle!;
    const kinds = ['occupation', ...NONEMPLOYMENT];
    const expected = new Map(kinds.map((k) => [k, 0]));
    const observed = new Map(kinds.map((k) => [k, 0]));
    let expStay = 0;
    let obsStay = 0;
    let k = 0;
    for (let r = 1; r < py.year.length; r++) {
      if (py.person_id[r] !== py.person_id[r - 1]) continue;
      for (let j = 0; j < K; j++) {
        const kind = taxonomy.rows[j].kind;
        expected.set(kind, expected.get(kind)! + o.probs[k * K + j]);
      }
      const kind = taxonomy.rows[taxonomy.indexOf(py.state[r])].kind;
      observed.set(kind, observed.get(kind)! + 1);
      expStay += o.probs[k * K + taxonomy.indexOf(py.state[r - 1])];
      if (py.state[r] === py.state[r - 1]) obsStay++;
      k++;
    }
    expect(k).toBeGreaterThan(40000);
    for (const kind of kinds) expect(Math.abs(expected.get(kind)! - observed.get(kind)!) / k).toBeLessThan(0.006);
    expect(Math.abs(expStay - obsStay) / k).toBeLessThan(0.008);
    // Rebuilding the oracle from the panel's columns alone gives the same numbers.
    const rebuilt = computeOracle(survey);
    expect(bytes(rebuilt.probs).equals(bytes(o.probs))).toBe(true);
  });

  it('has subgroup differences that matter', () => {
    const female = rate(survey, (p) => p.gender === 'female', NONEMPLOYMENT);
    const male = rate(survey, (p) => p.gender === 'male', NONEMPLOYMENT);
    expect(female - male).toBeGreaterThan(0.05);
    const edu = (level: string) => rate(survey, (_, r) => survey.personYears.education[r] === level, NONEMPLOYMENT);
    expect(edu('less than high school') - edu("bachelor's degree")).toBeGreaterThan(0.08);
    const black = rate(survey, (p) => p.race === 'Black', ['unemployed']);
    const white = rate(survey, (p) => p.race === 'White', ['unemployed']);
    expect(black / white).toBeGreaterThan(1.5);
    // Cluster propensities shift with gender and education (total variation distance).
    const truth = new TruthModel(taxonomy);
    const tv = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0) / 2;
    expect(tv(truth.clusterPropensities(2, 1, 0, 0), truth.clusterPropensities(2, 0, 0, 0))).toBeGreaterThan(0.15);
    expect(tv(truth.clusterPropensities(0, 1, 0, 0), truth.clusterPropensities(4, 1, 0, 0))).toBeGreaterThan(0.3);
    expect(tv(truth.clusterPropensities(2, 1, 0, 0), truth.clusterPropensities(2, 1, 1, 0))).toBeGreaterThan(0.05);
  });

  it('mixes the resume and survey populations differently', () => {
    const share = (panel: Panel, pred: (p: Panel['persons'][number]) => boolean) => panel.persons.filter(pred).length / panel.persons.length;
    const college = (panel: Panel) => {
      const levels = panel.personYears.education;
      return levels.filter((e) => e === "bachelor's degree" || e === 'graduate degree').length / levels.length;
    };
    expect(college(resume) - college(survey)).toBeGreaterThan(0.2);
    const meanBirth = (panel: Panel) => panel.persons.reduce((s, p) => s + p.birth_year, 0) / panel.persons.length;
    expect(meanBirth(resume) - meanBirth(survey)).toBeGreaterThan(5);
    expect(share(survey, (p) => p.gender === 'female') - share(resume, (p) => p.gender === 'female')).toBeGreaterThan(0.03);
    const all = () => true;
    expect(rate(survey, all, NONEMPLOYMENT) - rate(resume, all, NONEMPLOYMENT)).toBeGreaterThan(0.02);
    expect(resume.persons[0].person_id).toBe('r000001');
    expect(survey.name).toBe('synthetic survey');
  });

  it('rejects invalid options with the key, expectation and value', () => {
    expect(() => generatePanel({ taxonomy, population: 'survey', persons: 0, seed: 1 })).toThrow(InvalidConfig);
    expect(() => generatePanel({ taxonomy, population: 'survey', persons: 0, seed: 1 })).toThrow(/persons must be a positive integer; found 0/);
    expect(() => generatePanel({ taxonomy, population: 'panel' as never, persons: 1, seed: 1 })).toThrow(/population must be one of resume\|survey/);
    expect(() => generatePanel({ taxonomy, population: 'survey', persons: 1, seed: -1 })).toThrow(/seed must be a non-negative integer/);
    expect(() => generatePanel({ taxonomy, population: 'survey', persons: 1, seed: 1, splits: { train: 0.8, valid: 0.2, test: 0.2 } })).toThrow(/splits must be/);
  });
});
