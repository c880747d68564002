/**
 * Consistency checks of an in-memory panel, shared by the panel reader, the writer and the
 * survey importers. All problems are collected (ProblemList) and reported at once; each
 * example names the file and the 1-based data row (row 1 = the first person or person-year).
 *
 * Checked: unique non-empty person ids, valid splits, integer birth years, non-empty one-line
 * covariates, survey weights positive and finite on every person or on none; person-years
 * with equal column lengths, persons that exist, states in the taxonomy, no duplicate
 * person-years, years increasing within a person, each person's rows contiguous and in the
 * persons table's order; oracle rows matching the prediction points,
 * with one probability per taxonomy state summing to 1.
 */
import { join } from 'node:path';
import { FILES, SPLITS } from '../artifacts/contracts';
import { InvalidData, ProblemList } from '../errors';
import type { Panel } from './panel';

/** Names used in messages for each table: file paths, or any label an importer prefers. */
export interface PanelSource {
  persons: string;
  personYears: string;
  taxonomy: string;
  oracle: string;
}

/** A panel folder's file paths; a string that names no folder works as a label too. */
export function panelSource(source: string | Partial<PanelSource>): PanelSource {
  if (typeof source !== 'string') {
    return { persons: 'persons', personYears: 'person_years', taxonomy: 'taxonomy', oracle: 'oracle', ...source };
  }
  return {
    persons: join(source, FILES.persons),
    personYears: join(source, FILES.personYears),
    taxonomy: join(source, FILES.taxonomy),
    oracle: join(source, FILES.oracle),
  };
}

/** Tolerance on the sum of an oracle distribution (Float32 rounding of several hundred terms). */
export const ORACLE_SUM_TOLERANCE = 1e-4;

/**
 * Adds every problem found in `panel` to `problems` (a new list by default) and returns it,
 * so an importer can merge these with its own before throwing.
 */
export function collectPanelProblems(panel: Panel, source: string | Partial<PanelSource>, problems = new ProblemList()): ProblemList {
  const src = panelSource(source);
  checkPersons(panel, src, problems);
  checkPersonYears(panel, src, problems);
  if (panel.oracle) checkOracle(panel, src, problems);
  return problems;
}

/** Throws InvalidData listing all problems of the panel (counts and first examples per kind). */
export function validatePanel(panel: Panel, source: string | Partial<PanelSource>): void {
  const problems = collectPanelProblems(panel, source);
  const label = typeof source === 'string' ? source : panel.name;
  problems.throwIfAny(
    (m, d) => new InvalidData(m, d),
    `${label}: invalid panel '${panel.name}' (${panel.persons.length} persons, ${panel.personYears.person_id.length} person-years)`,
  );
}

function checkPersons(panel: Panel, src: PanelSource, problems: ProblemList): void {
  const file = src.persons;
  const first = new Map<string, number>();
  const weighted = panel.persons.findIndex((p) => p.weight !== undefined);
  panel.persons.forEach((p, i) => {
    const at = `${file} row ${i + 1}`;
    if (typeof p.person_id !== 'string' || p.person_id === '') problems.add('empty person_id', at);
    else if (first.has(p.person_id)) problems.add('duplicate person_id', `${at}: '${p.person_id}' (also row ${first.get(p.person_id)! + 1})`);
    else first.set(p.person_id, i);
    if (!SPLITS.includes(p.split)) problems.add(`split must be one of ${SPLITS.join('|')}`, `${at}: '${p.split}'`);
    if (!Number.isInteger(p.birth_year)) problems.add('birth_year must be an integer', `${at}: ${String(p.birth_year)}`);
    for (const col of ['gender', 'race', 'region'] as const) {
      const v = p[col];
      if (typeof v !== 'string' || v.trim() === '') problems.add(`empty ${col} (write 'unknown' for a missing value)`, at);
      else if (v.includes('\n')) problems.add(`${col} contains a line break`, `${at}: ${JSON.stringify(v)}`);
    }
    if (p.weight === undefined) {
      if (weighted >= 0) problems.add('weight missing (other persons have one: weights go on every person or on none)', `${at}: person '${p.person_id}' (row ${weighted + 1} has ${panel.persons[weighted].weight})`);
    } else if (typeof p.weight !== 'number' || !Number.isFinite(p.weight) || p.weight <= 0) {
      problems.add('weight must be a positive finite number', `${at}: ${String(p.weight)}`);
    }
  });
}

