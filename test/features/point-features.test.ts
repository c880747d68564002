import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataType } from 'apache-arrow';
import { computePointFeatures, POINT_FEATURES_FILE, writePointFeatures } from '../../lib/features';
import { readArrowFile } from '../../lib/artifacts/arrow-io';
import { rowsOf, type PersonRow, type PointFeatureRow } from '../../lib/artifacts/contracts';
import { InvalidData } from '../../lib/errors';
import type { Panel } from '../../lib/panel/panel';
import { loadTaxonomy, makeTaxonomy } from '../../lib/panel/taxonomy';
import { generatePanel } from '../../lib/synth';
import { encodePanel } from '../../lib/text';

const taxonomy = makeTaxonomy([
  { code: '11', title: 'Cooks', kind: 'occupation' },
  { code: '12', title: 'Cashiers', kind: 'occupation' },
  { code: '21', title: 'Registered nurses', kind: 'occupation' },
]);

const HS = 'high school diploma';
const SC = 'some college';

/**
 * p1: annual, then biennial (1990, 1991, 1992, 1994, 1996): cook, cook, unemployed, out of the
 *     labor force, cook again; education rises in 1994.
 * p2: no person-years (no points). p3: one observed year (no points).
 * p4: in education from the first year, then a nurse, then cashier, then nurse (a return).
 */
function handPanel(): Panel {
  const persons: PersonRow[] = [
    { person_id: 'p1', gender: 'female', race: 'Black', region: 'South', birth_year: 1960, split: 'train', weight: 2.5 },
    { person_id: 'p2', gender: 'male', race: 'White', region: 'West', birth_year: 1970, split: 'valid' },
    { person_id: 'p3', gender: 'male', race: 'White', region: 'West', birth_year: 1971, split: 'valid' },
    { person_id: 'p4', gender: 'male', race: 'Hispanic', region: 'Midwest', birth_year: 1975, split: 'test' },
  ];
  return {
    name: 'hand',
    taxonomy,
    persons,
    personYears: {
      person_id: ['p1', 'p1', 'p1', 'p1', 'p1', 'p3', 'p4', 'p4', 'p4', 'p4'],
      year: Int32Array.from([1990, 1991, 1992, 1994, 1996, 2000, 1993, 1995, 1997, 1998]),
      state: ['11', '11', 'unemployed', 'not_in_labor_force', '11', '21', 'in_education', '21', '12', '21'],
      education: [HS, HS, HS, SC, SC, HS, HS, SC, SC, SC],
    },
  };
}

describe('computePointFeatures on a hand-made panel', () => {
  const f = computePointFeatures(handPanel());

  it('has one row per observed year after the first, in the encoder order', () => {
    expect(f.person_id).toEqual(['p1', 'p1', 'p1', 'p1', 'p4', 'p4', 'p4']);
    expect(Array.from(f.year)).toEqual([1991, 1992, 1994, 1996, 1995, 1997, 1998]);
    expect(f.split).toEqual(['train', 'train', 'train', 'train', 'test', 'test', 'test']);
    expect(f.true_state).toEqual(['11', 'unemployed', 'not_in_labor_force', '11', '21', '12', '21']);
  });

  it('previous states: the first point has no state two back', () => {
    expect(f.prev_state).toEqual(['11', '11', 'unemployed', 'not_in_labor_force', 'in_education', '21', '12']);
    expect(f.prev2_state).toEqual([null, '11', '11', 'unemployed', null, 'in_education', '21']);
  });

  it('tenure counts observed years of the previous state without a break; gaps are calendar years', () => {
    expect(Array.from(f.tenure)).toEqual([1, 2, 1, 1, 1, 1, 1]);
    expect(Array.from(f.gap)).toEqual([1, 1, 2, 2, 2, 2, 1]);
    expect(Array.from(f.years_since_first)).toEqual([1, 2, 4, 6, 2, 4, 5]);
  });

  it('education, its change, age and the static covariates', () => {
    expect(f.education).toEqual([HS, HS, SC, SC, SC, SC, SC]);
    expect(f.education_prev).toEqual([HS, HS, HS, SC, HS, SC, SC]);
    expect(Array.from(f.education_changed)).toEqual([0, 0, 1, 0, 1, 0, 0]);
    expect(Array.from(f.age)).toEqual([31, 32, 34, 36, 20, 22, 23]);
    expect(f.gender).toEqual(['female', 'female', 'female', 'female', 'male', 'male', 'male']);
    expect(f.race[4]).toBe('Hispanic');
    expect(f.region[0]).toBe('South');
    expect(Array.from(f.birth_year)).toEqual([1960, 1960, 1960, 1960, 1975, 1975, 1975]);
  });

  it('the last occupation before a non-employment spell, through a spell of two states', () => {
    // In 1994 and 1996 p1 is in a spell (unemployed, then out of the labor force) after cooking;
    // p4 started in education, so there was no occupation before that spell.
    expect(f.last_occupation_before_spell).toEqual([null, null, '11', '11', null, null, null]);
  });

  it('held codes: distinct earlier states, in order of first appearance', () => {
    expect(f.held_codes).toEqual([
      ['11'], ['11'], ['11', 'unemployed'], ['11', 'unemployed', 'not_in_labor_force'],
      ['in_education'], ['in_education', '21'], ['in_education', '21', '12'],
    ]);
  });

  it('weights: the person row weight, 1 when absent', () => {
    expect(Array.from(f.weight)).toEqual([2.5, 2.5, 2.5, 2.5, 1, 1, 1]);
  });
});

