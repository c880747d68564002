import { beforeAll, describe, expect, it } from 'vitest';
import { fitBaseline } from '../../lib/baselines';
import { InvalidConfig, InvalidData } from '../../lib/errors';
import { makeTaxonomy } from '../../lib/panel/taxonomy';
import {
  baselineSampler, careersFromPanel, compareTrajectories, simulateTrajectories, trajectoryTables, truthSampler, MEASURES,
  type Careers, type Simulation, type TrajectoryAnalysis, type TrajectoryOptions, type TrajectoryResult,
} from '../../lib/trajectories';
import { taxonomy, testCareers, trainPoints } from './fixtures';

const careers = testCareers(1500, 8);
const o = { prefixYears: 3, horizon: 5, draws: 4 };
const options: TrajectoryOptions = { subgroups: [['gender'], ['gender', 'race']], minPersons: 25 };
let sims: Simulation[];

beforeAll(async () => {
  const points = trainPoints(1500, 8);
  sims = [
    await simulateTrajectories(careers, truthSampler(taxonomy, 'truth'), { ...o, seed: 1 }),
    await simulateTrajectories(careers, baselineSampler(fitBaseline('marginal', points, taxonomy)), { ...o, seed: 2 }),
  ];
});

const compare = (c: Careers, extra: TrajectoryOptions = {}) => compareTrajectories({ careers: c, simulations: sims, truth: 'truth' }, { ...options, ...extra });
const withWeights = (c: Careers, weight: (i: number) => number | undefined): Careers => ({
  ...c, persons: c.persons.map((p, i) => ({ ...p, weight: weight(i) })),
});
const MEANS = ['distinct_occupations', 'ever_nonemployed'] as const;

describe('survey weights', () => {
  it('weights of 1 give exactly the unweighted numbers; weights: false ignores the persons\' weights', () => {
    const plain = compare(careers);
    expect(plain.method.weights).toMatch(/^uniform/);
    const ones = compare(withWeights(careers, () => 1));
    expect(ones.method.weights).toMatch(/^survey weights/);
    expect(ones.results).toEqual(plain.results);
    expect(ones.transitions).toEqual(plain.transitions);
    expect(ones.subgroups).toEqual(plain.subgroups);
    // Unequal weights move the numbers, unless turned off.
    const uneven = withWeights(careers, (i) => 1 + (i % 3));
    expect(compare(uneven).results).not.toEqual(plain.results);
    expect(compare(uneven, { weights: false }).results).toEqual(plain.results);
  });

  it('bad weights are a clear error naming the persons', () => {
    const bad = withWeights(careers, (i) => (i === 0 ? 0 : i === 1 ? undefined : 2));
    expect(() => compare(bad)).toThrow(InvalidData);
    const id = (i: number) => careers.persons[i].person_id;
    expect(() => compare(bad)).toThrow(new RegExp(`weight not a positive finite number[\\s\\S]*person '${id(0)}': 0`));
    expect(() => compare(bad)).toThrow(new RegExp(`weight missing[\\s\\S]*person '${id(1)}'`));
  });
});

describe('survey weights on a hand case', () => {
  // Occupations a (group 10) and b (group 20) plus the special states; K = 1, horizon 2.
  const tiny = makeTaxonomy([{ code: '1000', title: 'A', kind: 'occupation' }, { code: '2000', title: 'B', kind: 'occupation' }]);
  const [a, b] = [0, 1];
  const py = { person_id: ['p', 'p', 'p', 'q', 'q', 'q'], year: Int32Array.from([1, 2, 3, 1, 2, 3]), state: ['1000', '1000', 'unemployed', '1000', '2000', '2000'], education: new Array(6).fill('some college') };
  const persons = ['p', 'q'].map((id, i) => ({ person_id: id, gender: i ? 'male' : 'female', race: 'r', region: 'x', birth_year: 1970, split: 'test' as const, weight: i ? 2 : 1 }));
  const hand = careersFromPanel({ name: 'hand', taxonomy: tiny, persons, personYears: py });
  // Model: p -> b, b; q -> b, a (one draw each).
  const sim: Simulation = {
    sampler: 'm', prefixYears: 1, horizon: 2, draws: 1, seed: 0, careers: Int32Array.from([0, 1]), steps: Int32Array.from([2, 2]),
    states: Int32Array.from([b, b, b, a]), skipped: 0, personYears: 4,
  };

  it('doubling q\'s weight moves the shares and means as computed by hand', () => {
    const r = compareTrajectories({ careers: hand, simulations: [sim] }, { subgroups: [], minPersons: 1 });
    const [h1, h2] = r.results;
    // Horizon 1: observed p a (1/3), q b (2/3); model b for both: TV = 1/3.
    expect(h1.measures!.occupation_tv.value).toBeCloseTo(1 / 3, 12);
    // Horizon 2: observed unemployed 1/3, b 2/3; model b 1/3, a 2/3: TV = (1/3 + 1/3 + 2/3) / 2.
    expect(h2.measures!.occupation_tv.value).toBeCloseTo(2 / 3, 12);
    // Distinct occupations: model p 1, q 2 -> (1 + 2 x 2) / 3; observed 1 each.
    expect(h2.measures!.distinct_occupations.model).toBeCloseTo(5 / 3, 12);
    expect(h2.measures!.distinct_occupations.reference).toBe(1);
    // Ever non-employed: only p (weight 1 of 3) in the observed careers.
    expect(h2.measures!.ever_nonemployed.reference).toBeCloseTo(1 / 3, 12);
    expect(h2.measures!.ever_nonemployed.value).toBeCloseTo(-1 / 3, 12);
    // Transitions: 10 -> 20 for p and q in year 2 (1 + 2), 20 -> 20 for p (1), 20 -> 10 for q (2) in year 3.
    const model = r.transitions.find((t) => t.source === 'm')!.counts;
    expect(model.slice(0, 2)).toEqual([0, 3]);
    expect(model.slice(5, 7)).toEqual([2, 1]);
  });
});

