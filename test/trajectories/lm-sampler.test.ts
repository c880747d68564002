import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfig } from '../../lib/errors';
import { createScorer, type Scorer, type ScoreRequest } from '../../lib/lm';
import { encodePanel, getTemplate } from '../../lib/text';
import { CareerText, careerLength, careersFromPanel, lmSampler, simulateTrajectories, type Simulation } from '../../lib/trajectories';
import { tinyLlama } from '../lm/fixtures';
import { surveyPanel, taxonomy } from './fixtures';

const panel = surveyPanel(120, 9);
const careers = careersFromPanel(panel);
const titles = taxonomy.rows.map((r) => r.title);
const o = { prefixYears: 2, horizon: 3, draws: 3, seed: 4 };

/** A real scorer that records every batch of contexts it is asked to score. */
function recording(inner: Scorer): Scorer & { batches: string[][] } {
  const batches: string[][] = [];
  return Object.assign(Object.create(inner) as Scorer, {
    batches,
    score: (requests: readonly ScoreRequest[]) => {
      batches.push(requests.map((r) => r.context));
      return inner.score(requests);
    },
  });
}

let scorer: Scorer;
let recorder: ReturnType<typeof recording>;
let sim: Simulation;

beforeAll(async () => {
  scorer = await createScorer({ modelDir: tinyLlama(), candidates: titles, kind: 'fast', threads: 1 });
  recorder = recording(scorer);
  sim = await simulateTrajectories(careers, lmSampler({ scorer: recorder, name: 'tiny' }), o);
}, 300_000);

afterAll(async () => {
  await scorer?.release();
});

describe('lmSampler', () => {
  it("writes an observed prefix exactly as the encoder does: the context of every prediction point", () => {
    const enc = encodePanel(panel, { name: 'resume' });
    const text = new CareerText(getTemplate('resume'), careers);
    const textOf = new Map(enc.texts.person_id.map((id, i) => [id, enc.texts.text[i]]));
    const career = new Map(careers.persons.map((p, c) => [p.person_id, c]));
    let checked = 0;
    enc.points.person_id.forEach((id, i) => {
      const c = career.get(id);
      if (c === undefined) return;
      const k = careers.year.subarray(careers.start[c], careers.start[c + 1]).indexOf(enc.points.year[i]);
      const states = careers.state.subarray(careers.start[c], careers.start[c] + k);
      expect(text.context({ career: c, draw: 0, states })).toBe(textOf.get(id)!.slice(0, enc.points.context_end[i]));
      checked++;
    });
    expect(checked).toBeGreaterThan(100);
  });

  it("draws only valid states, in the person's observed years and education, after the observed prefix", () => {
    const H = o.horizon;
    const template = getTemplate('resume');
    const contexts = new Set(recorder.batches.flat());
    let paths = 0;
    sim.careers.forEach((c, p) => {
      const first = careers.start[c];
      for (let d = 0; d < o.draws; d++) {
        const drawn = Array.from(sim.states.subarray((p * o.draws + d) * H, (p * o.draws + d) * H + sim.steps[p]));
        for (const s of drawn) expect(Number.isInteger(s) && s >= 0 && s < taxonomy.size).toBe(true);
        // The context of the last drawn year: header, the K observed lines, the drawn lines, the next observed year.
        const states = [...careers.state.subarray(first, first + o.prefixYears), ...drawn.slice(0, -1)];
        let expected = template.header(careers.dataset, careers.persons[c]);
        states.forEach((s, i) => (expected += `${careers.year[first + i]} (${careers.education[first + i]}): ${titles[s]}\n`));
        const n = states.length;
        expected += `${careers.year[first + n]} (${careers.education[first + n]}):`;
        expect(contexts.has(expected)).toBe(true);
        paths++;
      }
    });
    expect(paths).toBe(sim.careers.length * o.draws);
    // Every context ends with an observed year and education of its person's career.
    for (const ctx of contexts) expect(ctx).toMatch(/\n\d{4} \([^()\n]+\):$/);
  });

  it('scores the shared context of all draws of a person once, in one batch per simulated year', () => {
    const P = sim.careers.length;
    expect(recorder.batches).toHaveLength(o.horizon);
    expect(recorder.batches[0]).toHaveLength(P);
    expect(new Set(recorder.batches[0]).size).toBe(P);
    expect(recorder.batches[1].length).toBeGreaterThan(P);
    expect(recorder.batches[1].length).toBeLessThanOrEqual(P * o.draws);
  });

  it('samples from the renormalised scores: the same distribution as scoring the context directly', async () => {
    const c = sim.careers[0];
    const states = careers.state.subarray(careers.start[c], careers.start[c] + careerLength(careers, c) - 1);
    const [dist] = [await lmSampler({ scorer }).distributions(careers, [{ career: c, draw: 0, states }])];
    const [lp] = await scorer.score([{ context: new CareerText(getTemplate('resume'), careers).context({ career: c, draw: 0, states }) }]);
    const z = lp.reduce((s, x) => s + Math.exp(x), 0);
    expect(dist.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    for (let k = 0; k < titles.length; k++) expect(dist[k]).toBeCloseTo(Math.exp(lp[k]) / z, 12);
    // A random model spreads its mass: more than a handful of states are drawn.
    expect(new Set(sim.states).size).toBeGreaterThan(10);
  });

  it('gives the same trajectories for the same seed, and other ones for another seed', async () => {
    const again = await simulateTrajectories(careers, lmSampler({ scorer, name: 'tiny' }), { ...o, batchSize: 5 });
    expect(Array.from(again.states)).toEqual(Array.from(sim.states));
    const other = await simulateTrajectories(careers, lmSampler({ scorer, name: 'tiny' }), { ...o, horizon: 1, seed: 5 });
    const first = Array.from({ length: other.states.length }, (_, i) => sim.states[i * o.horizon]);
    expect(Array.from(other.states)).not.toEqual(first);
  });

  it("rejects a scorer whose candidates are not the taxonomy's titles in order", async () => {
    const wrong = Object.assign(Object.create(scorer) as Scorer, { candidates: [...titles].reverse() });
    await expect(simulateTrajectories(careers, lmSampler({ scorer: wrong }), o)).rejects.toThrow(InvalidConfig);
    await expect(simulateTrajectories(careers, lmSampler({ scorer: wrong }), o))
      .rejects.toThrow(`model 'lm': the scorer's candidates are not the taxonomy's titles in taxonomy order (first difference at index 0: expected '${titles[0]}', found '${titles.at(-1)}')`);
  });
});
