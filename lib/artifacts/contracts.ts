/**
 * The artifact contracts between steps (design.md section 3b). Every step reads and writes
 * only these tables; columns are snake_case so Python and pandas read them too.
 *
 * Panel folder (data step):       persons.arrow (+ an optional `weight` column when the source has
 *                                  survey weights), person_years.arrow, taxonomy.arrow
 *                                  [+ oracle.arrow for synthetic data]
 * Encoded text folder (encode):   texts.arrow, points.arrow, point_features.arrow (row i describes
 *                                  points.arrow's row i)
 * Model folder (finetune):        config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx
 * Predictions folder (evaluate):  predictions.arrow, metrics.json
 */
import {
  type Data, Field, Float32, Float64, Int32, List, makeData, RecordBatch, Schema, Struct, Table, Utf8, Vector, type DataType,
} from 'apache-arrow';
import { plainValues, vectorOf } from './arrow-columns';

import type { Split, StateKind } from './contract-names';

export { FILES, NONEMPLOYMENT_KINDS, SPLITS, STATE_KINDS, type Split, type StateKind } from './contract-names';

/** taxonomy.arrow: the valid states, in the order every distribution column uses. */
export interface TaxonomyRow { code: string; title: string; kind: StateKind }

export { UNKNOWN_BIRTH_YEAR } from './birth-year';

/** persons.arrow: one row per person (static covariates and the split). */
export interface PersonRow {
  person_id: string;
  gender: string;
  race: string;
  region: string;
  /** UNKNOWN_BIRTH_YEAR (0) when the source has none (CAREER's files). */
  birth_year: number;
  split: Split;
  /**
   * The survey weight (a positive finite number), present on every person or on none; stored as
   * persons.arrow's optional `weight` column only when the source has weights. Absent: weighs 1.
   */
  weight?: number;
}

/** person_years.arrow: one row per observed person-year, sorted by person then year. */
export interface PersonYearRow {
  person_id: string;
  year: number;
  /** A taxonomy code (occupation or special state). */
  state: string;
  education: string;
}

/**
 * oracle.arrow (synthetic data only): for each person-year that is a prediction point (every
 * observed year after a person's first), the true probability of each taxonomy state at that
 * year given the history before it. `probs` is ordered as taxonomy.arrow and sums to 1.
 */
export interface OracleRow { person_id: string; year: number; probs: Float32Array }

/** texts.arrow: one resume-like text per person. */
export interface TextRow { person_id: string; split: Split; text: string }

/**
 * points.arrow: one row per prediction point. `context_end` is an offset into the person's
 * text in UTF-16 code units (a JavaScript string index); `text.slice(0, context_end)` ends
 * with "YEAR (EDUCATION):" and the continuation to score is " " + title + "\n".
 */
export interface PointRow {
  person_id: string;
  split: Split;
  year: number;
  context_end: number;
  true_code: string;
  prev_code: string | null;
}

/**
 * predictions.arrow: one row per prediction point, the same schema for every model, baseline
 * and the oracle. `probs` is the constrained distribution ordered as the taxonomy table.
 */
export interface PredictionRow {
  person_id: string;
  year: number;
  true_code: string;
  /** The state in the person's previous observed year (null if none): the "change" task needs it. */
  prev_code: string | null;
  /** log P(true continuation | context), unnormalised: mass on invalid strings is lost. */
  logp_true_raw: number;
  /** log of the probability renormalised over valid titles. */
  logp_true: number;
  /** Total probability of all valid titles (1 for models that only predict valid states). */
  valid_mass: number;
  top_codes: string[];
  top_probs: number[];
  p_change: number;
  p_nonemployment: number;
  probs: Float32Array;
}

/**
 * point_features.arrow: one row per prediction point, in the order of points.arrow, with the
 * covariates a non-text model needs (lib/features/point-features.ts defines each column).
 * `prev2_state` and `last_occupation_before_spell` may be null; `held_codes` lists the states
 * of every observed year before `year`, distinct, in order of first appearance.
 */
export interface PointFeatureRow {
  person_id: string;
  split: Split;
  year: number;
  true_state: string;
  prev_state: string;
  prev2_state: string | null;
  tenure: number;
  years_since_first: number;
  gap: number;
  education: string;
  education_prev: string;
  education_changed: number;
  age: number;
  gender: string;
  race: string;
  region: string;
  birth_year: number;
  last_occupation_before_spell: string | null;
  held_codes: string[];
  weight: number;
}

const utf8 = () => new Utf8();
const listOf = (t: DataType) => new List(new Field('item', t, false));

export const SCHEMAS = {
  taxonomy: { code: utf8, title: utf8, kind: utf8 },
  persons: { person_id: utf8, gender: utf8, race: utf8, region: utf8, birth_year: () => new Int32(), split: utf8 },
  person_years: { person_id: utf8, year: () => new Int32(), state: utf8, education: utf8 },
  oracle: { person_id: utf8, year: () => new Int32(), probs: () => listOf(new Float32()) },
  texts: { person_id: utf8, split: utf8, text: utf8 },
  points: {
    person_id: utf8, split: utf8, year: () => new Int32(), context_end: () => new Int32(),
    true_code: utf8, prev_code: utf8,
  },
  predictions: {
    person_id: utf8, year: () => new Int32(), true_code: utf8, prev_code: utf8,
    logp_true_raw: () => new Float64(), logp_true: () => new Float64(), valid_mass: () => new Float64(),
    top_codes: () => listOf(new Utf8()), top_probs: () => listOf(new Float32()),
    p_change: () => new Float64(), p_nonemployment: () => new Float64(), probs: () => listOf(new Float32()),
  },
  point_features: {
    person_id: utf8, split: utf8, year: () => new Int32(), true_state: utf8, prev_state: utf8, prev2_state: utf8,
    tenure: () => new Int32(), years_since_first: () => new Int32(), gap: () => new Int32(),
    education: utf8, education_prev: utf8, education_changed: () => new Int32(), age: () => new Int32(),
    gender: utf8, race: utf8, region: utf8, birth_year: () => new Int32(),
    last_occupation_before_spell: utf8, held_codes: () => listOf(new Utf8()), weight: () => new Float64(),
  },
} as const;

