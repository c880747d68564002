import { readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCareer } from '../../lib/import';
import { splitPersons } from '../../lib/panel/split';
import { loadTaxonomy, loadTaxonomyCsv } from '../../lib/panel/taxonomy';
import { CAREER_FIXTURE, CENSUS_TAXONOMY, expectInvalidData, tempDir, write } from './helpers';

const taxonomy = loadTaxonomy('default');

/** The fixture with its split prefix replaced: every `train.*` file becomes `${to}.*`, others dropped. */
function onlyTrainAs(to: string): string {
  const dir = tempDir(CAREER_FIXTURE);
  for (const f of readdirSync(dir)) {
    if (f.startsWith('train.')) renameSync(join(dir, f), join(dir, f.replace(/^train\./, `${to}.`)));
    else rmSync(join(dir, f));
  }
  return dir;
}

describe('importCareer: the fixture', () => {
  it('reads persons, splits from the prefixes, and person-years sorted by person then year', () => {
    const panel = importCareer(CAREER_FIXTURE, { taxonomy });
    expect(panel.name).toBe('career');
    expect(panel.taxonomy).toBe(taxonomy);
    expect(panel.persons).toEqual([
      { person_id: 'train-1', gender: 'male', race: 'white', region: 'northeast', birth_year: 0, split: 'train' },
      { person_id: 'train-2', gender: 'female', race: 'black', region: 'south', birth_year: 0, split: 'train' },
      { person_id: 'train-3', gender: 'female', race: 'hispanic', region: 'west', birth_year: 0, split: 'train' },
      { person_id: 'valid-1', gender: 'male', race: 'asian', region: 'midwest', birth_year: 0, split: 'valid' },
      { person_id: 'test-1', gender: 'female', race: 'white', region: 'south', birth_year: 1970, split: 'test' },
    ]);
    const py = panel.personYears;
    expect(py.person_id).toEqual([
      'train-1', 'train-1', 'train-1', 'train-1', 'train-2', 'train-2', 'train-3', 'train-3', 'train-3', 'valid-1', 'test-1', 'test-1',
    ]);
    expect(py.year).toBeInstanceOf(Int32Array);
    expect([...py.year]).toEqual([2001, 2002, 2004, 2006, 2010, 2012, 1995, 1996, 1999, 2015, 2000, 2003]);
    expect(py.state).toEqual([
      '1000', '1010', 'unemployed', '1010', 'in_education', '1100', 'not_in_labor_force', '1000', '1000', '1020', '1040', '1050',
    ]);
    expect(py.education).toEqual([
      'bachelors', 'bachelors', 'bachelors', 'masters', 'high_school', 'some_college',
      'high_school', 'high_school', 'high_school', 'associate', 'high_school', 'high_school',
    ]);
    expect(panel.oracle).toBeUndefined();
  });

  it('takes the dataset name from the options', () => {
    expect(importCareer(CAREER_FIXTURE, { taxonomy, name: 'NLSY79' }).name).toBe('NLSY79');
  });

  it('ignores seed and fractions when the files carry the split', () => {
    const a = importCareer(CAREER_FIXTURE, { taxonomy, seed: 99, splits: { train: 0, valid: 0, test: 1 } });
    expect(a.persons.map((p) => p.split)).toEqual(['train', 'train', 'train', 'valid', 'test']);
  });

  it('maps special tokens to the codes a custom taxonomy gives those kinds', () => {
    const dir = onlyTrainAs('train');
    write(dir, 'valid.job', '1000\n');
    for (const [k, v] of [['year', '2000'], ['education', 'x'], ['ethnicity', 'a'], ['gender', 'b'], ['location', 'c']]) write(dir, `valid.${k}`, `${v}\n`);
    const custom = loadTaxonomyCsv(write(tempDir(), 'tax.csv', [
      'code,title,kind', '1000,Chief executives,occupation', '1010,Managers,occupation', '1100,Accountants,occupation',
      'U,Out of work,unemployed', 'N,Not looking,not_in_labor_force', 'E,Studying,in_education',
    ].join('\n')));
    const panel = importCareer(dir, { taxonomy: custom });
    expect(panel.personYears.state.slice(0, 5)).toEqual(['1000', '1010', 'U', '1010', 'E']);
  });
});

