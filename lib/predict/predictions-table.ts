/**
 * Predictions <-> predictions.arrow (the contract's schema, contracts.ts). Columns are built
 * straight from the typed arrays (100k points x 538 states is 54M floats), in record batches
 * so list offsets stay far below 2^31.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { makeData, RecordBatch, Struct, Table, type Data, type Vector } from 'apache-arrow';
import { FILES, schemaOf } from '../artifacts/contracts';
import { readArrowFile, writeArrowFile } from '../artifacts/arrow-io';
import { InvalidData } from '../errors';
import {
  decodeFixedFloat32Lists, decodeFloat32Lists, decodeFloat64, decodeInt32, decodeUtf8, decodeUtf8Lists,
  fixedFloat32ListData, float32ListData, float64Data, int32Data, utf8Data, utf8ListData,
} from '../artifacts/arrow-columns';
import type { Predictions } from './types';

/** Rows per record batch. */
export const BATCH_ROWS = 1 << 16;

export function predictionsToTable(preds: Predictions, batchRows = BATCH_ROWS): Table {
  const n = preds.person_id.length;
  const K = preds.n_states;
  if (preds.probs.length !== n * K) {
    throw new InvalidData(`predictions: probs has ${preds.probs.length} values, expected ${n} x ${K}`);
  }
  const schema = schemaOf('predictions');
  const batches: RecordBatch[] = [];
  for (let start = 0; start === 0 || start < n; start += batchRows) {
    const end = Math.min(n, start + batchRows);
    const len = end - start;
    const cols: Record<string, Data> = {
      person_id: utf8Data(preds.person_id.slice(start, end)),
      year: int32Data(preds.year.subarray(start, end)),
      true_code: utf8Data(preds.true_code.slice(start, end)),
      prev_code: utf8Data(preds.prev_code.slice(start, end)),
      logp_true_raw: f64(preds.logp_true_raw, start, end),
      logp_true: f64(preds.logp_true, start, end),
      valid_mass: f64(preds.valid_mass, start, end),
      top_codes: utf8ListData(preds.top_codes.slice(start, end)),
      top_probs: float32ListData(preds.top_probs.slice(start, end)),
      p_change: f64(preds.p_change, start, end),
      p_nonemployment: f64(preds.p_nonemployment, start, end),
      probs: fixedFloat32ListData(preds.probs.subarray(start * K, end * K), K, len),
    };
    const children = schema.fields.map((f) => cols[f.name]);
    batches.push(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: len, nullCount: 0, children })));
  }
  return new Table(schema, batches);
}

export function tableToPredictions(table: Table, source = 'predictions table'): Predictions {
  const expected = schemaOf('predictions');
  const problems: string[] = [];
  for (const f of expected.fields) {
    const got = table.schema.fields.find((g) => g.name === f.name);
    if (!got) problems.push(`column ${f.name} missing (expected ${f.type})`);
    else if (String(got.type) !== String(f.type)) problems.push(`column ${f.name}: expected ${f.type}, found ${got.type}`);
  }
  if (problems.length) throw new InvalidData(`${source}: does not match the predictions schema`, problems);

  const n = table.numRows;
  const probsCol = child(table, 'probs');
  const K = n === 0 ? 0 : firstListLength(probsCol);
  const probs = new Float32Array(n * K);
  const bad = decodeFixedFloat32Lists(probsCol, K, probs);
  if (bad >= 0) throw new InvalidData(`${source}: row ${bad} of probs does not have ${K} values like row 0`);
  const nulls = ['person_id', 'year', 'true_code'].filter((c) => child(table, c).nullCount > 0);
  if (nulls.length) throw new InvalidData(`${source}: null values in column(s) ${nulls.join(', ')}`);
  return {
    n_states: K,
    person_id: decodeUtf8(child(table, 'person_id')) as string[],
    year: decodeInt32(child(table, 'year')),
    true_code: decodeUtf8(child(table, 'true_code')) as string[],
    prev_code: decodeUtf8(child(table, 'prev_code')),
    logp_true_raw: f64Column(table, 'logp_true_raw'),
    logp_true: f64Column(table, 'logp_true'),
    valid_mass: f64Column(table, 'valid_mass'),
    top_codes: decodeUtf8Lists(child(table, 'top_codes')),
    top_probs: decodeFloat32Lists(child(table, 'top_probs')),
    p_change: f64Column(table, 'p_change'),
    p_nonemployment: f64Column(table, 'p_nonemployment'),
    probs,
  };
}

/** Writes `dir/predictions.arrow` atomically; returns its path. */
export function writePredictions(dir: string, preds: Predictions): string {
  const path = join(dir, FILES.predictions);
  writeArrowFile(path, predictionsToTable(preds));
  return path;
}

export function readPredictions(dir: string): Predictions {
  const path = join(dir, FILES.predictions);
  if (!existsSync(path)) throw new InvalidData(`predictions file not found: ${path}`);
  return tableToPredictions(readArrowFile(path), path);
}

function f64(col: Float64Array, start: number, end: number): Data {
  return float64Data(col.subarray(start, end));
}

function child(table: Table, name: string): Vector {
  return table.getChild(name)!;
}

function firstListLength(col: Vector): number {
  const d = col.data.find((c) => c.length > 0)!;
  const offs = d.valueOffsets as Int32Array;
  return offs[1] - offs[0];
}

function f64Column(table: Table, name: string): Float64Array {
  return decodeFloat64(child(table, name));
}
