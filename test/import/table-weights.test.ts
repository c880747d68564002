/**
 * Survey weights in the long table: an optional `weight` column (mappable like the others), one
 * positive number per person, carried into persons.arrow's optional weight column and into the
 * point features; a table without weights gives persons without one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { readArrowFile } from '../../lib/artifacts/arrow-io';
import { FILES } from '../../lib/artifacts/contracts';
import { computePointFeatures } from '../../lib/features';
import { importTable } from '../../lib/import';
import { readPanel, writePanel } from '../../lib/panel/panel-io';
import { loadTaxonomy, loadTaxonomyCsv, type Taxonomy } from '../../lib/panel/taxonomy';
import { generatePanel } from '../../lib/synth';
import { CENSUS_TAXONOMY, TABLE_FIXTURE, expectInvalidData, tempDir, write } from './helpers';

let census: Taxonomy;
beforeAll(() => {
  census = loadTaxonomyCsv(CENSUS_TAXONOMY);
});

const HEADER = 'person_id,year,occupation,education,gender,race,region,birth_year,split,weight';

function csv(lines: string[], header = HEADER): string {
  return write(tempDir(), 'weighted.csv', [header, ...lines].join('\n') + '\n');
}

/** The fixture with a weight per person: 10 -> 1520.5, 2 -> 0.75, a7 -> empty on every row (weighs 1). */
function weightedFixture(header = HEADER): string {
  const weights: Record<string, string> = { '10': '1520.5', '2': '7.5e-1', a7: '' };
  const [, ...data] = readFileSync(TABLE_FIXTURE, 'utf8').trimEnd().split('\n');
  return csv(data.map((l) => (l ? `${l},${weights[l.slice(0, l.indexOf(','))]}` : l)), header);
}

describe('a weighted long table', () => {
  it('gives each person its weight, 1 for a person whose cells are empty, and round-trips through persons.arrow', () => {
    const panel = importTable(weightedFixture(), { taxonomy: census });
    expect(panel.persons.map((p) => [p.person_id, p.weight])).toEqual([['2', 0.75], ['10', 1520.5], ['a7', 1]]);

    const dir = tempDir();
    writePanel(dir, panel);
    const weight = readArrowFile(join(dir, FILES.persons)).schema.fields.find((f) => f.name === 'weight');
    expect(String(weight?.type)).toBe('Float64');
    const back = readPanel(dir);
    expect(back.persons).toEqual(panel.persons);
    expect(back.persons[1].weight).toBe(1520.5);

    // Every point carries its person's weight.
    const f = computePointFeatures(back);
    expect(f.person_id.map((id, i) => [id, f.weight[i]])).toEqual([['2', 0.75], ['2', 0.75], ['10', 1520.5], ['10', 1520.5]]);
  });

  it('maps a renamed weight column, from an Arrow file with float weights', () => {
    const table = tableFromArrays({
      person_id: ['1', '1', '2', '2'], year: Int32Array.from([2001, 2002, 2001, 2003]), occupation: ['0010', '0020', '0010', 'unemployed'],
      education: ['a', 'a', 'b', 'b'], gender: ['f', 'f', 'm', 'm'], race: ['w', 'w', 'b', 'b'], region: ['r', 'r', 's', 's'],
      birth_year: Int32Array.from([1950, 1950, 1960, 1960]), split: ['train', 'train', 'test', 'test'], wt: Float64Array.from([2, 2, 0.5, 0.5]),
    });
    const file = write(tempDir(), 'survey.arrow', tableToIPC(table, 'file'));
    const panel = importTable(file, { taxonomy: census, columns: { weight: 'wt' } });
    expect(panel.persons.map((p) => p.weight)).toEqual([2, 0.5]);
  });

  it('a mapped weight column that is missing is named', () => {
    const file = csv(['1,2001,0010,hs,f,w,r,1950,train,1'], 'person_id,year,occupation,education,gender,race,region,birth_year,split,wt');
    expectInvalidData(() => importTable(file, { taxonomy: census, columns: { weight: 'pweight' } }), 'missing column(s) pweight', 'pweight (for weight)');
  });
});