describe('importCareer: files without a split', () => {
  it('splits all.* by person with the seed; ids p<line>', () => {
    const dir = onlyTrainAs('all');
    const panel = importCareer(dir, { taxonomy, seed: 7 });
    const ids = ['p1', 'p2', 'p3'];
    expect(panel.persons.map((p) => p.person_id)).toEqual(ids);
    expect(panel.persons.map((p) => p.split)).toEqual(splitPersons(ids, 7));
    expect(panel.personYears.person_id).toEqual(['p1', 'p1', 'p1', 'p1', 'p2', 'p2', 'p3', 'p3', 'p3']);
  });

  it('re-splits a single split prefix, using the given fractions', () => {
    const dir = onlyTrainAs('train');
    const panel = importCareer(dir, { taxonomy, seed: 3, splits: { train: 0, valid: 0, test: 1 } });
    expect(panel.persons.map((p) => [p.person_id, p.split])).toEqual([['p1', 'test'], ['p2', 'test'], ['p3', 'test']]);
    // deterministic
    expect(importCareer(dir, { taxonomy, seed: 3 }).persons).toEqual(importCareer(dir, { taxonomy, seed: 3 }).persons);
  });
});

describe('importCareer: the Census taxonomy', () => {
  it('accepts 4-digit zero-padded codes as strings', () => {
    const census = loadTaxonomyCsv(CENSUS_TAXONOMY);
    const dir = onlyTrainAs('all');
    write(dir, 'all.job', '0010 0020 unemployed 4720\neducation 0010\nnot_in_labor_force 9130 9130\n');
    const panel = importCareer(dir, { taxonomy: census });
    expect(panel.personYears.state).toEqual(['0010', '0020', 'unemployed', '4720', 'in_education', '0010', 'not_in_labor_force', '9130', '9130']);
    expect(census.title(panel.personYears.state[0])).toBe('Chief executives');
  });

  it('hints at lost leading zeros', () => {
    const dir = onlyTrainAs('all');
    write(dir, 'all.job', '10 0020 unemployed 4720\neducation 0010\nnot_in_labor_force 9130 9130\n');
    expectInvalidData(
      () => importCareer(dir, { taxonomy: loadTaxonomyCsv(CENSUS_TAXONOMY) }),
      "unknown occupation code", "all.job line 1 token 1: '10' (did you mean '0010'?",
    );
  });
});