export type TableName = keyof typeof SCHEMAS;

/**
 * Columns a table may carry beyond its contract, written only when the data has them (so a
 * table without them keeps its bytes) and read when present.
 */
export const OPTIONAL_COLUMNS: Partial<Record<TableName, Record<string, () => DataType>>> = {
  persons: { weight: () => new Float64() },
};

/**
 * Builds a table with the contract's exact column types (no dictionary-encoded strings) from
 * plain arrays (typed arrays for numbers; one array per row for list columns); null/undefined
 * become nulls. Every column type of SCHEMAS goes through the fast builders of arrow-columns.ts.
 */
export function tableFromColumns(name: TableName, columns: Record<string, ArrayLike<unknown>>): Table {
  const spec = SCHEMAS[name] as Record<string, () => DataType>;
  const vectors: Record<string, Vector> = {};
  for (const [col, makeType] of Object.entries(spec)) {
    const values = columns[col];
    if (values === undefined) throw new Error(`table ${name}: column ${col} missing`);
    vectors[col] = vectorOf(makeType(), values);
  }
  return contractTable(name, vectors);
}

/**
 * A contract table from ready columns (Data chunks or vectors, e.g. from the arrow-columns.ts
 * builders), in the contract's column order then the given OPTIONAL_COLUMNS, with optional
 * schema metadata. A column is nullable where the contract says so or where it holds nulls.
 */
export function contractTable(name: TableName, columns: Record<string, Data | Vector>, metadata?: Record<string, string>): Table {
  const optional = Object.entries(OPTIONAL_COLUMNS[name] ?? {}).filter(([col]) => columns[col]);
  const contract = new Schema([...schemaOf(name).fields, ...optional.map(([col, t]) => new Field(col, t(), false))]);
  const vectors = contract.fields.map((f) => {
    const c = columns[f.name];
    if (!c) throw new Error(`table ${name}: column ${f.name} missing`);
    return c instanceof Vector ? c : new Vector([c]);
  });
  const rows = vectors[0]?.length ?? 0;
  vectors.forEach((v, i) => {
    if (v.length !== rows) throw new Error(`table ${name}: column ${contract.fields[i].name} has ${v.length} rows, expected ${rows}`);
  });
  const fields = contract.fields.map((f, i) => new Field(f.name, vectors[i].type as DataType, f.nullable || vectors[i].nullCount > 0));
  const schema = new Schema(fields, new Map(Object.entries(metadata ?? {})));
  if (vectors.some((v) => v.data.length !== 1)) return new Table(schema, Object.fromEntries(fields.map((f, i) => [f.name, vectors[i]])));
  const children = vectors.map((v) => v.data[0]);
  return new Table(schema, new RecordBatch(schema, makeData({ type: new Struct(fields), length: rows, nullCount: 0, children })));
}

/** Builds a contract table from row objects. */
export function tableFromRows<T extends object>(name: TableName, rows: readonly T[]): Table {
  const columns: Record<string, unknown[]> = {};
  for (const col of Object.keys(SCHEMAS[name])) columns[col] = rows.map((r) => (r as Record<string, unknown>)[col]);
  return tableFromColumns(name, columns);
}

/** The contract's schema, e.g. for checking a file written by another tool. */
export function schemaOf(name: TableName): Schema {
  const spec = SCHEMAS[name] as Record<string, () => DataType>;
  return new Schema(Object.entries(spec).map(([col, t]) => new Field(col, t(), col === 'prev_code')));
}

/**
 * Reads a column as plain JS values (nulls as null, Int64 as number, lists as arrays: string[] or
 * Float32Array). Strings, 8-32-bit integers, floats and lists of strings or floats go through
 * the fast readers of arrow-columns.ts; other types through `vector.get`.
 */
export function columnValues<T = unknown>(table: Table, col: string): T[] {
  const vector = table.getChild(col);
  if (!vector) throw new Error(`column ${col} missing`);
  const fast = plainValues(vector);
  if (fast) return fast as T[];
  const out = new Array<T>(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const v = vector.get(i);
    out[i] = (typeof v === 'bigint' ? Number(v) : v && typeof v === 'object' && 'toArray' in v ? v.toArray() : v) as T;
  }
  return out;
}

/** Reads a contract table back as row objects. */
export function rowsOf<T>(table: Table): T[] {
  const cols = table.schema.fields.map((f) => f.name);
  const values = cols.map((c) => columnValues(table, c));
  const rows = new Array<T>(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    cols.forEach((c, j) => (row[c] = values[j][i]));
    rows[i] = row as T;
  }
  return rows;
}

