/**
 * Panel folders on disk (design.md section 3b): persons.arrow (with an optional `weight`
 * column, the survey weights, when the source has them), person_years.arrow,
 * taxonomy.arrow and, for synthetic data, oracle.arrow (probs as List<Float32>, one list per
 * prediction point, ordered as taxonomy.arrow). The panel's name travels in persons.arrow's
 * schema metadata (key `labor_llm.panel_name`). Reading validates everything (validate.ts) and
 * reports problems with the file path and row.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Table } from 'apache-arrow';
import { contractTable, FILES, STATE_KINDS, type PersonRow, type Split, type StateKind } from '../artifacts/contracts';
import { writeArrowFile } from '../artifacts/arrow-io';
import { InvalidData, ProblemList } from '../errors';
import { checkedReader } from '../artifacts/checked-read';
import { fixedFloat32ListData, float64Data, int32Data, readFloat32Lists, utf8Data } from '../artifacts/arrow-columns';
import type { Oracle, Panel } from './panel';
import { makeTaxonomy } from './taxonomy';
import { panelSource, validatePanel } from './validate';

export const PANEL_NAME_KEY = 'labor_llm.panel_name';

/** Writes the panel's tables into `dir` (validated first); returns the file names written. */
/** `onFile` is called after each file written (large panels take seconds per file). */
export function writePanel(dir: string, panel: Panel, onFile?: (file: string) => void): string[] {
  const root = resolve(dir);
  validatePanel(panel, root);
  const persons = panel.persons;
  const py = panel.personYears;
  const tables: [string, Table][] = [
    [FILES.taxonomy, contractTable('taxonomy', {
      code: utf8Data(panel.taxonomy.rows.map((r) => r.code)),
      title: utf8Data(panel.taxonomy.rows.map((r) => r.title)),
      kind: utf8Data(panel.taxonomy.rows.map((r) => r.kind)),
    })],
    [FILES.persons, contractTable('persons', {
      person_id: utf8Data(persons.map((p) => p.person_id)),
      gender: utf8Data(persons.map((p) => p.gender)),
      race: utf8Data(persons.map((p) => p.race)),
      region: utf8Data(persons.map((p) => p.region)),
      birth_year: int32Data(persons.map((p) => p.birth_year)),
      split: utf8Data(persons.map((p) => p.split)),
      // Only when the source has survey weights (validated: on every person or on none).
      ...(persons.some((p) => p.weight !== undefined) ? { weight: float64Data(persons.map((p) => p.weight!)) } : {}),
    }, { [PANEL_NAME_KEY]: panel.name })],
    [FILES.personYears, contractTable('person_years', {
      person_id: utf8Data(py.person_id),
      year: int32Data(py.year),
      state: utf8Data(py.state),
      education: utf8Data(py.education),
    })],
  ];
  if (panel.oracle) {
    tables.push([FILES.oracle, contractTable('oracle', {
      person_id: utf8Data(panel.oracle.person_id),
      year: int32Data(panel.oracle.year),
      probs: fixedFloat32ListData(panel.oracle.probs, panel.taxonomy.size),
    })]);
  } else {
    // A stale oracle from an earlier write would no longer match the panel.
    rmSync(join(root, FILES.oracle), { force: true });
  }
  for (const [file, table] of tables) {
    writeArrowFile(join(root, file), table);
    onFile?.(file);
  }
  return tables.map(([file]) => file);
}

/**
 * Reads and validates a panel folder. `name` overrides the name stored in persons.arrow
 * (default: that name, else the folder's name).
 */
export function readPanel(dir: string, name?: string): Panel {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new InvalidData(`panel folder not found: ${root}`);
  const required = [FILES.persons, FILES.personYears, FILES.taxonomy];
  const missing = required.filter((f) => !existsSync(join(root, f)));
  if (missing.length) {
    throw new InvalidData(`${root}: not a panel folder: missing ${missing.join(', ')}`, [`a panel folder holds ${required.join(', ')} [+ ${FILES.oracle}]`]);
  }
  const src = panelSource(root);
  const problems = new ProblemList();
  const { load, strings: readColumn, ints, floats } = checkedReader(problems);
  const strings = (t: Table, file: string, col: string) => readColumn(t, file, col) as string[];
  const hasOracle = existsSync(src.oracle);
  const tTax = load(src.taxonomy, 'taxonomy');
  const tPersons = load(src.persons, 'persons');
  const tYears = load(src.personYears, 'person_years');
  const tOracle = hasOracle ? load(src.oracle, 'oracle') : undefined;
  problems.throwIfAny((m, d) => new InvalidData(m, d), `${root}: unreadable panel`);

  const codes = strings(tTax!, src.taxonomy, 'code');
  const titles = strings(tTax!, src.taxonomy, 'title');
  const kinds = strings(tTax!, src.taxonomy, 'kind');
  problems.throwIfAny((m, d) => new InvalidData(m, d), `${root}: invalid panel`);
  const taxonomy = makeTaxonomy(codes.map((code, i) => ({ code, title: titles[i], kind: kinds[i] as StateKind })), src.taxonomy);
  if (taxonomy.size !== codes.length) {
    const missingKinds = STATE_KINDS.filter((k) => !kinds.includes(k));
    throw new InvalidData(`${src.taxonomy}: missing special state(s) of kind ${missingKinds.join(', ')} (a written taxonomy lists every state)`);
  }

  const ids = strings(tPersons!, src.persons, 'person_id');
  const genders = strings(tPersons!, src.persons, 'gender');
  const races = strings(tPersons!, src.persons, 'race');
  const regions = strings(tPersons!, src.persons, 'region');
  const births = ints(tPersons!, src.persons, 'birth_year');
  const splits = strings(tPersons!, src.persons, 'split');
  const weights = tPersons!.getChild('weight') ? floats(tPersons!, src.persons, 'weight') : undefined;
  const personYears = {
    person_id: strings(tYears!, src.personYears, 'person_id'),
    year: ints(tYears!, src.personYears, 'year'),
    state: strings(tYears!, src.personYears, 'state'),
    education: strings(tYears!, src.personYears, 'education'),
  };
  let oracle: Oracle | undefined;
  if (tOracle) {
    const probs = readFloat32Lists(tOracle, 'probs', taxonomy.size, 'one per taxonomy state');
    if (typeof probs === 'string') problems.add('oracle probabilities do not fit the taxonomy', `${src.oracle}: ${probs}`);
    else oracle = { person_id: strings(tOracle, src.oracle, 'person_id'), year: ints(tOracle, src.oracle, 'year'), probs };
  }
  problems.throwIfAny((m, d) => new InvalidData(m, d), `${root}: invalid panel`);

  const persons: PersonRow[] = ids.map((person_id, i) => ({
    person_id, gender: genders[i], race: races[i], region: regions[i], birth_year: births[i],
    split: splits[i] as Split, // checked by validatePanel
    ...(weights ? { weight: weights[i] } : {}),
  }));
  const storedName = tPersons!.schema.metadata.get(PANEL_NAME_KEY);
  const panel: Panel = { name: name ?? storedName ?? basename(root), taxonomy, persons, personYears, oracle };
  if (!oracle) delete panel.oracle;
  validatePanel(panel, root);
  return panel;
}