describe('computePointFeatures checks', () => {
  it('rejects unknown states, bad weights and non-contiguous persons, all at once', () => {
    const p = handPanel();
    p.personYears.state[1] = '99';
    p.persons[0].weight = Number.NaN;
    p.personYears.person_id[9] = 'p1';
    let err: unknown;
    try {
      computePointFeatures(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidData);
    expect(String(err)).toContain("person_years row 10: person 'p1'");
    p.personYears.person_id[9] = 'p4';
    expect(() => computePointFeatures(p)).toThrow(/state not in the taxonomy[\s\S]*row 2: '99'[\s\S]*weight must be[\s\S]*person 'p1': NaN/);
  });
});

describe('point features of a synthetic panel', () => {
  const panel = generatePanel({ taxonomy: loadTaxonomy('default'), population: 'survey', persons: 300, seed: 5 });
  const f = computePointFeatures(panel);
  const dir = mkdtempSync(join(tmpdir(), 'point-features-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('aligns row for row with the encoder points (biennial waves included)', () => {
    const points = encodePanel(panel, { name: 'resume' }).points;
    expect(f.person_id).toEqual(points.person_id);
    expect(f.split).toEqual(points.split);
    expect(Array.from(f.year)).toEqual(Array.from(points.year));
    expect(f.true_state).toEqual(points.true_code);
    expect(f.prev_state).toEqual(points.prev_code);
    expect(new Set(f.gap).has(2)).toBe(true);
  });

  it('writes the contract table and reads it back unchanged', () => {
    const path = join(dir, POINT_FEATURES_FILE);
    writePointFeatures(path, f);
    const table = readArrowFile(path);
    const types = Object.fromEntries(table.schema.fields.map((fd) => [fd.name, fd.type as DataType]));
    expect(DataType.isInt(types.tenure) && types.tenure.bitWidth === 32).toBe(true);
    expect(DataType.isFloat(types.weight)).toBe(true);
    expect(DataType.isList(types.held_codes)).toBe(true);
    const rows = rowsOf<PointFeatureRow>(table);
    expect(rows.length).toBe(f.person_id.length);
    const i = f.prev2_state.indexOf(null);
    expect(rows[i].prev2_state).toBeNull();
    const j = rows.length - 1;
    expect(rows[j]).toEqual({
      person_id: f.person_id[j], split: f.split[j], year: f.year[j], true_state: f.true_state[j], prev_state: f.prev_state[j],
      prev2_state: f.prev2_state[j], tenure: f.tenure[j], years_since_first: f.years_since_first[j], gap: f.gap[j],
      education: f.education[j], education_prev: f.education_prev[j], education_changed: f.education_changed[j], age: f.age[j],
      gender: f.gender[j], race: f.race[j], region: f.region[j], birth_year: f.birth_year[j],
      last_occupation_before_spell: f.last_occupation_before_spell[j], held_codes: f.held_codes[j], weight: 1,
    });
  });
});
