import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Table, tableFromIPC, tableToIPC, vectorFromArray, Utf8 } from 'apache-arrow';
import {
  mergePredictions, predictionsFromProbs, predictionsToTable, readPredictions, tableToPredictions, writePredictions,
  type Predictions,
} from '../../lib/predict';
import { FILES, schemaOf } from '../../lib/artifacts/contracts';
import { readArrowFile } from '../../lib/artifacts/arrow-io';
import { mulberry32 } from '../../lib/metrics';
import { points, tinyTaxonomy } from './tiny';

const taxonomy = tinyTaxonomy();
const codes = taxonomy.rows.map((r) => r.code);
const dir = mkdtempSync(join(tmpdir(), 'labor-llm-predictions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** n random points over `persons` persons (4 years each), random distributions. */
function randomPredictions(n: number, seed: number, personPrefix = 'p'): Predictions {
  const rng = mulberry32(seed);
  const rows: [string, number, string, string | null][] = [];
  for (let i = 0; i < n; i++) {
    const yearIdx = i % 4;
    rows.push([`${personPrefix}${Math.floor(i / 4)}`, 2000 + yearIdx, codes[Math.floor(rng() * 5)], yearIdx === 0 ? null : codes[Math.floor(rng() * 5)]]);
  }
  const probs = new Float64Array(n * 5);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < 5; k++) s += probs[i * 5 + k] = rng() + 0.01;
    for (let k = 0; k < 5; k++) probs[i * 5 + k] /= s;
  }
  return predictionsFromProbs({ taxonomy, points: points(rows), probs });
}

function expectSame(a: Predictions, b: Predictions): void {
  expect(b.n_states).toBe(a.n_states);
  expect(b.person_id).toEqual(a.person_id);
  expect(Array.from(b.year)).toEqual(Array.from(a.year));
  expect(b.true_code).toEqual(a.true_code);
  expect(b.prev_code).toEqual(a.prev_code);
  for (const c of ['logp_true_raw', 'logp_true', 'valid_mass', 'p_change', 'p_nonemployment'] as const) {
    expect(Array.from(b[c]), c).toEqual(Array.from(a[c]));
  }
  expect(b.top_codes).toEqual(a.top_codes);
  expect(b.top_probs.map((x) => Array.from(x))).toEqual(a.top_probs.map((x) => Array.from(x)));
  expect(b.probs).toEqual(a.probs);
}

describe('predictions.arrow', () => {
  it('round trips through a file with the contract schema (nulls and NaN kept)', () => {
    const preds = randomPredictions(40, 1);
    expect(preds.prev_code.filter((c) => c === null)).toHaveLength(10);
    const path = writePredictions(dir, preds);
    expect(path).toBe(join(dir, FILES.predictions));
    const table = readArrowFile(path);
    const expected = schemaOf('predictions');
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`)).toEqual(
      expected.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`),
    );
    const back = readPredictions(dir);
    expectSame(preds, back);
    expect(back.p_change.filter(Number.isNaN)).toHaveLength(10);
  });

  it('writes several record batches and reads them back, also through a file', () => {
    const preds = randomPredictions(50, 2);
    const table = predictionsToTable(preds, 16);
    expect(table.batches.map((b) => b.numRows)).toEqual([16, 16, 16, 2]);
    expectSame(preds, tableToPredictions(table));
    expectSame(preds, tableToPredictions(tableFromIPC(tableToIPC(table, 'file'))));
    // Sliced tables (non-zero data offsets) read correctly too.
    const sliced = tableToPredictions(table.slice(5, 40));
    expect(sliced.person_id).toEqual(preds.person_id.slice(5, 40));
    expect(sliced.prev_code).toEqual(preds.prev_code.slice(5, 40));
    expect(sliced.top_codes).toEqual(preds.top_codes.slice(5, 40));
    expect(sliced.probs).toEqual(preds.probs.slice(5 * 5, 40 * 5));
  });

  it('round trips an empty table', () => {
    const empty = mergePredictions([randomPredictions(4, 3)].map((p) => ({ ...p, person_id: [], year: new Int32Array(0), true_code: [], prev_code: [], logp_true_raw: new Float64Array(0), logp_true: new Float64Array(0), valid_mass: new Float64Array(0), top_codes: [], top_probs: [], p_change: new Float64Array(0), p_nonemployment: new Float64Array(0), probs: new Float32Array(0) })));
    const back = tableToPredictions(predictionsToTable(empty));
    expect(back.person_id).toEqual([]);
    expect(back.n_states).toBe(0);
  });

  it('names the columns that do not match the schema', () => {
    const bad = new Table({ person_id: vectorFromArray(['x'], new Utf8()), year: vectorFromArray(['1999'], new Utf8()) });
    expect(() => tableToPredictions(bad, 'x.arrow')).toThrow(/x.arrow: does not match[\s\S]*year: expected Int32, found Utf8[\s\S]*column probs missing/);
  });
  it('reports a missing file', () => {
    expect(() => readPredictions(join(dir, 'nope'))).toThrow(/predictions file not found/);
  });
});

describe('mergePredictions', () => {
  it('concatenates shards in the given order', () => {
    const all = randomPredictions(30, 5);
    const cut = (a: number, b: number): Predictions => ({
      n_states: 5,
      person_id: all.person_id.slice(a, b),
      year: all.year.slice(a, b),
      true_code: all.true_code.slice(a, b),
      prev_code: all.prev_code.slice(a, b),
      logp_true_raw: all.logp_true_raw.slice(a, b),
      logp_true: all.logp_true.slice(a, b),
      valid_mass: all.valid_mass.slice(a, b),
      top_codes: all.top_codes.slice(a, b),
      top_probs: all.top_probs.slice(a, b),
      p_change: all.p_change.slice(a, b),
      p_nonemployment: all.p_nonemployment.slice(a, b),
      probs: all.probs.slice(a * 5, b * 5),
    });
    expectSame(all, mergePredictions([cut(0, 8), cut(8, 8), cut(8, 21), cut(21, 30)]));
    expect(mergePredictions([cut(8, 30), cut(0, 8)]).person_id[0]).toBe(all.person_id[8]);
  });

  it('refuses overlapping shards, mismatched widths and nothing', () => {
    const a = randomPredictions(8, 6);
    expect(() => mergePredictions([a, a])).toThrow(/prediction point in two shards.*person p0 year 2000 \(shards 0 and 1\)/);
    expect(() => mergePredictions([a, { ...randomPredictions(4, 7, 'q'), n_states: 6 }])).toThrow(/shard 1 has 6 states, expected 5/);
    expect(() => mergePredictions([])).toThrow(/no shards/);
  });
});
