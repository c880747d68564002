import { describe, expect, it } from 'vitest';
import { InvalidData } from '../../lib/errors';
import type { Panel } from '../../lib/panel/panel';
import { collectPanelProblems, validatePanel } from '../../lib/panel/validate';
import { tinyPanel } from '../text/tiny-panel';

const DIR = '/data/panel';

function messageOf(panel: Panel, source: Parameters<typeof validatePanel>[1] = DIR): string {
  try {
    validatePanel(panel, source);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidData);
    return (err as Error).message;
  }
  throw new Error('expected validatePanel to throw');
}

/** A tiny panel with a (made-up but well-formed) oracle: uniform distributions. */
function withOracle(): Panel {
  const p = tinyPanel();
  const K = p.taxonomy.size;
  p.oracle = { person_id: ['p1', 'p1', 'p2'], year: Int32Array.from([1991, 1993, 1998]), probs: new Float32Array(3 * K).fill(1 / K) };
  return p;
}

describe('validatePanel', () => {
  it('accepts a valid panel', () => {
    expect(() => validatePanel(tinyPanel(), DIR)).not.toThrow();
    expect(() => validatePanel(withOracle(), DIR)).not.toThrow();
  });

  it('reports person problems with the file and row', () => {
    const p = tinyPanel();
    p.persons[1].person_id = 'p1';
    p.persons[2].split = 'holdout' as never;
    p.persons[0].birth_year = 1960.5;
    p.persons[2].gender = '';
    const m = messageOf(p);
    expect(m).toContain(`duplicate person_id: 1 occurrence; first: ${DIR}/persons.arrow row 2: 'p1' (also row 1)`);
    expect(m).toContain(`split must be one of train|valid|test: 1 occurrence; first: ${DIR}/persons.arrow row 3: 'holdout'`);
    expect(m).toContain(`birth_year must be an integer: 1 occurrence; first: ${DIR}/persons.arrow row 1: 1960.5`);
    expect(m).toContain(`empty gender (write 'unknown' for a missing value): 1 occurrence; first: ${DIR}/persons.arrow row 3`);
  });

  it('reports unknown states, missing persons, duplicates and order, all at once', () => {
    const p = tinyPanel();
    p.personYears.state[0] = '9999';
    p.personYears.year[1] = 1990; // duplicate of p1's 1990
    p.personYears.year[4] = 1994; // p2: 1996 then 1994
    p.personYears.person_id[5] = 'ghost';
    const m = messageOf(p);
    const file = `${DIR}/person_years.arrow`;
    expect(m).toMatch(/^\/data\/panel: invalid panel 'golden' \(3 persons, 6 person-years\)/);
    expect(m).toContain(`state code not in the taxonomy (${DIR}/taxonomy.arrow): 1 occurrence; first: ${file} row 1: '9999' (person 'p1', year 1990)`);
    expect(m).toContain(`duplicate person-year: 1 occurrence; first: ${file} row 2: person 'p1', year 1990`);
    expect(m).toContain(`years out of order within a person: 1 occurrence; first: ${file} row 5: person 'p2', year 1994 after 1996`);
    expect(m).toContain(`person not in ${DIR}/persons.arrow: 1 occurrence; first: ${file} row 6: 'ghost'`);
  });

  it('reports rows that are not grouped by person in the persons order', () => {
    const p = tinyPanel();
    // p2's rows before p1's, and p1 split in two blocks.
    p.personYears = {
      person_id: ['p2', 'p2', 'p1', 'p3', 'p1'],
      year: Int32Array.from([1996, 1998, 1990, 2000, 1991]),
      state: ['21', '21', '11', 'in_education', '11'],
      education: new Array(5).fill('high school diploma'),
    };
    const m = messageOf(p);
    expect(m).toContain(`persons' rows not in the order of ${DIR}/persons.arrow: 1 occurrence; first: ${DIR}/person_years.arrow row 3: person 'p1'`);
    expect(m).toContain(`a person's rows are not contiguous (sort by person, then year): 1 occurrence; first: ${DIR}/person_years.arrow row 5: person 'p1'`);
  });

  it('reports columns of different lengths', () => {
    const p = tinyPanel();
    p.personYears.education.pop();
    expect(messageOf(p)).toContain('person_years columns differ in length');
  });

  it('checks the oracle against the prediction points and its sums', () => {
    const p = withOracle();
    p.oracle!.year[1] = 1992;
    p.oracle!.probs[0] += 0.01;
    const m = messageOf(p);
    expect(m).toContain(`oracle row does not match the prediction point: 1 occurrence; first: ${DIR}/oracle.arrow row 2: person 'p1' year 1992, expected person 'p1' year 1993 (${DIR}/person_years.arrow row 3)`);
    expect(m).toContain(`oracle probabilities do not sum to 1: 1 occurrence; first: ${DIR}/oracle.arrow row 1: sum 1.010000`);

    const short = withOracle();
    short.oracle = { person_id: ['p1'], year: Int32Array.from([1991]), probs: new Float32Array(short.taxonomy.size).fill(1 / short.taxonomy.size) };
    expect(messageOf(short)).toContain(`oracle row count differs from the prediction points: 1 occurrence; first: ${DIR}/oracle.arrow: 1 rows, 3 prediction points`);
  });

  it('names importer files when given labels instead of a folder', () => {
    const p = tinyPanel();
    p.personYears.state[3] = 'X';
    const problems = collectPanelProblems(p, { personYears: 'nlsy79/careers.csv', taxonomy: 'census.csv' });
    expect(problems.lines()).toEqual([`state code not in the taxonomy (census.csv): 1 occurrence; first: nlsy79/careers.csv row 4: 'X' (person 'p2', year 1996)`]);
  });
});
