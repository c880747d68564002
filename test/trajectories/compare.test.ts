import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { fitBaseline } from '../../lib/baselines';
import { InvalidConfig } from '../../lib/errors';
import { makeTaxonomy } from '../../lib/panel/taxonomy';
import {
  baselineSampler, careersFromPanel, compareTrajectories, simulateTrajectories, truthSampler, writeTrajectoryAnalysis, MEASURES,
  TRAJECTORY_FILES, type Simulation, type TrajectoryAnalysis, type TrajectoryResult,
} from '../../lib/trajectories';
import { taxonomy, testCareers, trainPoints } from './fixtures';

const careers = testCareers(1500, 8);
const o = { prefixYears: 3, horizon: 6, draws: 8 };
let sims: Simulation[];
let analysis: TrajectoryAnalysis;

beforeAll(async () => {
  const points = trainPoints(1500, 8);
  sims = [
    await simulateTrajectories(careers, truthSampler(taxonomy, 'truth'), { ...o, seed: 1 }),
    await simulateTrajectories(careers, truthSampler(taxonomy, 'truth-again'), { ...o, seed: 2 }),
    await simulateTrajectories(careers, baselineSampler(fitBaseline('markov', points, taxonomy, { alpha: 1 })), { ...o, seed: 3 }),
    await simulateTrajectories(careers, baselineSampler(fitBaseline('marginal', points, taxonomy)), { ...o, seed: 4 }),
  ];
  analysis = compareTrajectories({ careers, simulations: sims, truth: 'truth' }, { subgroups: [['gender'], ['education'], ['gender', 'race']], minPersons: 25 });
});

const pick = (model: string, reference: string, subgroup = 'all') =>
  analysis.results.filter((r) => r.model === model && r.reference === reference && r.subgroup === subgroup);
const total = (rs: TrajectoryResult[], m: (typeof MEASURES)[number]) => rs.reduce((s, r) => s + Math.abs(r.measures![m].value), 0);

