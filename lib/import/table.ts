/**
 * Importer for a long table: one row per person-year, as CSV or an Arrow IPC file
 * (.arrow/.feather/.ipc). Person covariates repeat on each of a person's rows and must agree.
 * Rows may come in any order: persons are sorted by id (numerically when all digits), years
 * ascending. Without a split column, persons are split with the seed. An optional weight column
 * holds survey weights: a positive number, the same on each of a person's rows (a person whose
 * cells are all empty weighs 1); without the column, persons carry no weight.
 */
import { basename, extname, resolve } from 'node:path';
import { SPLITS, type PersonRow, type Split } from '../artifacts/contracts';
import { didYouMeanSuffix } from '../config/did-you-mean';
import { InvalidConfig, InvalidData, ProblemList } from '../errors';
import type { Panel } from '../panel/panel';
import { DEFAULT_SPLIT_FRACTIONS, splitPersons, type SplitFractions } from '../panel/split';
import type { Taxonomy } from '../panel/taxonomy';
import { validatePanel } from '../panel/validate';
import { assemblePanel, importedSource, parseInt32, quote, type ImportedPerson, type ImportedYear } from './assemble';
import { readLongTable } from './read-long-table';
import { leadingZeroHinter, stateResolver } from './state-codes';

/** Our field names -> the file's column names. */
export interface ColumnMap {
  person_id: string;
  year: string;
  /** A taxonomy code (occupation or special state), as a string. */
  occupation: string;
  education: string;
  gender: string;
  race: string;
  region: string;
  birth_year: string;
  /** Optional in the file: train|valid|test. */
  split: string;
  /** Optional in the file: the person's survey weight. */
  weight: string;
}

export const DEFAULT_COLUMNS: Readonly<ColumnMap> = Object.freeze({
  person_id: 'person_id', year: 'year', occupation: 'occupation', education: 'education',
  gender: 'gender', race: 'race', region: 'region', birth_year: 'birth_year', split: 'split',
  weight: 'weight',
});

/** Columns that may be absent from the file unless the column map names them. */
const OPTIONAL_FIELDS: readonly (keyof ColumnMap)[] = ['split', 'weight'];

export interface TableImportOptions {
  taxonomy: Taxonomy;
  /** Dataset name for the text headers; default: the file name without its extension. */
  name?: string;
  /** Seed of the split by person, used only without a split column (default 0). */
  seed?: number;
  /** Split fractions, used only without a split column (default 70/10/20). */
  splits?: SplitFractions;
  /** Column names in the file, where they differ from ours. */
  columns?: Partial<ColumnMap>;
}

const PERSON_FIELDS = ['gender', 'race', 'region', 'birth_year', 'split', 'weight'] as const;
type PersonField = (typeof PERSON_FIELDS)[number];

interface PersonAcc {
  id: string;
  /** Each covariate's first value and the row it came from. */
  first: Partial<Record<PersonField, { value: string | number; where: string }>>;
  /** The first row with an empty weight cell (weights must then be empty on every row). */
  noWeightAt?: string;
  mixedWeightReported?: boolean;
  years: (ImportedYear & { where: string })[];
}

