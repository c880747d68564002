/**
 * The taxonomy: every valid state a person can be in (occupations plus three special states),
 * in a fixed order that every probability distribution in the project follows.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { InvalidData, ProblemList } from '../errors';
import { STATE_KINDS, type StateKind } from '../artifacts/contract-names';
import type { TaxonomyRow } from '../artifacts/contracts';

/** The special states, with the codes and titles used when a taxonomy file omits them. */
export const SPECIAL_STATES: readonly TaxonomyRow[] = [
  { code: 'unemployed', title: 'Unemployed', kind: 'unemployed' },
  { code: 'not_in_labor_force', title: 'Not in labor force', kind: 'not_in_labor_force' },
  { code: 'in_education', title: 'In education', kind: 'in_education' },
];

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_TAXONOMY_PATH = resolve(PROJECT_ROOT, 'data/taxonomy/default.csv');

export class Taxonomy {
  readonly index: ReadonlyMap<string, number>;
  constructor(readonly rows: readonly TaxonomyRow[]) {
    this.index = new Map(rows.map((r, i) => [r.code, i]));
  }
  get size(): number {
    return this.rows.length;
  }
  has(code: string): boolean {
    return this.index.has(code);
  }
  indexOf(code: string): number {
    const i = this.index.get(code);
    if (i === undefined) throw new InvalidData(`unknown state code '${code}' (not in the taxonomy)`);
    return i;
  }
  title(code: string): string {
    return this.rows[this.indexOf(code)].title;
  }
  /** Indices of the states of the given kinds. */
  indicesOfKinds(kinds: readonly StateKind[]): number[] {
    return this.rows.flatMap((r, i) => (kinds.includes(r.kind) ? [i] : []));
  }
  get occupationIndices(): number[] {
    return this.indicesOfKinds(['occupation']);
  }
}

/**
 * Builds and checks a taxonomy from rows: codes and titles non-empty and unique (one title for
 * two codes would make the text ambiguous), kinds valid; missing special states are appended.
 */
export function makeTaxonomy(rows: readonly TaxonomyRow[], source = 'taxonomy', rowName: (i: number) => string = (i) => `row ${i + 1}`): Taxonomy {
  const problems = new ProblemList();
  const byCode = new Map<string, number>();
  const byTitle = new Map<string, number>();
  rows.forEach((r, i) => {
    const where = rowName(i);
    if (!r.code) problems.add('empty code', where);
    if (!r.title?.trim()) problems.add('empty title', `${where} (code '${r.code}')`);
    if (!STATE_KINDS.includes(r.kind)) problems.add(`kind must be one of ${STATE_KINDS.join('|')}`, `${where} has '${r.kind}'`);
    if (byCode.has(r.code)) problems.add('duplicate code', `'${r.code}' at ${rowName(byCode.get(r.code)!)} and ${where}`);
    const title = r.title?.trim().toLowerCase();
    if (byTitle.has(title)) problems.add('one title for two codes', `'${r.title}' at ${rowName(byTitle.get(title)!)} and ${where}`);
    byCode.set(r.code, i);
    byTitle.set(title, i);
  });
  problems.throwIfAny((m, d) => new InvalidData(m, d), `${source}: invalid taxonomy (${rows.length} rows)`);
  const present = new Set(rows.map((r) => r.kind));
  const extra = SPECIAL_STATES.filter((s) => !present.has(s.kind) && !byCode.has(s.code));
  return new Taxonomy([...rows.map((r) => ({ ...r, title: r.title.trim() })), ...extra]);
}

/**
 * Loads a taxonomy CSV with columns `code,title` and an optional `kind` (default occupation).
 * Codes are kept as strings ("0010" stays "0010").
 */
export function loadTaxonomyCsv(path: string): Taxonomy {
  const file = resolve(path);
  if (!existsSync(file)) throw new InvalidData(`taxonomy file not found: ${file}`);
  let records: Record<string, string>[];
  let lines: number[];
  try {
    const parsed = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true, info: true }) as unknown as { record: Record<string, string>; info: { lines: number } }[];
    records = parsed.map((p) => p.record);
    // The line a record ends on: its line, unless a quoted title spans lines.
    lines = parsed.map((p) => p.info.lines);
  } catch (err) {
    throw new InvalidData(`${file}: not a valid CSV: ${(err as Error).message}`);
  }
  if (records.length === 0) throw new InvalidData(`${file}: empty taxonomy (expected a header 'code,title' and rows)`);
  const columns = Object.keys(records[0]);
  const missing = ['code', 'title'].filter((c) => !columns.includes(c));
  if (missing.length) {
    throw new InvalidData(`${file}: missing column(s) ${missing.join(', ')}; expected 'code,title[,kind]', found '${columns.join(',')}'`);
  }
  const rows = records.map((r) => ({ code: r.code, title: r.title, kind: (r.kind || 'occupation') as StateKind }));
  return makeTaxonomy(rows, file, (i) => `row ${i + 1} (line ${lines[i]})`);
}

/** Resolves a config's `taxonomy` setting: 'default' or a path to a CSV. */
export function loadTaxonomy(spec: string = 'default', baseDir = process.cwd()): Taxonomy {
  return loadTaxonomyCsv(spec === 'default' ? DEFAULT_TAXONOMY_PATH : resolve(baseDir, spec));
}
