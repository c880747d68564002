import { describe, expect, it } from 'vitest';
import { continuationFor, encodePanel, getTemplate } from '../../lib/text';
import { InvalidData } from '../../lib/errors';
import { tinyPanel } from './tiny-panel';

const P1_HEADER = 'golden career record\nGender: female, race/ethnicity: Black, region: South\nBirth year: 1960\n';
const P2_HEADER = 'golden career record\nGender: male, race/ethnicity: White, region: West\nBirth year: 1971\n';
const P3_HEADER = 'golden career record\nGender: male, race/ethnicity: Hispanic, region: Midwest\nBirth year: 1980\n';
const INTRO = 'Occupation by year (education in parentheses):\n';

const GOLDEN: Record<string, { texts: string[]; contextEnds: number[]; contexts: string[] }> = {
  resume: {
    texts: [
      P1_HEADER + INTRO + '1990 (high school diploma): Cooks\n1991 (high school diploma): Unemployed\n1993 (some college): Cooks and chefs\n<END>\n',
      P2_HEADER + INTRO + "1996 (bachelor's degree): Registered nurses\n1998 (graduate degree): Registered nurses\n<END>\n",
      P3_HEADER + INTRO + '2000 (high school diploma): In education\n<END>\n',
    ],
    contextEnds: [199, 231, 202],
    contexts: ['1991 (high school diploma):', '1993 (some college):', '1998 (graduate degree):'],
  },
  'resume-no-birth-year': {
    texts: [
      P1_HEADER.replace('Birth year: 1960\n', '') + INTRO + '1990 (high school diploma): Cooks\n1991 (high school diploma): Unemployed\n1993 (some college): Cooks and chefs\n<END>\n',
      P2_HEADER.replace('Birth year: 1971\n', '') + INTRO + "1996 (bachelor's degree): Registered nurses\n1998 (graduate degree): Registered nurses\n<END>\n",
      P3_HEADER.replace('Birth year: 1980\n', '') + INTRO + '2000 (high school diploma): In education\n<END>\n',
    ],
    contextEnds: [182, 214, 185],
    contexts: ['1991 (high school diploma):', '1993 (some college):', '1998 (graduate degree):'],
  },
  'resume-codes': {
    texts: [
      P1_HEADER + 'Occupation code by year (education in parentheses):\n1990 (high school diploma): 11\n1991 (high school diploma): unemployed\n1993 (some college): 12\n<END>\n',
      P2_HEADER + "Occupation code by year (education in parentheses):\n1996 (bachelor's degree): 21\n1998 (graduate degree): 21\n<END>\n",
      P3_HEADER + 'Occupation code by year (education in parentheses):\n2000 (high school diploma): in_education\n<END>\n',
    ],
    contextEnds: [201, 233, 192],
    contexts: ['1991 (high school diploma):', '1993 (some college):', '1998 (graduate degree):'],
  },
  'resume-no-education': {
    texts: [
      P1_HEADER + 'Occupation by year:\n1990: Cooks\n1991: Unemployed\n1993: Cooks and chefs\n<END>\n',
      P2_HEADER + 'Occupation by year:\n1996: Registered nurses\n1998: Registered nurses\n<END>\n',
      P3_HEADER + 'Occupation by year:\n2000: In education\n<END>\n',
    ],
    contextEnds: [128, 145, 137],
    contexts: ['1991:', '1993:', '1998:'],
  },
};

