import { readFileSync } from 'node:fs';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfig } from '../../lib/errors';
import { importTable } from '../../lib/import';
import { compareIds } from '../../lib/import/table';
import { splitPersons } from '../../lib/panel/split';
import { loadTaxonomy, loadTaxonomyCsv, type Taxonomy } from '../../lib/panel/taxonomy';
import { CENSUS_TAXONOMY, TABLE_FIXTURE, expectInvalidData, tempDir, write } from './helpers';

let census: Taxonomy;
beforeAll(() => {
  census = loadTaxonomyCsv(CENSUS_TAXONOMY);
});

const HEADER = 'person_id,year,occupation,education,gender,race,region,birth_year,split';
const fixtureLines = () => readFileSync(TABLE_FIXTURE, 'utf8').trimEnd().split('\n');

/** A CSV in a temp folder: the fixture's header and the given data lines. */
function csv(lines: string[], header = HEADER): string {
  return write(tempDir(), 'panel.csv', [header, ...lines].join('\n') + '\n');
}

const EXPECTED_PERSONS = [
  { person_id: '2', gender: 'male', race: 'black', region: 'NY', birth_year: 1980, split: 'test' },
  { person_id: '10', gender: 'female', race: 'white', region: 'CA', birth_year: 1960, split: 'train' },
  { person_id: 'a7', gender: 'male', race: 'hispanic', region: 'TX', birth_year: 1975, split: 'valid' },
];
const EXPECTED_YEARS = {
  person_id: ['2', '2', '2', '10', '10', '10', 'a7'],
  year: [1999, 2001, 2003, 2001, 2002, 2003, 2010],
  state: ['in_education', '4720', 'unemployed', '0020', 'not_in_labor_force', '0010', '9130'],
  education: [
    'some college', 'high school diploma', 'high school diploma',
    "bachelor's degree", "bachelor's degree", "bachelor's degree", 'some college, no degree',
  ],
};

describe('importTable: the CSV fixture with the Census taxonomy', () => {
  it('sorts persons by id and years ascending, keeps zero-padded codes', () => {
    const panel = importTable(TABLE_FIXTURE, { taxonomy: census });
    expect(panel.name).toBe('long-table');
    expect(panel.persons).toEqual(EXPECTED_PERSONS);
    expect(panel.personYears.year).toBeInstanceOf(Int32Array);
    expect({ ...panel.personYears, year: [...panel.personYears.year] }).toEqual(EXPECTED_YEARS);
    expect(census.title('0020')).toBe('General and operations managers');
  });

  it('reads the same panel from an Arrow IPC file (Int64 years, dictionary strings)', () => {
    const rows = fixtureLines().slice(1).filter((l) => l).map((l) => l.match(/("[^"]*"|[^,]+)/g)!.map((v) => v.replace(/"/g, '')));
    const col = (j: number) => rows.map((r) => r[j]);
    const table = tableFromArrays({
      person_id: col(0),
      year: BigInt64Array.from(col(1).map(BigInt)),
      occupation: col(2),
      education: col(3),
      gender: col(4),
      race: col(5),
      region: col(6),
      birth_year: Int32Array.from(col(7).map(Number)),
      split: col(8),
    });
    const file = write(tempDir(), 'survey.arrow', tableToIPC(table, 'file'));
    const panel = importTable(file, { taxonomy: census, name: 'survey' });
    expect(panel.name).toBe('survey');
    expect(panel.persons).toEqual(EXPECTED_PERSONS);
    expect({ ...panel.personYears, year: [...panel.personYears.year] }).toEqual(EXPECTED_YEARS);
  });

  it('maps renamed columns', () => {
    const [, ...data] = fixtureLines();
    const file = csv(data, 'pid,yr,occ,educ,sex,ethnicity,state,born,fold');
    const panel = importTable(file, {
      taxonomy: census,
      columns: { person_id: 'pid', year: 'yr', occupation: 'occ', education: 'educ', gender: 'sex', race: 'ethnicity', region: 'state', birth_year: 'born', split: 'fold' },
    });
    expect(panel.persons).toEqual(EXPECTED_PERSONS);
    expect(importTable(TABLE_FIXTURE, { taxonomy: census, columns: { split: undefined } }).persons).toEqual(EXPECTED_PERSONS);
  });

  it('splits by person with the seed when there is no split column', () => {
    const lines = fixtureLines().map((l) => l.slice(0, l.lastIndexOf(',')));
    const file = csv(lines.slice(1), lines[0]);
    const a = importTable(file, { taxonomy: census, seed: 5 });
    expect(a.persons.map((p) => p.split)).toEqual(splitPersons(['2', '10', 'a7'], 5));
    expect(importTable(file, { taxonomy: census, seed: 5 }).persons).toEqual(a.persons);
    const all = importTable(file, { taxonomy: census, seed: 5, splits: { train: 0, valid: 1, test: 0 } });
    expect(all.persons.map((p) => p.split)).toEqual(['valid', 'valid', 'valid']);
  });

  it('works with the default taxonomy too', () => {
    const file = csv(['x,2001,1000,hs,f,w,r,1950,train', 'x,2002,unemployed,hs,f,w,r,1950,train']);
    expect(importTable(file, { taxonomy: loadTaxonomy('default') }).personYears.state).toEqual(['1000', 'unemployed']);
  });
});

