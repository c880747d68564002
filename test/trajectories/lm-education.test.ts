import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfig } from '../../lib/errors';
import { createScorer, type Scorer, type ScoreRequest } from '../../lib/lm';
import { continuationFor, getTemplate } from '../../lib/text';
import {
  CareerText, careersFromPanel, educationCandidates, educationLevels, educationSplit, educationTransitions, lmSampler, simulateTrajectories,
  type Careers, type Simulation,
} from '../../lib/trajectories';
import { tinyLlama } from '../lm/fixtures';
import { surveyPanel, taxonomy, testCareers } from './fixtures';

const panel = surveyPanel(120, 9);
const all = careersFromPanel(panel);
// Twenty persons keep the tiny model's scoring (levels x states candidates per context) short.
const careers: Careers = { ...all, persons: all.persons.slice(0, 20), start: all.start.slice(0, 21) };
const levels = educationLevels(panel.personYears.education);
const titles = taxonomy.rows.map((r) => r.title);
const resume = getTemplate('resume');
const o = { prefixYears: 2, horizon: 3, draws: 3, seed: 4, education: 'generated' as const };

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
let eduScorer: Scorer;
let states: ReturnType<typeof recording>;
let edu: ReturnType<typeof recording>;
let sim: Simulation;

beforeAll(async () => {
  scorer = await createScorer({ modelDir: tinyLlama(), candidates: titles, kind: 'fast', threads: 1 });
  eduScorer = await createScorer({ modelDir: tinyLlama(), candidates: educationCandidates(resume, taxonomy, levels)!, kind: 'fast', threads: 1 });
  states = recording(scorer);
  edu = recording(eduScorer);
  sim = await simulateTrajectories(careers, lmSampler({ scorer: states, name: 'tiny', education: { scorer: edu, levels } }), o);
}, 300_000);

afterAll(async () => {
  await scorer?.release();
  await eduScorer?.release();
});

describe('educationSplit', () => {
  it("cuts a year line before the education so that head + ' ' + candidate + '\\n' is the line, for every template that writes education", () => {
    for (const name of ['resume', 'resume-codes', 'resume-no-birth-year']) {
      const t = getTemplate(name);
      const split = educationSplit(t)!;
      for (const year of [1984, 2019]) {
        for (const e of levels) {
          const row = taxonomy.rows[7];
          expect(split.head(year) + ` ${split.candidate(e, row)}\n`).toBe(t.yearPrefix(year, e) + continuationFor(t, row));
        }
      }
      expect(split.head(1993)).toBe('1993');
    }
    expect(educationSplit(getTemplate('resume-no-education'))).toBeNull();
    expect(educationCandidates(resume, taxonomy, levels)).toHaveLength(levels.length * taxonomy.size);
    expect(educationCandidates(resume, taxonomy, levels)![taxonomy.size + 1]).toBe(`(${levels[1]}): ${titles[1]}`);
  });
});

