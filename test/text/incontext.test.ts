import { describe, expect, it } from 'vitest';
import { encodePanel, END_MARKER } from '../../lib/text';
import { drawWithout, exampleSampler, fitExamples } from '../../lib/text/incontext';
import { generatePanel } from '../../lib/synth';
import { loadTaxonomy } from '../../lib/panel/taxonomy';

const panel = generatePanel({ taxonomy: loadTaxonomy('default'), population: 'survey', persons: 60, seed: 3, oracle: false });
const { texts, points } = encodePanel(panel, { name: 'resume' });
const textOf = new Map(texts.person_id.map((id, i) => [id, texts.text[i]]));
const splitOf = new Map(texts.person_id.map((id, i) => [id, texts.split[i]]));
const genderOf = new Map(panel.persons.map((p) => [p.person_id, p.gender]));
const trainTexts = new Set(texts.text.filter((_, i) => texts.split[i] === 'train'));
const contextOf = (i: number) => textOf.get(points.person_id[i])!.slice(0, points.context_end[i]);
/** Characters as tokens: a budget the test can reason about exactly. */
const chars = (t: string) => t.length;

describe('in-context examples', () => {
  it('draws k training texts, never the person, the same for the same seed, person and year', () => {
    const sample = exampleSampler(texts, { k: 3, seed: 7, selection: 'random' });
    const other = exampleSampler(texts, { k: 3, seed: 8, selection: 'random' });
    let differs = 0;
    for (let i = 0; i < points.person_id.length; i++) {
      const id = points.person_id[i];
      const ex = sample(id, points.year[i]);
      expect(ex).toHaveLength(3);
      expect(new Set(ex).size).toBe(3);
      for (const t of ex) {
        expect(trainTexts.has(t)).toBe(true);
        expect(t).not.toBe(textOf.get(id));
        expect(t.endsWith(`${END_MARKER}\n`)).toBe(true);
      }
      expect(sample(id, points.year[i])).toEqual(ex);
      if (other(id, points.year[i]).join() !== ex.join()) differs++;
    }
    // Another seed draws other examples for nearly every point.
    expect(differs).toBeGreaterThan(points.person_id.length * 0.9);
  });

  it('never gives a training person its own text, even when the pool is exactly k + 1', () => {
    const train = texts.person_id.filter((_, i) => texts.split[i] === 'train');
    const sample = exampleSampler(texts, { k: train.length - 1, seed: 1, selection: 'random' });
    for (const id of train.slice(0, 5)) {
      const ex = sample(id, 2000);
      expect(ex).toHaveLength(train.length - 1);
      expect(ex).not.toContain(textOf.get(id));
    }
    // k beyond the pool: every other training text, no more.
    expect(exampleSampler(texts, { k: 10_000, seed: 1, selection: 'random' })(train[0], 2000)).toHaveLength(train.length - 1);
  });

  it('same-gender draws only persons of the point\'s gender', () => {
    const byGender = new Map(texts.person_id.map((id, i) => [texts.text[i], genderOf.get(id)]));
    const sample = exampleSampler(texts, { k: 4, seed: 2, selection: 'same-gender' }, (id) => genderOf.get(id));
    const genders = new Set<string>();
    for (let i = 0; i < points.person_id.length; i++) {
      const g = genderOf.get(points.person_id[i])!;
      genders.add(g);
      for (const t of sample(points.person_id[i], points.year[i])) expect(byGender.get(t)).toBe(g);
    }
    expect(genders.size).toBeGreaterThan(1);
    expect(() => exampleSampler(texts, { k: 1, seed: 2, selection: 'same-gender' })).toThrow(/needs each person's gender/);
  });

  it('drawWithout: distinct, without the excluded entry, uniform enough', () => {
    const counts = new Array(10).fill(0);
    let state = 1;
    const rng = () => ((state = (state * 48271) % 2147483647) / 2147483647);
    for (let r = 0; r < 2000; r++) {
      const picks = drawWithout([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3, (e) => e === 4, rng);
      expect(new Set(picks).size).toBe(3);
      expect(picks).not.toContain(4);
      for (const p of picks) counts[p]++;
    }
    expect(counts[4]).toBe(0);
    for (const [i, c] of counts.entries()) if (i !== 4) expect(c).toBeGreaterThan(500);
  });

  it('fits examples to the budget by dropping whole examples from the first, never cutting the context', () => {
    const sample = exampleSampler(texts, { k: 3, seed: 5, selection: 'random' });
    const i = points.person_id.findIndex((id) => splitOf.get(id) === 'test');
    const context = contextOf(i);
    const ex = sample(points.person_id[i], points.year[i]);
    const all = ex.join('') + context;

    expect(fitExamples(ex, context, chars, all.length)).toEqual({ text: all, used: 3 });
    // One character short: the first example goes, the others stay whole and in order.
    expect(fitExamples(ex, context, chars, all.length - 1)).toEqual({ text: ex[1] + ex[2] + context, used: 2 });
    expect(fitExamples(ex, context, chars, ex[2].length + context.length)).toEqual({ text: ex[2] + context, used: 1 });
    // Room for the context alone, or not even that: no examples and the context untouched (the scorer truncates it as before).
    expect(fitExamples(ex, context, chars, context.length)).toEqual({ text: context, used: 0 });
    expect(fitExamples(ex, context, chars, 5)).toEqual({ text: context, used: 0 });
    // The joined text is examples then the person's context, which it ends with.
    const fitted = fitExamples(ex, context, chars, 2000);
    expect(fitted.text.endsWith(context)).toBe(true);
    expect(fitted.text.length).toBeLessThanOrEqual(2000);
  });
});
