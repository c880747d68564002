/**
 * The Arrow form of scoring, so that any backend (another process, a GPU worker) can take the
 * same requests and give the same results:
 *
 *   requests: request_id utf8, context utf8                      (one row per prediction point)
 *   results:  request_id utf8, candidate_index int32, logprob float64
 *             (one row per request and candidate, requests in input order, candidates in order)
 *
 * logprob = log P(" " + title + "\n" | context), unnormalised.
 */
import { Field, Float64, Int32, makeVector, Schema, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { InvalidData } from '../errors';
import type { ScoreRequest } from './types';

export const REQUEST_COLUMNS = { request_id: () => new Utf8(), context: () => new Utf8() } as const;
export const RESULT_COLUMNS = {
  request_id: () => new Utf8(),
  candidate_index: () => new Int32(),
  logprob: () => new Float64(),
} as const;

export const requestsSchema = () => new Schema(Object.entries(REQUEST_COLUMNS).map(([n, t]) => new Field(n, t(), false)));
export const resultsSchema = () => new Schema(Object.entries(RESULT_COLUMNS).map(([n, t]) => new Field(n, t(), false)));

export interface IdentifiedRequest extends ScoreRequest {
  request_id: string;
}

export function requestsTable(rows: readonly IdentifiedRequest[]): Table {
  return new Table({
    request_id: vectorFromArray(rows.map((r) => r.request_id), new Utf8()),
    context: vectorFromArray(rows.map((r) => r.context), new Utf8()),
  });
}

/** Reads and checks a requests table: both columns present, no nulls, ids unique. */
export function readRequests(table: Table, source = 'requests table'): IdentifiedRequest[] {
  const problems: string[] = [];
  const ids = table.getChild('request_id');
  const contexts = table.getChild('context');
  if (!ids) problems.push(`column 'request_id' missing (found: ${table.schema.fields.map((f) => f.name).join(', ') || 'none'})`);
  if (!contexts) problems.push(`column 'context' missing (found: ${table.schema.fields.map((f) => f.name).join(', ') || 'none'})`);
  if (problems.length) throw new InvalidData(`${source}: not a scoring requests table`, problems);
  const rows: IdentifiedRequest[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < table.numRows; i++) {
    const id = ids!.get(i);
    const context = contexts!.get(i);
    if (id === null || id === undefined) problems.push(`row ${i}: request_id is null`);
    if (typeof context !== 'string') problems.push(`row ${i}: context is ${context === null ? 'null' : typeof context}, expected a string`);
    const key = String(id);
    if (seen.has(key)) problems.push(`row ${i}: request_id '${key}' repeats row ${seen.get(key)}`);
    seen.set(key, i);
    rows.push({ request_id: key, context: String(context) });
  }
  if (problems.length) throw new InvalidData(`${source}: ${problems.length} problem(s)`, problems.slice(0, 10));
  return rows;
}

/** Long-format results table from one Float64Array of candidate log-probs per request. */
export function resultsTable(requestIds: readonly string[], logprobs: readonly Float64Array[]): Table {
  const n = requestIds.reduce((s, _, i) => s + logprobs[i].length, 0);
  const ids = new Array<string>(n);
  const cand = new Int32Array(n);
  const lp = new Float64Array(n);
  let k = 0;
  requestIds.forEach((id, i) => {
    const row = logprobs[i];
    for (let c = 0; c < row.length; c++, k++) {
      ids[k] = id;
      cand[k] = c;
      lp[k] = row[c];
    }
  });
  return new Table({
    request_id: vectorFromArray(ids, new Utf8()),
    candidate_index: makeVector(cand),
    logprob: makeVector(lp),
  });
}

/**
 * Results table back to one Float64Array per request (in `requestIds` order). Every
 * (request, candidate) pair must appear exactly once.
 */
export function readResults(table: Table, requestIds: readonly string[], numCandidates: number, source = 'results table'): Float64Array[] {
  const cols = ['request_id', 'candidate_index', 'logprob'];
  const missing = cols.filter((c) => !table.getChild(c));
  if (missing.length) throw new InvalidData(`${source}: column(s) ${missing.join(', ')} missing`);
  const index = new Map(requestIds.map((id, i) => [id, i]));
  const out = requestIds.map(() => new Float64Array(numCandidates).fill(Number.NaN));
  const ids = table.getChild('request_id')!;
  const cand = table.getChild('candidate_index')!;
  const lp = table.getChild('logprob')!;
  const problems: string[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const r = index.get(String(ids.get(i)));
    const c = Number(cand.get(i));
    if (r === undefined) problems.push(`row ${i}: unknown request_id '${ids.get(i)}'`);
    else if (!(c >= 0 && c < numCandidates)) problems.push(`row ${i}: candidate_index ${c} outside 0..${numCandidates - 1}`);
    else if (!Number.isNaN(out[r][c])) problems.push(`row ${i}: request '${ids.get(i)}' candidate ${c} appears twice`);
    else out[r][c] = Number(lp.get(i));
  }
  const expected = requestIds.length * numCandidates;
  if (table.numRows !== expected) problems.push(`expected ${expected} rows (${requestIds.length} requests x ${numCandidates} candidates), found ${table.numRows}`);
  if (problems.length) throw new InvalidData(`${source}: ${problems.length} problem(s)`, problems.slice(0, 10));
  return out;
}
