/**
 * The last step every importer shares: per-person records (already checked and sorted by year)
 * become a Panel with column-wise person-years, and the panel-wide checks run on the result.
 */
import type { PersonRow } from '../artifacts/contracts';
import type { Panel } from '../panel/panel';
import type { Taxonomy } from '../panel/taxonomy';
import type { PanelSource } from '../panel/validate';

export interface ImportedYear {
  year: number;
  state: string;
  education: string;
}

export interface ImportedPerson {
  row: PersonRow;
  /** Sorted by year, no duplicates. */
  years: ImportedYear[];
}

/** Builds the panel; person-years follow the order of `persons`, then year. */
export function assemblePanel(name: string, taxonomy: Taxonomy, persons: readonly ImportedPerson[]): Panel {
  const n = persons.reduce((acc, p) => acc + p.years.length, 0);
  const person_id = new Array<string>(n);
  const year = new Int32Array(n);
  const state = new Array<string>(n);
  const education = new Array<string>(n);
  let k = 0;
  for (const p of persons) {
    for (const y of p.years) {
      person_id[k] = p.row.person_id;
      year[k] = y.year;
      state[k] = y.state;
      education[k] = y.education;
      k++;
    }
  }
  return { name, taxonomy, persons: persons.map((p) => p.row), personYears: { person_id, year, state, education } };
}

/**
 * Labels for the panel-wide checks (validatePanel): their row numbers count the imported
 * panel's rows, not the source's lines, so the labels say so rather than naming a file.
 */
export function importedSource(source: string): Partial<PanelSource> {
  return {
    persons: `${source} (imported persons)`,
    personYears: `${source} (imported person-years)`,
    taxonomy: 'the taxonomy',
  };
}

/** Parses a whole integer that fits Int32 ("1990", "-3", "+7"); undefined otherwise. */
export function parseInt32(token: string): number | undefined {
  if (!/^[+-]?\d{1,10}$/.test(token)) return undefined;
  const v = Number(token);
  return v >= -(2 ** 31) && v < 2 ** 31 ? v : undefined;
}

/** Quotes a value for an error message, shortened if long. */
export function quote(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  return `'${s.length > 40 ? `${s.slice(0, 37)}...` : s}'`;
}
