/**
 * The in-memory panel: what a data step produces and an encode step consumes. Person-years
 * are held column-wise (a million rows as objects would cost several times the memory).
 */
import type { PersonRow } from '../artifacts/contracts';
import type { Taxonomy } from './taxonomy';

/** Person-year columns, sorted by person (in `persons` order) then year. */
export interface PersonYears {
  person_id: string[];
  year: Int32Array;
  /** Taxonomy code of the state in that year. */
  state: string[];
  education: string[];
}

/**
 * The generator's known truth: for each prediction point (every observed year after a
 * person's first) the true distribution over taxonomy states, row-major [n, taxonomy.size].
 */
export interface Oracle {
  person_id: string[];
  year: Int32Array;
  probs: Float32Array;
}

export interface Panel {
  /** Dataset name, written into each text's header (e.g. "NLSY79", "synthetic survey"). */
  name: string;
  taxonomy: Taxonomy;
  persons: PersonRow[];
  personYears: PersonYears;
  oracle?: Oracle;
}

/** Education levels used by the synthetic generator and the default templates, in order. */
export const EDUCATION_LEVELS = [
  'less than high school',
  'high school diploma',
  'some college',
  "bachelor's degree",
  'graduate degree',
] as const;