function checkPersonYears(panel: Panel, src: PanelSource, problems: ProblemList): void {
  const file = src.personYears;
  const py = panel.personYears;
  const n = py.person_id.length;
  const lengths = { person_id: n, year: py.year.length, state: py.state.length, education: py.education.length };
  if (Object.values(lengths).some((l) => l !== n)) {
    problems.add('person_years columns differ in length', `${file}: ${JSON.stringify(lengths)}`);
    return;
  }
  const order = new Map(panel.persons.map((p, i) => [p.person_id, i]));
  const seenBlock = new Set<string>();
  const taxonomy = panel.taxonomy;
  let blockStart = 0;
  let lastPersonIndex = -1;
  for (let r = 0; r < n; r++) {
    const id = py.person_id[r];
    const year = py.year[r];
    const at = `${file} row ${r + 1}`;
    const newBlock = r === 0 || id !== py.person_id[r - 1];
    if (newBlock) {
      blockStart = r;
      const pi = order.get(id);
      if (seenBlock.has(id)) {
        problems.add("a person's rows are not contiguous (sort by person, then year)", `${at}: person '${id}'`);
      } else if (pi === undefined) problems.add(`person not in ${src.persons}`, `${at}: '${id}'`);
      else {
        if (pi < lastPersonIndex) problems.add(`persons' rows not in the order of ${src.persons}`, `${at}: person '${id}'`);
        lastPersonIndex = pi;
      }
      seenBlock.add(id);
    } else {
      const prevYear = py.year[r - 1];
      if (year <= prevYear) {
        let duplicate = false;
        for (let q = blockStart; q < r; q++) if (py.year[q] === year) duplicate = true;
        if (duplicate) problems.add('duplicate person-year', `${at}: person '${id}', year ${year}`);
        else problems.add('years out of order within a person', `${at}: person '${id}', year ${year} after ${prevYear}`);
      }
    }
    if (!Number.isInteger(year)) problems.add('year must be an integer', `${at}: ${String(year)}`);
    const state = py.state[r];
    if (!taxonomy.has(state)) problems.add(`state code not in the taxonomy (${src.taxonomy})`, `${at}: '${state}' (person '${id}', year ${year})`);
    const edu = py.education[r];
    if (typeof edu !== 'string' || edu.trim() === '') problems.add("empty education (write 'unknown' for a missing value)", at);
    else if (edu.includes('\n')) problems.add('education contains a line break', `${at}: ${JSON.stringify(edu)}`);
  }
}

function checkOracle(panel: Panel, src: PanelSource, problems: ProblemList): void {
  const file = src.oracle;
  const oracle = panel.oracle!;
  const py = panel.personYears;
  const K = panel.taxonomy.size;
  const m = oracle.person_id.length;
  if (oracle.year.length !== m || oracle.probs.length !== m * K) {
    problems.add('oracle columns do not fit', `${file}: ${m} person ids, ${oracle.year.length} years, ${oracle.probs.length} probabilities (expected ${m} x ${K} taxonomy states)`);
    return;
  }
  // Oracle rows follow the prediction points: every person-year after a person's first.
  let k = 0;
  for (let r = 1; r < py.person_id.length; r++) {
    if (py.person_id[r] !== py.person_id[r - 1]) continue;
    if (k < m && (oracle.person_id[k] !== py.person_id[r] || oracle.year[k] !== py.year[r])) {
      problems.add('oracle row does not match the prediction point', `${file} row ${k + 1}: person '${oracle.person_id[k]}' year ${oracle.year[k]}, expected person '${py.person_id[r]}' year ${py.year[r]} (${src.personYears} row ${r + 1})`);
    }
    k++;
  }
  if (k !== m) problems.add('oracle row count differs from the prediction points', `${file}: ${m} rows, ${k} prediction points`);
  for (let i = 0; i < m; i++) {
    let sum = 0;
    let bad = false;
    for (let j = i * K; j < (i + 1) * K; j++) {
      const p = oracle.probs[j];
      if (!(p >= 0 && p <= 1)) bad = true;
      sum += p;
    }
    if (bad) problems.add('oracle probability outside [0, 1]', `${file} row ${i + 1}: person '${oracle.person_id[i]}', year ${oracle.year[i]}`);
    else if (Math.abs(sum - 1) > ORACLE_SUM_TOLERANCE) problems.add('oracle probabilities do not sum to 1', `${file} row ${i + 1}: sum ${sum.toFixed(6)}`);
  }
}