describe('encodePanel golden texts', () => {
  for (const [name, golden] of Object.entries(GOLDEN)) {
    it(`${name} v1: exact texts, points and context_end`, () => {
      const panel = tinyPanel();
      const enc = encodePanel(panel, { name });
      expect(enc.template).toEqual({ name, version: 1 });
      expect(enc.texts.person_id).toEqual(['p1', 'p2', 'p3']);
      expect(enc.texts.split).toEqual(['train', 'test', 'valid']);
      expect(enc.texts.text).toEqual(golden.texts);
      expect(enc.points.person_id).toEqual(['p1', 'p1', 'p2']);
      expect(enc.points.split).toEqual(['train', 'train', 'test']);
      expect([...enc.points.year]).toEqual([1991, 1993, 1998]);
      expect([...enc.points.context_end]).toEqual(golden.contextEnds);
      expect(enc.points.true_code).toEqual(['unemployed', '12', '21']);
      expect(enc.points.prev_code).toEqual(['11', 'unemployed', '21']);

      const t = getTemplate({ name });
      enc.points.context_end.forEach((end, i) => {
        const text = enc.texts.text[i < 2 ? 0 : 1];
        const context = text.slice(0, end);
        expect(context.endsWith(golden.contexts[i])).toBe(true);
        const row = panel.taxonomy.rows[panel.taxonomy.indexOf(enc.points.true_code[i])];
        expect(text.startsWith(context + continuationFor(t, row))).toBe(true);
      });
      for (const text of enc.texts.text) expect(text.endsWith('\n<END>\n')).toBe(true);
    });
  }

  it('documents the continuation format', () => {
    expect(encodePanel(tinyPanel(), { name: 'resume' }).continuation).toBe('" " + title + "\\n"');
    expect(encodePanel(tinyPanel(), { name: 'resume-codes' }).continuation).toBe('" " + code + "\\n"');
  });

  it('continuationFor tells a title from a title it is a prefix of', () => {
    const t = getTemplate({ name: 'resume' });
    const rows = tinyPanel().taxonomy.rows;
    expect(continuationFor(t, rows[0])).toBe(' Cooks\n');
    expect(continuationFor(t, rows[1])).toBe(' Cooks and chefs\n');
    expect(continuationFor(t, rows[1]).startsWith(continuationFor(t, rows[0]))).toBe(false);
    expect(continuationFor(getTemplate('resume-codes'), rows[0])).toBe(' 11\n');
  });

  it('rejects unknown states and non-contiguous person rows', () => {
    const bad = tinyPanel();
    bad.personYears.state[2] = '99';
    expect(() => encodePanel(bad, { name: 'resume' })).toThrow(/row 3: state '99' is not in the taxonomy/);
    const split = tinyPanel();
    split.personYears.person_id[4] = 'p1';
    split.personYears.person_id[3] = 'p1';
    split.personYears.person_id[1] = 'p2';
    expect(() => encodePanel(split, { name: 'resume' })).toThrow(InvalidData);
  });
});

describe('encodePanel on a synthetic panel', () => {
  it('gives every prediction point a context that the true continuation extends', async () => {
    const { generatePanel } = await import('../../lib/synth');
    const { loadTaxonomy } = await import('../../lib/panel/taxonomy');
    const panel = generatePanel({ taxonomy: loadTaxonomy('default'), population: 'survey', persons: 200, seed: 9, oracle: false });
    for (const name of ['resume', 'resume-codes', 'resume-no-birth-year', 'resume-no-education']) {
      const enc = encodePanel(panel, { name });
      const t = getTemplate(name);
      expect(enc.points.year.length).toBe(panel.personYears.year.length - panel.persons.length);
      const textOf = new Map(enc.texts.person_id.map((id, i) => [id, enc.texts.text[i]]));
      let bad = 0;
      for (let i = 0; i < enc.points.year.length; i++) {
        const text = textOf.get(enc.points.person_id[i])!;
        const end = enc.points.context_end[i];
        const row = panel.taxonomy.rows[panel.taxonomy.indexOf(enc.points.true_code[i])];
        const prefix = text.slice(0, end);
        const lastLine = prefix.slice(prefix.lastIndexOf('\n') + 1);
        const ok = text.startsWith(prefix + continuationFor(t, row)) && lastLine.startsWith(`${enc.points.year[i]}`) && lastLine.endsWith(':');
        if (!ok) bad++;
      }
      expect(bad).toBe(0);
    }
  });
});