describe('importCareer: errors name the file and line', () => {
  it('folder not found', () => {
    expectInvalidData(() => importCareer('/nonexistent/career', { taxonomy }), 'CAREER data folder not found: /nonexistent/career');
  });

  it('no CAREER files at all', () => {
    const dir = tempDir();
    write(dir, 'notes.txt', 'x');
    expectInvalidData(() => importCareer(dir, { taxonomy }), 'no CAREER files found', 'train,valid,test', 'found: notes.txt');
  });

  it('missing files, listed', () => {
    const dir = tempDir(CAREER_FIXTURE);
    rmSync(join(dir, 'valid.education'));
    rmSync(join(dir, 'test.gender'));
    expectInvalidData(() => importCareer(dir, { taxonomy }), dir, 'missing file: 2 occurrences', 'valid.education', 'test.gender');
  });

  it('both all.* and split files', () => {
    const dir = tempDir(CAREER_FIXTURE);
    write(dir, 'all.job', '1000\n');
    expectInvalidData(() => importCareer(dir, { taxonomy }), 'both all.* and split files', 'train, valid, test, all');
  });

  it('empty files', () => {
    const dir = tempDir(CAREER_FIXTURE);
    write(dir, 'valid.gender', '');
    write(dir, 'valid.year', '\n  \n');
    expectInvalidData(() => importCareer(dir, { taxonomy }), 'empty file: 2 occurrences', 'valid.year', 'valid.gender');
  });

  it('ragged lines: .job vs .year and .job vs .education', () => {
    const dir = tempDir(CAREER_FIXTURE);
    write(dir, 'train.year', '2001 2002 2004 2006\n2010\n1995 1996 1999\n');
    write(dir, 'train.education', 'bachelors bachelors bachelors masters\nhigh_school some_college\nhigh_school high_school\n');
    expectInvalidData(
      () => importCareer(dir, { taxonomy }),
      'ragged line: token counts differ between .job and .year: 1 occurrence; first: train.year line 2 has 1 token(s), train.job line 2 has 2',
      'ragged line: token counts differ between .job and .education: 1 occurrence; first: train.education line 3 has 2 token(s), train.job line 3 has 3',
    );
  });

  it('line-count mismatch between the files of one prefix', () => {
    const dir = tempDir(CAREER_FIXTURE);
    write(dir, 'train.location', 'northeast\nsouth\n');
    expectInvalidData(() => importCareer(dir, { taxonomy }), 'line counts differ', 'train.job has 3', 'train.location has 2');
  });

  it('non-integer years', () => {
    const dir = tempDir(CAREER_FIXTURE);
    write(dir, 'train.year', '2001 2002 2004 2006\n2010 20x2\n1995 1996.0 1999\n');
    expectInvalidData(
      () => importCareer(dir, { taxonomy }),
      'non-integer year: 2 occurrences', "train.year line 2 token 2: '20x2'", "train.year line 3 token 2: '1996.0'",
    );
  });

  it('years out of order within a person', () => {
    const dir = tempDir(CAREER_FIXTURE);
    write(dir, 'test.year', '2003 2000\n');
    expectInvalidData(() => importCareer(dir, { taxonomy }), 'years out of order', 'test.year line 1 token 2: 2000 after 2003');
  });

  it('years duplicated within a person', () => {
    const dir = tempDir(CAREER_FIXTURE);
    write(dir, 'train.year', '2001 2002 2002 2006\n2010 2012\n1995 1996 1999\n');
    expectInvalidData(() => importCareer(dir, { taxonomy }), 'year duplicated within a person', 'train.year line 1 token 3: 2002 again');
  });

  it('unknown occupation codes', () => {
    const dir = tempDir(CAREER_FIXTURE);
    write(dir, 'train.job', '1000 1010 unemployed 1010\neducation 9999\nretired 1000 1000\n');
    expectInvalidData(
      () => importCareer(dir, { taxonomy }),
      'unknown occupation code (not in the taxonomy): 2 occurrences', "train.job line 2 token 2: '9999'", "train.job line 3 token 1: 'retired'",
    );
  });

  it('per-person files with other than one token', () => {
    const dir = tempDir(CAREER_FIXTURE);
    write(dir, 'train.ethnicity', 'white\nblack african\n\n');
    write(dir, 'test.birth_year', 'abc\n');
    expectInvalidData(
      () => importCareer(dir, { taxonomy }),
      "exactly 1 token: 2 occurrences; first: train.ethnicity line 2 has 2: 'black african'; train.ethnicity line 3 has 0",
      "non-integer birth year", "test.birth_year line 1: 'abc'",
    );
  });

  it('a person with no observed year', () => {
    const dir = tempDir(CAREER_FIXTURE);
    write(dir, 'valid.job', '\n');
    write(dir, 'valid.year', '\n');
    write(dir, 'valid.education', '\n');
    // a file of blank lines is empty
    expectInvalidData(() => importCareer(dir, { taxonomy }), 'empty file: 3 occurrences');
    write(dir, 'train.job', '1000 1010 unemployed 1010\n\nnot_in_labor_force 1000 1000\n');
    write(dir, 'train.year', '2001 2002 2004 2006\n\n1995 1996 1999\n');
    write(dir, 'train.education', 'a b c d\n\ne f g\n');
    expectInvalidData(() => importCareer(dir, { taxonomy }), 'a person with no observed year', 'train.job line 2');
  });

  it('collects every problem of every file in one error', () => {
    const dir = tempDir(CAREER_FIXTURE);
    write(dir, 'train.job', '1000 1010 unemployed 1010\neducation 9999\nnot_in_labor_force 1000 1000\n');
    write(dir, 'test.year', '2003 2000\n');
    rmSync(join(dir, 'valid.location'));
    const message = expectInvalidData(() => importCareer(dir, { taxonomy }), 'invalid CAREER data');
    expect(message.split('\n').filter((l) => l.startsWith('  - ')).length).toBe(3);
  });
});
