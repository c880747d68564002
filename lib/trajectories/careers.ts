/** Careers from a panel: each person's observed years, states and education, in year order. */
import type { Split } from '../artifacts/contracts';
import { InvalidData, ProblemList } from '../errors';
import type { Panel } from '../panel/panel';
import type { Careers } from './types';

export interface CareersOptions {
  /** Persons of this split only (default 'test'); 'all' keeps every person. */
  split?: Split | 'all';
}

export function careersFromPanel(panel: Pick<Panel, 'name' | 'taxonomy' | 'persons' | 'personYears'>, options: CareersOptions = {}): Careers {
  const split = options.split ?? 'test';
  const py = panel.personYears;
  const source = `trajectories: panel '${panel.name}'`;
  const problems = new ProblemList();
  // Each person's rows form one block (validatePanel's contract).
  const block = new Map<string, [number, number]>();
  for (let r = 0; r < py.person_id.length; r++) {
    const id = py.person_id[r];
    if (r > 0 && id === py.person_id[r - 1]) {
      block.get(id)![1] = r + 1;
      if (py.year[r] <= py.year[r - 1]) problems.add('years not increasing within a person', `person_years row ${r + 1}: person '${id}' year ${py.year[r]} after ${py.year[r - 1]}`);
      continue;
    }
    if (block.has(id)) problems.add('rows of a person not contiguous', `person_years row ${r + 1}: person '${id}'`);
    block.set(id, [r, r + 1]);
  }
  const persons = panel.persons.filter((p) => split === 'all' || p.split === split);
  const start = new Int32Array(persons.length + 1);
  let n = 0;
  persons.forEach((p, i) => {
    const b = block.get(p.person_id);
    n += b ? b[1] - b[0] : 0;
    start[i + 1] = n;
  });
  const year = new Int32Array(n);
  const education = new Array<string>(n);
  const state = new Int32Array(n);
  persons.forEach((p, i) => {
    const b = block.get(p.person_id);
    if (!b) return;
    for (let r = b[0], k = start[i]; r < b[1]; r++, k++) {
      year[k] = py.year[r];
      education[k] = py.education[r];
      const s = panel.taxonomy.index.get(py.state[r]);
      if (s === undefined) problems.add('state not in the taxonomy', `person_years row ${r + 1}: '${py.state[r]}'`);
      state[k] = s ?? 0;
    }
  });
  problems.throwIfAny((m, d) => new InvalidData(m, d), `${source}: invalid person_years`);
  return { dataset: panel.name, taxonomy: panel.taxonomy, persons, start, year, education, state };
}

/** Observed years of career i. */
export function careerLength(careers: Careers, i: number): number {
  return careers.start[i + 1] - careers.start[i];
}