describe('compareTrajectories', () => {
  it("a sampler compared with itself (another seed) is closer than other samplers, on every measure summed over horizons", () => {
    const self = pick('truth-again', 'truth');
    expect(self).toHaveLength(o.horizon);
    for (const other of ['markov', 'marginal']) {
      const rs = pick(other, 'truth');
      for (const m of ['occupation_tv', 'transition_tv'] as const) expect(total(self, m)).toBeLessThan(total(rs, m));
    }
    // The marginal baseline forgets the career: far more distinct occupations and transitions.
    for (const m of MEASURES) expect(total(self, m)).toBeLessThan(total(pick('marginal', 'truth'), m));
    // Against the observed careers, too: the truth is closer than the marginal baseline.
    for (const m of MEASURES) expect(total(pick('truth', 'empirical'), m)).toBeLessThan(total(pick('marginal', 'empirical'), m));
  });

  it('compares every model with the empirical careers, and every model but the truth with the truth', () => {
    expect(analysis.references).toEqual(['empirical', 'truth']);
    expect(pick('truth', 'truth')).toHaveLength(0);
    const subgroups = analysis.subgroups.length;
    expect(analysis.results).toHaveLength((4 + 3) * subgroups * o.horizon);
    expect(analysis.subgroups.map((g) => g.id).slice(0, 3)).toEqual(['all', 'gender=female', 'gender=male']);
    expect(analysis.subgroups[0].n_persons).toBe(sims[0].careers.length);
    // Rates: the reference side is the same for every model; horizon by horizon they can only grow.
    const emp = pick('markov', 'empirical').map((r) => r.measures!.ever_nonemployed.reference!);
    expect(pick('marginal', 'empirical').map((r) => r.measures!.ever_nonemployed.reference)).toEqual(emp);
    for (let h = 1; h < emp.length; h++) expect(emp[h]).toBeGreaterThanOrEqual(emp[h - 1] - 0.1);
  });

  it('marks subgroups too small at the horizons where they have fewer persons than minPersons', () => {
    const byHorizon = pick('markov', 'empirical', 'all');
    const persons = byHorizon.map((r) => r.n_persons);
    for (let h = 1; h < persons.length; h++) expect(persons[h]).toBeLessThanOrEqual(persons[h - 1]);
    const small = analysis.results.filter((r) => r.status === 'too_small');
    expect(small.length).toBeGreaterThan(0);
    for (const r of small) {
      expect(r.n_persons).toBeLessThan(25);
      expect(r.measures).toBeNull();
    }
    for (const r of analysis.results.filter((x) => x.status === 'ok')) expect(r.n_persons).toBeGreaterThanOrEqual(25);
    const tooSmall = analysis.subgroups.filter((g) => g.status === 'too_small').map((g) => g.id);
    expect(analysis.transitions.some((t) => tooSmall.includes(t.subgroup))).toBe(false);
  });

  it('unknown subgroup dimensions and inconsistent simulations are clear errors', () => {
    expect(() => compareTrajectories({ careers, simulations: sims }, { subgroups: [['gendr'], ['race', 'birth_year_x']] }))
      .toThrow(InvalidConfig);
    expect(() => compareTrajectories({ careers, simulations: sims }, { subgroups: [['gendr']] }))
      .toThrow(/unknown subgroup dimension[\s\S]*subgroups\[0\]: unknown dimension 'gendr' \(did you mean 'gender'\?\)/);
    expect(() => compareTrajectories({ careers, simulations: sims, truth: 'oracle' })).toThrow(/truth 'oracle' is not one of the simulations \(truth, truth-again, markov, marginal\)/);
    const shorter = { ...sims[2], horizon: 5 };
    expect(() => compareTrajectories({ careers, simulations: [sims[0], shorter] })).toThrow(/'markov' simulates K = 3, horizon 5; 'truth' K = 3, horizon 6/);
    expect(() => compareTrajectories({ careers, simulations: [sims[0], sims[0]] })).toThrow(/model names repeat: truth/);
  });

  it('writes the JSON and the long-format Arrow tables, one row per model, reference, subgroup, horizon and measure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'labor-llm-trajectories-'));
    try {
      const paths = writeTrajectoryAnalysis(dir, analysis);
      expect(paths.map((p) => p.slice(dir.length + 1)).sort()).toEqual(Object.values(TRAJECTORY_FILES).sort());
      expect(JSON.parse(readFileSync(join(dir, TRAJECTORY_FILES.json), 'utf8'))).toEqual(JSON.parse(JSON.stringify(analysis)));
      const m = tableFromIPC(readFileSync(join(dir, TRAJECTORY_FILES.trajectory_measures)));
      expect(m.schema.fields.map((f) => f.name)).toEqual([
        'model', 'reference', 'subgroup', 'dimensions', 'status', 'n_persons', 'horizon', 'measure', 'value', 'model_value', 'reference_value', 'ci_lo', 'ci_hi',
      ]);
      expect(m.numRows).toBe(analysis.results.length * MEASURES.length);
      const rows = m.toArray().map((r) => r.toJSON());
      const one = rows.find((r) => r.model === 'markov' && r.reference === 'truth' && r.subgroup === 'all' && r.horizon === 2 && r.measure === 'distinct_occupations')!;
      const stat = pick('markov', 'truth')[1].measures!.distinct_occupations;
      expect([one.value, one.model_value, one.reference_value, one.dimensions]).toEqual([stat.value, stat.model, stat.reference, 'all']);
      expect(rows.filter((r) => r.status === 'too_small').every((r) => r.value === null)).toBe(true);
      const t = tableFromIPC(readFileSync(join(dir, TRAJECTORY_FILES.trajectory_transitions)));
      const G = analysis.groups.length;
      expect(t.numRows).toBe(analysis.transitions.length * G * G);
      const share = t.toArray().map((r) => r.toJSON()).filter((r) => r.source === 'empirical' && r.subgroup === 'all' && r.from_group === 'unemployed');
      expect(share.reduce((s, r) => s + r.share, 0)).toBeCloseTo(1, 9);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('compareTrajectories on a hand case', () => {
  // Occupations a (group 10) and b (group 20) plus the special states; K = 1, horizon 2.
  const tiny = makeTaxonomy([{ code: '1000', title: 'A', kind: 'occupation' }, { code: '2000', title: 'B', kind: 'occupation' }]);
  const [a, b] = [0, 1];
  const py = { person_id: ['p', 'p', 'p', 'q', 'q', 'q'], year: Int32Array.from([1, 2, 3, 1, 2, 3]), state: ['1000', '1000', 'unemployed', '1000', '2000', '2000'], education: new Array(6).fill('some college') };
  const persons = ['p', 'q'].map((id, i) => ({ person_id: id, gender: i ? 'male' : 'female', race: 'r', region: 'x', birth_year: 1970, split: 'test' as const }));
  const hand = careersFromPanel({ name: 'hand', taxonomy: tiny, persons, personYears: py });
  // Model: p -> b, b; q -> b, a (one draw each).
  const sim: Simulation = {
    sampler: 'm', prefixYears: 1, horizon: 2, draws: 1, seed: 0, careers: Int32Array.from([0, 1]), steps: Int32Array.from([2, 2]),
    states: Int32Array.from([b, b, b, a]), skipped: 0, personYears: 4,
  };

  it('computes each measure as defined', () => {
    const r = compareTrajectories({ careers: hand, simulations: [sim] }, { subgroups: [['gender']], minPersons: 1 });
    const [h1, h2] = r.results.filter((x) => x.subgroup === 'all');
    // Horizon 1: observed (a, b), model (b, b).
    expect(h1.measures!.occupation_tv.value).toBeCloseTo(0.5, 12);
    // Transitions into year 2: observed 10->10, 10->20; model 10->20, 10->20.
    expect(h1.measures!.transition_tv.value).toBeCloseTo(0.5, 12);
    // Horizon 2: observed (unemployed, b), model (b, a): half the mass on b is shared, TV = 0.5.
    expect(h2.measures!.occupation_tv.value).toBeCloseTo(0.5, 12);
    expect(h2.measures!.distinct_occupations).toEqual({ value: 0.5, model: 1.5, reference: 1, ci: null });
    expect(h2.measures!.ever_nonemployed).toEqual({ value: -0.5, model: 0, reference: 0.5, ci: null });
    expect(h1.measures!.ever_nonemployed).toEqual({ value: 0, model: 0, reference: 0, ci: null });
    expect(r.groups).toEqual(['10', '20', 'unemployed', 'not_in_labor_force', 'in_education']);
    const model = r.transitions.find((t) => t.source === 'm' && t.subgroup === 'all')!.counts;
    // 10 -> 20 twice (p and q in year 2), 20 -> 20 once (p in year 3), 20 -> 10 once (q in year 3).
    expect(model.slice(0, 2)).toEqual([0, 2]);
    expect(model.slice(5, 7)).toEqual([1, 1]);
    expect(r.results.filter((x) => x.subgroup === 'gender=female').map((x) => x.measures!.occupation_tv.value)).toEqual([1, 1]);
  });
});