describe('the language model draws education', () => {
  it("draws levels of the panel, and writes them into the next contexts instead of the observed ones", () => {
    const H = o.horizon;
    const text = new CareerText(resume, careers);
    const contexts = new Set(states.batches.flat());
    let changed = 0;
    sim.careers.forEach((c, p) => {
      const first = careers.start[c];
      for (let d = 0; d < o.draws; d++) {
        const k = (p * o.draws + d) * H;
        const n = sim.steps[p];
        const drawn = sim.education!.slice(k, k + n) as string[];
        for (const e of drawn) expect(levels).toContain(e);
        // The context of the last drawn year shows the drawn education of every simulated year.
        const education = [...careers.education.slice(first, first + o.prefixYears), ...drawn];
        const stateList = [...careers.state.subarray(first, first + o.prefixYears), ...sim.states.subarray(k, k + n - 1)];
        let expected = resume.header(careers.dataset, careers.persons[c]);
        stateList.forEach((s, i) => (expected += `${careers.year[first + i]} (${education[i]}): ${titles[s]}\n`));
        expected += `${careers.year[first + stateList.length]} (${education[stateList.length]}):`;
        expect(contexts.has(expected)).toBe(true);
        expect(text.context({ career: c, draw: d, states: Int32Array.from(stateList), education })).toBe(expected);
        if (drawn.some((e, i) => e !== careers.education[first + o.prefixYears + i])) changed++;
      }
    });
    // A random model spreads its mass over the levels: many paths leave the observed education.
    expect(changed).toBeGreaterThan(sim.careers.length);
    // The education contexts end just before the year line's " (": "...\n1993".
    for (const ctx of edu.batches.flat()) expect(ctx).toMatch(/\n\d{4}$/);
    expect(edu.batches).toHaveLength(o.horizon);
  });

  it('draws a level with probability sum over titles of P(" (level): title\\n" | context), renormalised over the levels', async () => {
    const c = sim.careers[0];
    const path = { career: c, draw: 0, states: careers.state.subarray(careers.start[c], careers.start[c] + 2), education: careers.education.slice(careers.start[c], careers.start[c] + 2) };
    const model = lmSampler({ scorer, education: { scorer: eduScorer, levels } }).education!;
    const dist = await model.distributions(careers, [path]);
    const text = new CareerText(resume, careers);
    const [lp] = await eduScorer.score([{ context: text.lines(path) + String(careers.year[careers.start[c] + 2]) }]);
    const S = taxonomy.size;
    const mass = levels.map((_, l) => lp.subarray(l * S, (l + 1) * S).reduce((s, x) => s + Math.exp(x), 0));
    const z = mass.reduce((s, x) => s + x, 0);
    expect(dist.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    levels.forEach((_, l) => expect(dist[l]).toBeCloseTo(mass[l] / z, 10));
  });

  it('gives the same careers and education for the same seed whatever the batch size', async () => {
    const again = await simulateTrajectories(careers, lmSampler({ scorer, name: 'tiny', education: { scorer: eduScorer, levels } }), { ...o, batchSize: 5 });
    expect(Array.from(again.states)).toEqual(Array.from(sim.states));
    expect(again.education).toEqual(sim.education);
  });

  it("with a template that writes no education, the model has no education model: the fallback draws it and contexts show none", async () => {
    const sampler = lmSampler({ scorer: states, template: 'resume-no-education', name: 'plain', education: { scorer: edu, levels } });
    expect(sampler.education).toBeUndefined();
    const fallback = educationTransitions(careersFromPanel(panel, { split: 'train' }), levels);
    const before = states.batches.length;
    const plain = await simulateTrajectories(careers, sampler, { ...o, horizon: 1, educationModel: fallback });
    expect(plain.educationModel).toBe('training transitions');
    for (const ctx of states.batches.slice(before).flat()) expect(ctx).toMatch(/\n\d{4}:$/);
  });

  it("with education 'observed', an education scorer changes nothing: the states drawn before generated education existed", async () => {
    const pinned = testCareers(300, 5);
    const small: Careers = { ...pinned, persons: pinned.persons.slice(0, 20), start: pinned.start.slice(0, 21) };
    const s = await simulateTrajectories(small, lmSampler({ scorer, education: { scorer: eduScorer, levels } }), { prefixYears: 2, horizon: 3, draws: 2, seed: 9 });
    // Pinned again when the synthetic truth's clusters became the taxonomy's occupation groups (new careers).
    expect(createHash('sha256').update(Buffer.from(s.states.buffer)).digest('hex')).toBe('d08b07484e94b6d1e53d2085c52f507ab9da82a57bd56f172798821ebe3c5f60');
  });

  it("rejects an education scorer whose candidates are not educationCandidates(...)", async () => {
    const wrong = Object.assign(Object.create(eduScorer) as Scorer, { candidates: titles });
    const run = simulateTrajectories(careers, lmSampler({ scorer, education: { scorer: wrong, levels } }), o);
    await expect(run).rejects.toThrow(InvalidConfig);
    await expect(simulateTrajectories(careers, lmSampler({ scorer, education: { scorer: wrong, levels } }), o))
      .rejects.toThrow(/education scorer's candidates are not educationCandidates\(template, taxonomy, levels\) \(first difference at index 0: expected '\(less than high school\): /);
  });
});