describe('person-bootstrap intervals', () => {
  let boot: TrajectoryAnalysis;
  beforeAll(() => {
    boot = compare(careers, { bootstrap: 100, seed: 7 });
  });
  const ok = (a: TrajectoryAnalysis) => a.results.filter((r) => r.status === 'ok');
  const width = (rs: TrajectoryResult[], m: (typeof MEASURES)[number]) => rs.reduce((s, r) => s + r.measures![m].ci!.hi! - r.measures![m].ci!.lo!, 0);

  it('are null without bootstrap, and give the same estimates as without', () => {
    const plain = compare(careers);
    for (const r of ok(plain)) for (const m of MEASURES) expect(r.measures![m].ci).toBeNull();
    const strip = (a: TrajectoryAnalysis) => a.results.map((r) => r.measures && MEASURES.map((m) => r.measures![m].value));
    expect(strip(boot)).toEqual(strip(plain));
    expect(boot.method.bootstrap).toMatchObject({ replicates: 100, seed: 7, level: 0.95 });
    expect(plain.method.bootstrap.replicates).toBe(0);
  });

  it('contain the estimate of the means and lie in range for the distances', () => {
    expect(ok(boot).length).toBeGreaterThan(0);
    for (const r of ok(boot)) {
      for (const m of MEASURES) {
        const { value, ci } = r.measures![m];
        expect(ci!.lo).toBeLessThanOrEqual(ci!.hi!);
        if ((MEANS as readonly string[]).includes(m)) {
          expect(ci!.lo).toBeLessThanOrEqual(value);
          expect(ci!.hi).toBeGreaterThanOrEqual(value);
        } else {
          expect(ci!.lo).toBeGreaterThanOrEqual(0);
          expect(ci!.hi).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('narrow as the subgroup grows', () => {
    const of = (id: string) => ok(boot).filter((r) => r.subgroup === id && r.model === 'marginal' && r.reference === 'empirical');
    const all = of('all');
    const half = of('gender=female');
    const small = of('gender=female&race=White');
    expect(all[0].n_persons).toBeGreaterThan(half[0].n_persons);
    expect(half[0].n_persons).toBeGreaterThan(small[0].n_persons);
    for (const m of MEANS) {
      expect(width(all, m)).toBeLessThan(width(half, m));
      expect(width(half, m)).toBeLessThan(width(small, m));
    }
  });

  it('are reproducible with a seed and change with it; the Arrow table carries them', () => {
    expect(compare(careers, { bootstrap: 100, seed: 7 }).results).toEqual(boot.results);
    expect(compare(careers, { bootstrap: 100, seed: 8 }).results).not.toEqual(boot.results);
    const rows = trajectoryTables(boot).trajectory_measures.toArray().map((r) => r.toJSON());
    const r = ok(boot)[3];
    const row = rows.find((x) => x.model === r.model && x.reference === r.reference && x.subgroup === r.subgroup && x.horizon === r.horizon && x.measure === 'ever_nonemployed')!;
    expect([row.ci_lo, row.ci_hi]).toEqual([r.measures!.ever_nonemployed.ci!.lo, r.measures!.ever_nonemployed.ci!.hi]);
    expect(rows.filter((x) => x.status === 'too_small').every((x) => x.ci_lo === null && x.ci_hi === null)).toBe(true);
  });

  it('bad options are a clear error', () => {
    expect(() => compare(careers, { bootstrap: -1, level: 1, seed: 0.5 })).toThrow(InvalidConfig);
    expect(() => compare(careers, { bootstrap: -1, level: 1, seed: 0.5 }))
      .toThrow(/bootstrap: expected a non-negative integer, found -1[\s\S]*seed: expected an integer, found 0.5[\s\S]*level: expected a number in \(0, 1\), found 1/);
  });
});
