import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fitBaseline } from '../../lib/baselines';
import { InvalidConfig } from '../../lib/errors';
import { EDUCATION_LEVELS } from '../../lib/panel/panel';
import { generatePanel } from '../../lib/synth';
import {
  baselineSampler, careersFromPanel, educationLevels, educationTransitions, EDUCATION_GAP_CAP, simulateTrajectories, truthEducation, truthSampler,
  type Careers, type Simulation,
} from '../../lib/trajectories';
import { TruthModel } from '../../lib/synth/truth';
import { surveyPanel, taxonomy, testCareers, trainPoints } from './fixtures';

const digest = (a: Int32Array) => createHash('sha256').update(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
const level = (e: string) => (EDUCATION_LEVELS as readonly string[]).indexOf(e);

/** Education of path (p, d) over the prefix's last year and the simulated years: [K-th, +1, ..., +steps]. */
function educationPath(careers: Careers, sim: Simulation, p: number, d: number): string[] {
  const c = sim.careers[p];
  const row = (p * sim.draws + d) * sim.horizon;
  return [careers.education[careers.start[c] + sim.prefixYears - 1], ...(sim.education!.slice(row, row + sim.steps[p]) as string[])];
}

describe("education: 'observed'", () => {
  // Digests of the states drawn before generated education existed (same careers, samplers and options),
  // pinned again when the synthetic truth's clusters became the taxonomy's occupation groups.
  it('leaves the drawn states exactly as they were, whether the option is left out or given', async () => {
    const careers = testCareers(300, 5);
    const o = { prefixYears: 2, horizon: 3, draws: 2, seed: 9 };
    const markov = baselineSampler(fitBaseline('markov', trainPoints(300, 5), taxonomy, { alpha: 1 }));
    for (const options of [o, { ...o, education: 'observed' as const }]) {
      const t = await simulateTrajectories(careers, truthSampler(taxonomy), options);
      const m = await simulateTrajectories(careers, markov, options);
      expect(digest(t.states)).toBe('2acd6e92207285a856d70a6a17eaccf89a08509083d0a2d16aa79810d4965d9f');
      expect(digest(m.states)).toBe('c84521989193c3781b02aebbe614786608db5760a993200179fabf6cb433833f');
      expect(t.education).toBeUndefined();
    }
  });

  it("'generated' without an education model, or an unknown mode, is a configuration error", async () => {
    const careers = testCareers(300, 5);
    const markov = baselineSampler(fitBaseline('markov', trainPoints(300, 5), taxonomy, { alpha: 1 }));
    const o = { prefixYears: 2, horizon: 2, draws: 1, seed: 1 };
    await expect(simulateTrajectories(careers, markov, { ...o, education: 'generated' })).rejects.toThrow(InvalidConfig);
    await expect(simulateTrajectories(careers, markov, { ...o, education: 'generated' }))
      .rejects.toThrow("sampler 'markov' has no education model of its own and no educationModel was given");
    await expect(simulateTrajectories(careers, markov, { ...o, education: 'drawn' as 'generated' }))
      .rejects.toThrow(`education: expected 'observed' or 'generated', found "drawn"`);
  });
});

describe('education from the training transitions (baselines)', () => {
  const panel = surveyPanel(3000, 31);
  const train = careersFromPanel(panel, { split: 'train' });
  const careers = careersFromPanel(panel);
  const levels = educationLevels(panel.personYears.education);
  const model = educationTransitions(train, levels);

  it('gives transitions the data never shows (a fall in education) no probability, and stays put from a level never left', () => {
    expect(levels).toEqual([...EDUCATION_LEVELS]);
    let falls = 0;
    for (let c = 0; c < train.persons.length; c++) {
      for (let r = train.start[c] + 1; r < train.start[c + 1]; r++) if (level(train.education[r]) < level(train.education[r - 1])) falls++;
    }
    expect(falls).toBe(0);
    const L = levels.length;
    for (let p = 0; p < L; p++) {
      for (let g = 0; g < EDUCATION_GAP_CAP; g++) {
        const row = model.probs.subarray((p * EDUCATION_GAP_CAP + g) * L, (p * EDUCATION_GAP_CAP + g + 1) * L);
        expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
        for (let x = 0; x < p; x++) expect(row[x]).toBe(0);
      }
    }
    // The generator never rises two levels between observations, so neither does the model.
    expect(model.probs[(0 * EDUCATION_GAP_CAP + 0) * L + 2]).toBe(0);
    // A level nobody in the training split held before another year only stays.
    const only = educationTransitions({ ...train, persons: [], start: new Int32Array(1) }, levels);
    expect(Array.from(only.probs.subarray(2 * EDUCATION_GAP_CAP * L + 2, 2 * EDUCATION_GAP_CAP * L + 3))).toEqual([1]);
  });

  it("draws education that never falls and rises as often as the training transitions say (within 4.5 standard errors per cell)", async () => {
    const markov = baselineSampler(fitBaseline('markov', trainPoints(3000, 31), taxonomy, { alpha: 1 }));
    const sim = await simulateTrajectories(careers, markov, { prefixYears: 2, horizon: 6, draws: 20, seed: 3, education: 'generated', educationModel: model });
    expect(sim.educationModel).toBe('training transitions');
    const L = levels.length;
    const G = EDUCATION_GAP_CAP;
    const rises = new Float64Array(L * G);
    const trials = new Float64Array(L * G);
    let years = 0;
    sim.careers.forEach((c, p) => {
      for (let d = 0; d < sim.draws; d++) {
        const path = educationPath(careers, sim, p, d);
        for (let t = 1; t < path.length; t++) {
          const [from, to] = [level(path[t - 1]), level(path[t])];
          expect(to === from || to === from + 1).toBe(true);
          const y = careers.start[c] + sim.prefixYears - 1 + t;
          const cell = from * G + Math.min(careers.year[y] - careers.year[y - 1], G) - 1;
          trials[cell]++;
          if (to > from) rises[cell]++;
          years++;
        }
      }
    });
    expect(years).toBe(sim.personYears);
    let cells = 0;
    for (let k = 0; k < L * G; k++) {
      const from = Math.floor(k / G);
      if (from === L - 1 || trials[k] < 200) continue;
      const q = model.probs[k * L + from + 1];
      const z = Math.abs(rises[k] - trials[k] * q) / Math.sqrt(trials[k] * q * (1 - q) + 1e-12);
      expect(z).toBeLessThan(4.5);
      cells++;
    }
    expect(cells).toBeGreaterThanOrEqual(4);
    // The drawn education shows in the contexts of the next draws: it differs from the observed one somewhere.
    const observed = sim.careers.reduce((n, c, p) => n + Number(educationPath(careers, sim, p, 0).some((e, t) => t > 0 && e !== careers.education[careers.start[c] + 1 + t])), 0);
    expect(observed).toBeGreaterThan(0);
  });
});

describe("the synthetic truth's education: the generator's own process", () => {
  // Every person of a large panel: observed careers are draws of the generator's process given their first K years.
  const panel = surveyPanel(3000, 31);
  const careers = careersFromPanel(panel, { split: 'all' });
  const K = 2;
  const H = 8;
  const D = 30;

  it('finds the population a panel was generated from, from its first observed years', () => {
    const truth = new TruthModel(taxonomy);
    expect(truthEducation(truth).population(careers)).toBe('survey');
    const resume = generatePanel({ taxonomy, population: 'resume', persons: 400, seed: 8, oracle: false });
    expect(truthEducation(truth).population(careersFromPanel(resume, { split: 'all' }))).toBe('resume');
  });

  it('draws each level at each horizon as often as the generator shows it (within 4.5 standard errors per level and horizon)', async () => {
    const sim = await simulateTrajectories(careers, truthSampler(taxonomy), { prefixYears: K, horizon: H, draws: D, seed: 6, education: 'generated' });
    expect(sim.educationModel).toBe('truth');
    const L = EDUCATION_LEVELS.length;
    let worst = 0;
    let cells = 0;
    for (let h = 1; h <= H; h++) {
      const observed = new Float64Array(L);
      const expected = new Float64Array(L);
      const variance = new Float64Array(L);
      sim.careers.forEach((c, p) => {
        if (sim.steps[p] < h) return;
        observed[level(careers.education[careers.start[c] + K - 1 + h])]++;
        // The person's simulated distribution at h (D draws), as one observation's expectation and variance.
        const share = new Float64Array(L);
        for (let d = 0; d < D; d++) share[level(sim.education![(p * D + d) * H + h - 1]!)] += 1 / D;
        for (let l = 0; l < L; l++) {
          expected[l] += share[l];
          variance[l] += share[l] * (1 - share[l]);
        }
      });
      for (let l = 0; l < L; l++) {
        if (variance[l] < 5) continue;
        worst = Math.max(worst, Math.abs(observed[l] - expected[l]) / Math.sqrt(variance[l]));
        cells++;
      }
    }
    expect(cells).toBeGreaterThan(20);
    expect(worst).toBeLessThan(4.5);
    // Education moves in the simulation: some paths end higher than their prefix.
    const rose = sim.careers.reduce((n, _, p) => n + Number(level(educationPath(careers, sim, p, 0).at(-1)!) > level(educationPath(careers, sim, p, 0)[0])), 0);
    expect(rose).toBeGreaterThan(50);
  });

  it('keeps each path in its own streams: the batch size changes nothing, the states differ from observed education only through it', async () => {
    const small = testCareers(300, 5);
    const o = { prefixYears: 2, horizon: 4, draws: 3, seed: 2, education: 'generated' as const };
    const a = await simulateTrajectories(small, truthSampler(taxonomy), o);
    const b = await simulateTrajectories(small, truthSampler(taxonomy), { ...o, batchSize: 7 });
    expect(Array.from(b.states)).toEqual(Array.from(a.states));
    expect(b.education).toEqual(a.education);
    // The first simulated year's state is drawn from the same stream as with observed education: the same
    // draw wherever the drawn education equals the observed one.
    const obs = await simulateTrajectories(small, truthSampler(taxonomy), { ...o, education: 'observed' });
    let same = 0;
    let compared = 0;
    a.careers.forEach((c, p) => {
      for (let d = 0; d < o.draws; d++) {
        const k = (p * o.draws + d) * o.horizon;
        if (a.education![k] !== small.education[small.start[c] + o.prefixYears]) continue;
        compared++;
        if (a.states[k] === obs.states[k]) same++;
      }
    });
    expect(compared).toBeGreaterThan(100);
    expect(same).toBe(compared);
  });
});