describe('bad weights name the file, the row and the value', () => {
  it('a weight that changes within a person, or is empty on some of its rows', () => {
    const file = csv([
      '1,2001,0010,hs,f,w,r,1950,train,2.5', '1,2002,0010,hs,f,w,r,1950,train,3',
      '2,2001,0010,hs,f,w,r,1950,train,', '2,2002,0010,hs,f,w,r,1950,train,4',
    ]);
    expectInvalidData(
      () => importTable(file, { taxonomy: census }),
      `${file}: invalid long table (4 rows)`,
      'person covariate not constant within a person: 2 occurrences',
      "person '1' weight: '2.5' at row 1 (line 2) but '3' at row 2 (line 3)",
      "person '2' weight: '4' at row 4 (line 5) but empty at row 3 (line 4)",
    );
  });

  it('zero, negative, non-numeric and infinite weights', () => {
    const file = csv([
      '1,2001,0010,hs,f,w,r,1950,train,0', '2,2001,0010,hs,f,w,r,1950,train,-1.5',
      '3,2001,0010,hs,f,w,r,1950,train,heavy', '4,2001,0010,hs,f,w,r,1950,train,1e400', '5,2001,0010,hs,f,w,r,1950,train,0x10',
    ]);
    expectInvalidData(
      () => importTable(file, { taxonomy: census }),
      file,
      "not a positive finite number in column weight: 5 occurrences; first: row 1 (line 2): '0'; row 2 (line 3): '-1.5'; row 3 (line 4): 'heavy'; row 4 (line 5): '1e400'; row 5 (line 6): '0x10'",
    );
  });

  it('a NaN weight in an Arrow file', () => {
    const table = tableFromArrays({
      person_id: ['1'], year: Int32Array.from([2001]), occupation: ['0010'], education: ['a'], gender: ['f'], race: ['w'], region: ['r'],
      birth_year: Int32Array.from([1950]), weight: Float64Array.from([Number.NaN]),
    });
    const file = write(tempDir(), 'nan.arrow', tableToIPC(table, 'file'));
    expectInvalidData(() => importTable(file, { taxonomy: census }), file, "not a positive finite number in column weight: 1 occurrence; first: row 1: 'NaN'");
  });

  it('the panel checks: weights on some persons only, or not positive', () => {
    const panel = importTable(weightedFixture(), { taxonomy: census });
    delete panel.persons[2].weight;
    panel.persons[0].weight = 0;
    const dir = tempDir();
    expectInvalidData(
      () => writePanel(dir, panel),
      `${dir}/${FILES.persons} row 1: 0`, 'weight must be a positive finite number',
      `weight missing (other persons have one: weights go on every person or on none): 1 occurrence; first: ${dir}/${FILES.persons} row 3: person 'a7' (row 1 has 0)`,
    );
  });
});

describe('tables and panels without weights', () => {
  it('a table without a weight column gives persons without one, and persons.arrow without the column', () => {
    const panel = importTable(TABLE_FIXTURE, { taxonomy: census });
    expect(panel.persons.every((p) => !('weight' in p))).toBe(true);
    const dir = tempDir();
    writePanel(dir, panel);
    expect(readArrowFile(join(dir, FILES.persons)).schema.fields.map((f) => f.name)).toEqual(['person_id', 'gender', 'race', 'region', 'birth_year', 'split']);
    expect(readPanel(dir).persons.every((p) => !('weight' in p))).toBe(true);
  });

  it('a synthetic panel keeps its bytes: persons.arrow written as before, weights 1 in the point features', () => {
    const panel = generatePanel({ taxonomy: loadTaxonomy('default'), population: 'survey', persons: 50, seed: 3 });
    const dir = tempDir();
    writePanel(dir, panel);
    expect(readArrowFile(join(dir, FILES.persons)).schema.fields.some((f) => f.name === 'weight')).toBe(false);
    expect(new Set(computePointFeatures(readPanel(dir)).weight)).toEqual(new Set([1]));
  });
});