describe('importTable: errors name the file and row (and CSV line)', () => {
  it('missing columns: expected vs found', () => {
    const file = csv(['1,2001,0010,hs,f,w,r,1950'], 'person_id,yr,occupation,education,gender,race,region,birthyear');
    expectInvalidData(
      () => importTable(file, { taxonomy: census }),
      file, 'missing column(s) year, birth_year',
      'expected: person_id, year, occupation, education, gender, race, region, birth_year, optional: split',
      'found: person_id, yr, occupation, education, gender, race, region, birthyear',
      "birth_year (did you mean 'birthyear'?)",
    );
  });

  it('a mapped split column that is missing', () => {
    const file = csv(['1,2001,0010,hs,f,w,r,1950,train']);
    expectInvalidData(() => importTable(file, { taxonomy: census, columns: { split: 'fold' } }), 'missing column(s) fold', 'fold (for split)');
  });

  it('wrong types: year and birth_year not integers', () => {
    const file = csv(['1,2001,0010,hs,f,w,r,1950,train', '1,20o2,0010,hs,f,w,r,1950,train', '2,2001,0010,hs,f,w,r,1950.5,test', '3,,0010,hs,f,w,r,1950,test']);
    expectInvalidData(
      () => importTable(file, { taxonomy: census }),
      file, "not an integer in column year: 2 occurrences; first: row 2 (line 3): '20o2'; row 4 (line 5): ''",
      "not an integer in column birth_year: 1 occurrence; first: row 3 (line 4): '1950.5'",
    );
  });

  it('wrong types in an Arrow file', () => {
    const table = tableFromArrays({
      person_id: ['1', '1'], year: Float64Array.from([2001, 2002.5]), occupation: ['0010', '0020'], education: ['a', 'a'],
      gender: ['f', 'f'], race: ['w', 'w'], region: ['r', 'r'], birth_year: Int32Array.from([1950, 1950]),
    });
    const file = write(tempDir(), 'bad.feather', tableToIPC(table, 'file'));
    expectInvalidData(() => importTable(file, { taxonomy: census }), file, "not an integer in column year: 1 occurrence; first: row 2: '2002.5'");
  });

  it('empty file: no bytes, or a header only', () => {
    const dir = tempDir();
    const empty = write(dir, 'empty.csv', '');
    expectInvalidData(() => importTable(empty, { taxonomy: census }), empty, 'empty file');
    const headerOnly = write(dir, 'header.csv', `${HEADER}\n`);
    expectInvalidData(() => importTable(headerOnly, { taxonomy: census }), headerOnly, 'empty file (a header but no data rows)');
    const arrow = write(dir, 'empty.arrow', tableToIPC(tableFromArrays({ person_id: [] as string[] }), 'file'));
    expectInvalidData(() => importTable(arrow, { taxonomy: census }), arrow, 'empty file (no rows)');
  });

  it('duplicate person-years', () => {
    const file = csv(['1,2001,0010,hs,f,w,r,1950,train', '2,2001,0010,hs,f,w,r,1950,train', '1,2001,0020,hs,f,w,r,1950,train']);
    expectInvalidData(() => importTable(file, { taxonomy: census }), file, "duplicate person-year: 1 occurrence; first: person '1' year 2001 at row 1 (line 2) and row 3 (line 4)");
  });

  it('unknown occupation codes, with a hint for lost leading zeros', () => {
    const file = csv(['1,2001,10,hs,f,w,r,1950,train', '1,2002,9999,hs,f,w,r,1950,train', '1,2003,0010,hs,f,w,r,1950,train']);
    expectInvalidData(
      () => importTable(file, { taxonomy: census }),
      file, 'unknown occupation code (not in the taxonomy): 2 occurrences',
      "row 1 (line 2): '10' (did you mean '0010'?", "row 2 (line 3): '9999'",
    );
  });

  it('bad split values', () => {
    const file = csv(['1,2001,0010,hs,f,w,r,1950,training', '2,2001,0010,hs,f,w,r,1950,validation', '3,2001,0010,hs,f,w,r,1950,test']);
    expectInvalidData(
      () => importTable(file, { taxonomy: census }),
      file, 'bad split value (expected train|valid|test): 2 occurrences', "row 1 (line 2): 'training'", "row 2 (line 3): 'validation'",
    );
  });

  it('person covariates that change within a person, naming both rows', () => {
    const file = csv(['1,2001,0010,hs,f,w,r,1950,train', '1,2002,0010,hs,m,w,r,1950,train', '1,2003,0010,hs,f,w,r,1951,test']);
    expectInvalidData(
      () => importTable(file, { taxonomy: census }),
      'person covariate not constant within a person: 3 occurrences',
      "person '1' gender: 'f' at row 1 (line 2) but 'm' at row 2 (line 3)",
      "person '1' birth_year: '1950' at row 1 (line 2) but '1951' at row 3 (line 4)",
      "person '1' split: 'train' at row 1 (line 2) but 'test' at row 3 (line 4)",
    );
  });

  it('collects every problem in one error, duplicates found even on rows with other problems', () => {
    const file = csv(['1,2001,10,hs,f,w,r,1950,train', '1,2001,0010,hs,m,w,r,1950,tr']);
    const message = expectInvalidData(
      () => importTable(file, { taxonomy: census }),
      `${file}: invalid long table (2 rows)`, 'unknown occupation code', 'bad split value', 'not constant', 'duplicate person-year',
    );
    expect(message.split('\n').filter((l) => l.startsWith('  - ')).length).toBe(4);
  });

  it('empty values in text columns', () => {
    const file = csv(['1,2001,,hs,f,w,r,1950,train', ',2001,0010,hs,f,w,r,1950,train']);
    expectInvalidData(
      () => importTable(file, { taxonomy: census }),
      'empty value in column occupation: 1 occurrence; first: row 1 (line 2)', 'empty value in column person_id: 1 occurrence; first: row 2 (line 3)',
    );
  });

  it('line numbers count blank lines and quoted fields that span lines', () => {
    const file = write(tempDir(), 'multi.csv', `${HEADER}\n1,2001,0010,"high\nschool",f,w,r,1950,train\n\n1,2002,xxxx,hs,f,w,r,1950,train\n`);
    expectInvalidData(() => importTable(file, { taxonomy: census }), "row 2 (line 5): 'xxxx'");
  });

  it('runs the panel-wide checks on the result (here: a line break inside a quoted value)', () => {
    const file = write(tempDir(), 'multi.csv', `${HEADER}\n1,2001,0010,"high\nschool",f,w,r,1950,train\n`);
    expectInvalidData(() => importTable(file, { taxonomy: census }), "invalid panel 'multi'", `${file} (imported person-years) row 1`, 'education contains a line break');
  });

  it('a CSV that does not parse names the line', () => {
    const file = csv(['1,2001,0010,hs,f,w,r,1950,train', '1,2002,0010,hs,f,w,r,1950,train,extra']);
    expectInvalidData(() => importTable(file, { taxonomy: census }), file, 'not a valid CSV (line 3)');
  });

  it('file not found, unsupported type, not an Arrow file', () => {
    expectInvalidData(() => importTable('/nonexistent/p.csv', { taxonomy: census }), 'table file not found: /nonexistent/p.csv');
    const dir = tempDir();
    const xlsx = write(dir, 'p.xlsx', 'x');
    expectInvalidData(() => importTable(xlsx, { taxonomy: census }), "unsupported file type '.xlsx'", '.csv, .arrow, .feather');
    const fake = write(dir, 'p.arrow', 'person_id,year\n1,2001\n');
    expectInvalidData(() => importTable(fake, { taxonomy: census }), fake, 'not an Arrow IPC file');
  });

  it('an unknown key in the column map is a config error', () => {
    expect(() => importTable(TABLE_FIXTURE, { taxonomy: census, columns: { occupaton: 'occ' } as never })).toThrow(InvalidConfig);
    expect(() => importTable(TABLE_FIXTURE, { taxonomy: census, columns: { occupaton: 'occ' } as never })).toThrow("did you mean 'occupation'?");
  });
});

describe('compareIds', () => {
  it('orders all-digit ids numerically, then others by code unit', () => {
    expect(['b', '10', 'a7', '9', '010', 'B', '2'].sort(compareIds)).toEqual(['2', '9', '010', '10', 'B', 'a7', 'b']);
  });
});
