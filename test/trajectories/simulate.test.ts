import { describe, expect, it } from 'vitest';
import { InvalidConfig, InvalidData } from '../../lib/errors';
import { fitBaseline } from '../../lib/baselines';
import { encodePanel } from '../../lib/text';
import {
  baselineSampler, careerLength, careersFromPanel, simulateTrajectories, truthSampler, type Careers, type NextStateSampler,
} from '../../lib/trajectories';
import { surveyPanel, taxonomy, testCareers } from './fixtures';

const careers = testCareers(600, 21);

describe('simulateTrajectories', () => {
  it('gives the same trajectories for the same seed, whatever the batch size, and others for another seed', async () => {
    const o = { prefixYears: 2, horizon: 5, draws: 3, seed: 11 };
    const a = await simulateTrajectories(careers, truthSampler(taxonomy), o);
    const b = await simulateTrajectories(careers, truthSampler(taxonomy), { ...o, batchSize: 7 });
    const c = await simulateTrajectories(careers, truthSampler(taxonomy), { ...o, seed: 12 });
    expect(a.personYears).toBeGreaterThan(1000);
    expect(Array.from(b.states)).toEqual(Array.from(a.states));
    const differ = a.states.filter((s, i) => s !== c.states[i]).length;
    expect(differ).toBeGreaterThan(a.personYears / 10);
  });

  it("draws a person's careers from its own streams: simulating more persons leaves theirs unchanged", async () => {
    const all = careersFromPanel(surveyPanel(600, 21), { split: 'all' });
    const o = { prefixYears: 2, horizon: 4, draws: 2, seed: 5 };
    const few = await simulateTrajectories(careers, truthSampler(taxonomy), o);
    const many = await simulateTrajectories(all, truthSampler(taxonomy), o);
    expect(many.careers.length).toBeGreaterThan(few.careers.length * 3);
    const slotOf = new Map(Array.from(many.careers, (c, p) => [all.persons[c].person_id, p]));
    const row = 2 * 4;
    few.careers.forEach((c, p) => {
      const q = slotOf.get(careers.persons[c].person_id)!;
      expect(Array.from(many.states.subarray(q * row, (q + 1) * row))).toEqual(Array.from(few.states.subarray(p * row, (p + 1) * row)));
    });
  });

  it('simulates each person only over observed years after the K-th, and skips persons observed K years or fewer', async () => {
    const K = 3;
    const H = 6;
    const sim = await simulateTrajectories(careers, truthSampler(taxonomy), { prefixYears: K, horizon: H, draws: 2, seed: 1 });
    const lens = careers.persons.map((_, i) => careerLength(careers, i));
    expect(sim.skipped).toBe(lens.filter((l) => l <= K).length);
    expect(sim.skipped).toBeGreaterThan(0);
    expect(sim.careers.length + sim.skipped).toBe(careers.persons.length);
    let total = 0;
    sim.careers.forEach((c, p) => {
      expect(sim.steps[p]).toBe(Math.min(H, lens[c] - K));
      for (let d = 0; d < 2; d++) {
        for (let t = 0; t < H; t++) {
          const s = sim.states[(p * 2 + d) * H + t];
          if (t < sim.steps[p]) expect(s >= 0 && s < taxonomy.size).toBe(true);
          else expect(s).toBe(-1);
        }
      }
      total += 2 * sim.steps[p];
    });
    expect(sim.personYears).toBe(total);
  });

  it("truth sampler: its distribution at an observed prefix is the generator's oracle at the next year", async () => {
    const panel = surveyPanel(600, 21);
    const oracle = panel.oracle!;
    const S = taxonomy.size;
    const row = new Map(oracle.person_id.map((id, i) => [`${id}/${oracle.year[i]}`, i]));
    const batch = careers.persons.flatMap((_, c) => {
      const len = careerLength(careers, c);
      return [1, 4, len - 1].filter((k) => k >= 1 && k < len).map((k) => ({ career: c, draw: 0, states: careers.state.subarray(careers.start[c], careers.start[c] + k) }));
    });
    const dist = await truthSampler(taxonomy).distributions(careers, batch);
    let maxDiff = 0;
    batch.forEach((b, j) => {
      const c = b.career;
      const i = row.get(`${careers.persons[c].person_id}/${careers.year[careers.start[c] + b.states.length]}`)!;
      for (let k = 0; k < S; k++) maxDiff = Math.max(maxDiff, Math.abs(dist[j * S + k] - oracle.probs[i * S + k]));
    });
    expect(batch.length).toBeGreaterThan(300);
    expect(maxDiff).toBeLessThan(1e-6);
  });

  it("truth sampler: simulated one-step frequencies match the truth's probabilities (within 4.5 standard errors per state)", async () => {
    const K = 3;
    const N = 600;
    const sim = await simulateTrajectories(careers, truthSampler(taxonomy), { prefixYears: K, horizon: 1, draws: N, seed: 2 });
    const S = taxonomy.size;
    const P = sim.careers.length;
    const observed = new Float64Array(S);
    for (let i = 0; i < P * N; i++) observed[sim.states[i]]++;
    // Expected counts and variances from the true distribution of each person's (K+1)-th year.
    const batch = Array.from(sim.careers, (c) => ({ career: c, draw: 0, states: careers.state.subarray(careers.start[c], careers.start[c] + K) }));
    const dist = await truthSampler(taxonomy).distributions(careers, batch);
    const expected = new Float64Array(S);
    const variance = new Float64Array(S);
    for (let p = 0; p < P; p++) {
      for (let k = 0; k < S; k++) {
        const q = dist[p * S + k];
        expected[k] += N * q;
        variance[k] += N * q * (1 - q);
      }
    }
    let worst = 0;
    let chi2 = 0;
    let cells = 0;
    for (let k = 0; k < S; k++) {
      if (variance[k] > 0) worst = Math.max(worst, Math.abs(observed[k] - expected[k]) / Math.sqrt(variance[k]));
      else expect(observed[k]).toBe(0); // a state the truth excludes is never drawn
      if (expected[k] >= 5) {
        chi2 += (observed[k] - expected[k]) ** 2 / variance[k];
        cells++;
      }
    }
    expect(P * N).toBeGreaterThan(60_000);
    expect(worst).toBeLessThan(4.5);
    // Sum of squared standardised deviations: mean `cells`, sd about sqrt(2 * cells).
    expect(chi2).toBeLessThan(cells + 5 * Math.sqrt(2 * cells));
  });

  it('baseline sampler: a fitted Markov chain draws valid states, staying put about as often as it predicts', async () => {
    const panel = surveyPanel(600, 21);
    const enc = encodePanel(panel, { name: 'resume' });
    const train = enc.points.split.map((s, i) => (s === 'train' ? i : -1)).filter((i) => i >= 0);
    const fitted = fitBaseline('markov', { prev_code: train.map((i) => enc.points.prev_code[i]), true_code: train.map((i) => enc.points.true_code[i]) }, taxonomy, { alpha: 1 });
    const N = 50;
    const sim = await simulateTrajectories(careers, baselineSampler(fitted), { prefixYears: 2, horizon: 1, draws: N, seed: 3 });
    expect(sim.sampler).toBe('markov');
    const prev = Array.from(sim.careers, (c) => taxonomy.rows[careers.state[careers.start[c] + 1]].code);
    const probs = fitted.predict({ prev_code: prev });
    const S = taxonomy.size;
    let stays = 0;
    let expected = 0;
    sim.careers.forEach((c, p) => {
      const last = careers.state[careers.start[c] + 1];
      expected += N * probs[p * S + last];
      for (let d = 0; d < N; d++) if (sim.states[p * N + d] === last) stays++;
    });
    expect(Math.abs(stays - expected)).toBeLessThan(5 * Math.sqrt(expected));
  });

  it('a horizon no career reaches fails, naming K, the horizon and the longest career', async () => {
    const longest = Math.max(...careers.persons.map((_, i) => careerLength(careers, i)));
    const run = () => simulateTrajectories(careers, truthSampler(taxonomy), { prefixYears: 2, horizon: longest, draws: 1, seed: 1 });
    await expect(run()).rejects.toThrow(InvalidConfig);
    await expect(run()).rejects.toThrow(new RegExp(`horizon ${longest} after the first K = 2 observed years .* at least ${longest + 2} .*longest career has ${longest} `));
    // The longest reachable horizon works.
    const ok = await simulateTrajectories(careers, truthSampler(taxonomy), { prefixYears: 2, horizon: longest - 2, draws: 1, seed: 1 });
    expect(Math.max(...ok.steps)).toBe(longest - 2);
  });

  it('rejects bad options, all problems at once, and a sampler that returns no probabilities', async () => {
    const bad = simulateTrajectories(careers, truthSampler(taxonomy), { prefixYears: 0, horizon: 2.5, draws: 0, seed: -1 });
    await expect(bad).rejects.toThrow(/prefixYears: expected a positive integer, found 0[\s\S]*horizon: .* 2.5[\s\S]*draws: .* 0[\s\S]*seed: .* -1/);
    const broken: NextStateSampler = { name: 'broken', distributions: async (_c: Careers, b) => new Float64Array(b.length * taxonomy.size).fill(0.5) };
    await expect(simulateTrajectories(careers, broken, { prefixYears: 1, horizon: 1, draws: 1, seed: 1 })).rejects.toThrow(/sampler 'broken' gave person '.*' \(draw 0, year \d+\) a distribution that is not probabilities: sum 56/);
  });

  it('truth sampler: covariates the generator does not use are an error naming the person', async () => {
    const odd = { ...careers, persons: careers.persons.map((p, i) => (i === 0 ? { ...p, race: 'Martian' } : p)) };
    await expect(simulateTrajectories(odd, truthSampler(taxonomy), { prefixYears: 1, horizon: 1, draws: 1, seed: 1 }))
      .rejects.toThrow(InvalidData);
    await expect(simulateTrajectories(odd, truthSampler(taxonomy), { prefixYears: 1, horizon: 1, draws: 1, seed: 1 }))
      .rejects.toThrow(new RegExp(`race not one the generator uses .*person '${careers.persons[0].person_id}': 'Martian'`));
  });
});