export function importTable(path: string, options: TableImportOptions): Panel {
  const file = resolve(path);
  const columns = columnMap(options.columns);
  const table = readLongTable(file);

  const hasSplit = table.columns.includes(columns.split);
  const hasWeight = table.columns.includes(columns.weight);
  const required = (Object.keys(DEFAULT_COLUMNS) as (keyof ColumnMap)[]).filter((k) => !OPTIONAL_FIELDS.includes(k) || options.columns?.[k] !== undefined);
  const optional = OPTIONAL_FIELDS.filter((k) => !required.includes(k));
  const missing = required.filter((k) => !table.columns.includes(columns[k]));
  if (missing.length) {
    throw new InvalidData(`${file}: missing column(s) ${missing.map((k) => columns[k]).join(', ')}`, [
      `expected: ${required.map((k) => (columns[k] === k ? k : `${columns[k]} (for ${k})`)).join(', ')}${optional.length ? `, optional: ${optional.map((k) => columns[k]).join(', ')}` : ''}`,
      `found: ${table.columns.join(', ')}`,
      ...missing.flatMap((k) => {
        const s = didYouMeanSuffix(columns[k], table.columns);
        return s ? [`${columns[k]}${s}`] : [];
      }),
    ]);
  }

  const problems = new ProblemList();
  const resolveState = stateResolver(options.taxonomy);
  const hint = leadingZeroHinter(options.taxonomy);
  const persons = new Map<string, PersonAcc>();

  table.rows.forEach((row, i) => {
    const where = table.where(i);
    const text = (field: keyof ColumnMap): string | undefined => {
      const v = row[columns[field]];
      const s = v === null || v === undefined ? '' : typeof v === 'string' ? v.trim() : String(v);
      if (s === '') problems.add(`empty value in column ${columns[field]}`, where);
      return s === '' ? undefined : s;
    };
    const int = (field: 'year' | 'birth_year'): number | undefined => {
      const v = row[columns[field]];
      const parsed = typeof v === 'string' ? parseInt32(v.trim())
        : typeof v === 'bigint' ? (v >= -(2n ** 31n) && v < 2n ** 31n ? Number(v) : undefined)
        : typeof v === 'number' && Number.isInteger(v) ? parseInt32(String(v))
        : undefined;
      if (parsed === undefined) problems.add(`not an integer in column ${columns[field]}`, `${where}: ${v === null || v === undefined ? 'empty' : quote(v)}`);
      return parsed;
    };

    const id = text('person_id');
    const year = int('year');
    const occupation = text('occupation');
    const education = text('education');
    const state = occupation === undefined ? undefined : resolveState(occupation);
    if (occupation !== undefined && state === undefined) {
      problems.add('unknown occupation code (not in the taxonomy)', `${where}: ${quote(occupation)}${hint(occupation)}`);
    }
    const covariates: Partial<Record<PersonField, string | number | undefined>> = {
      gender: text('gender'), race: text('race'), region: text('region'), birth_year: int('birth_year'),
    };
    if (hasSplit) {
      const split = text('split');
      if (split !== undefined && !(SPLITS as readonly string[]).includes(split)) {
        problems.add(`bad split value (expected ${SPLITS.join('|')})`, `${where}: ${quote(split)}`);
      } else covariates.split = split;
    }
    const weight = hasWeight ? surveyWeight(row[columns.weight]) : undefined;
    if (weight === 'bad') problems.add(`not a positive finite number in column ${columns.weight}`, `${where}: ${quote(row[columns.weight])}`);
    else covariates.weight = weight;
    if (id === undefined) return;

    let p = persons.get(id);
    if (!p) persons.set(id, (p = { id, first: {}, years: [] }));
    if (hasWeight && weight === undefined) p.noWeightAt ??= where;
    for (const field of PERSON_FIELDS) {
      const value = covariates[field];
      if (value === undefined) continue;
      const first = p.first[field];
      if (!first) p.first[field] = { value, where };
      else if (first.value !== value) {
        problems.add(
          'person covariate not constant within a person',
          `person ${quote(id)} ${columns[field]}: ${quote(first.value)} at ${first.where} but ${quote(value)} at ${where}`,
        );
      }
    }
    const weighted = p.first.weight;
    if (weighted && p.noWeightAt && !p.mixedWeightReported) {
      problems.add(
        'person covariate not constant within a person',
        `person ${quote(id)} ${columns.weight}: ${quote(weighted.value)} at ${weighted.where} but empty at ${p.noWeightAt}`,
      );
      p.mixedWeightReported = true;
    }
    // Kept even when other fields are bad, so duplicates are found in the same pass.
    if (year !== undefined) p.years.push({ year, state: state ?? '', education: education ?? '', where });
  });

  for (const p of persons.values()) {
    p.years.sort((a, b) => a.year - b.year);
    for (let k = 1; k < p.years.length; k++) {
      if (p.years[k].year === p.years[k - 1].year) {
        problems.add('duplicate person-year', `person ${quote(p.id)} year ${p.years[k].year} at ${p.years[k - 1].where} and ${p.years[k].where}`);
      }
    }
  }
  problems.throwIfAny((m, d) => new InvalidData(m, d), `${file}: invalid long table (${table.rows.length} rows)`);

  const ids = [...persons.keys()].sort(compareIds);
  const splits: Split[] = hasSplit
    ? ids.map((id) => persons.get(id)!.first.split!.value as Split)
    : splitPersons(ids, options.seed ?? 0, options.splits ?? DEFAULT_SPLIT_FRACTIONS);
  const imported: ImportedPerson[] = ids.map((id, i) => {
    const p = persons.get(id)!;
    const row: PersonRow = {
      person_id: id,
      gender: p.first.gender!.value as string,
      race: p.first.race!.value as string,
      region: p.first.region!.value as string,
      birth_year: p.first.birth_year!.value as number,
      split: splits[i],
      ...(hasWeight ? { weight: (p.first.weight?.value as number | undefined) ?? 1 } : {}),
    };
    return { row, years: p.years.map(({ year, state, education }) => ({ year, state, education })) };
  });
  const panel = assemblePanel(options.name ?? basename(file, extname(file)), options.taxonomy, imported);
  validatePanel(panel, importedSource(file));
  return panel;
}

/**
 * A weight cell: undefined when empty, 'bad' unless a positive finite number (CSV: a decimal
 * number such as 1520.5 or 1.2e3; Arrow: any numeric type).
 */
function surveyWeight(v: unknown): number | undefined | 'bad' {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return undefined;
    if (!/^\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return 'bad';
    v = Number(t);
  }
  const x = typeof v === 'bigint' ? Number(v) : v;
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : 'bad';
}

/** Fills the defaults and rejects keys we do not know (a typo in a config would go unnoticed). */
function columnMap(given: Partial<ColumnMap> | undefined): ColumnMap {
  const known = Object.keys(DEFAULT_COLUMNS);
  const entries = Object.entries(given ?? {}).filter(([, v]) => v !== undefined);
  const bad = entries.flatMap(([k, v]) => [
    ...(known.includes(k) ? [] : [`columns.${k}: unknown field${didYouMeanSuffix(k, known)}; known: ${known.join(', ')}`]),
    ...(typeof v === 'string' && v !== '' ? [] : [`columns.${k}: expected a column name, found ${JSON.stringify(v)}`]),
  ]);
  if (bad.length) throw new InvalidConfig('invalid column map for the table import', bad);
  return { ...DEFAULT_COLUMNS, ...Object.fromEntries(entries) };
}

/** Person ids in a stable order: all-digit ids numerically, before others in code-unit order. */
export function compareIds(a: string, b: string): number {
  const da = /^\d+$/.test(a);
  const db = /^\d+$/.test(b);
  if (da && db) {
    const sa = a.replace(/^0+(?=\d)/, '');
    const sb = b.replace(/^0+(?=\d)/, '');
    if (sa.length !== sb.length) return sa.length - sb.length;
    if (sa !== sb) return sa < sb ? -1 : 1;
  } else if (da !== db) return da ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
