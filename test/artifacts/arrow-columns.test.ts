/**
 * The fast Arrow column builders and readers against apache-arrow's own (slow) `vector.get(i)`:
 * every type with nulls, empty, non-ASCII, multi-batch, sliced (Table.slice) and after an IPC
 * file round trip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Dictionary, Field, Int32, Int64, makeData, makeVector, RecordBatch, Schema, Struct, Table, tableFromArrays,
  tableFromIPC, tableToIPC, Utf8, vectorFromArray, type Data, type Vector,
} from 'apache-arrow';
import { afterEach, describe, expect, it } from 'vitest';
import { readArrowFile, writeArrowFile } from '../../lib/artifacts/arrow-io';
import {
  decodeFixedFloat32Lists, decodeFloat32, decodeFloat32Lists, decodeFloat64, decodeInt32, decodeUtf8, decodeUtf8Lists,
  fixedFloat32ListData, float32Data, float32ListData, float32ListFromFlat, float64Data, int32Data, listLength,
  plainValues, readFloat32Lists, readInt32, readStrings, utf8Data, utf8ListData, utf8ListFromFlat, vectorOf,
} from '../../lib/artifacts/arrow-columns';
import {
  columnValues, contractTable, rowsOf, schemaOf, SCHEMAS, tableFromColumns, tableFromRows, type PointRow, type TableName,
} from '../../lib/artifacts/contracts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Writes and reads back an IPC file (what every step does between tables). */
function viaFile(t: Table): Table {
  const d = mkdtempSync(join(tmpdir(), 'labor-llm-arrow-'));
  dirs.push(d);
  writeArrowFile(join(d, 't.arrow'), t);
  return readArrowFile(join(d, 't.arrow'));
}

/** apache-arrow's own reading, the reference: lists as plain arrays. */
function reference(v: Vector): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < v.length; i++) {
    const x = v.get(i);
    out.push(x && typeof x === 'object' && 'toArray' in x ? Array.from(x.toArray() as ArrayLike<unknown>) : x);
  }
  return out;
}

/** Normalises typed arrays to plain arrays for deep equality. */
const plain = (xs: unknown[]) => xs.map((x) => (ArrayBuffer.isView(x) ? Array.from(x as Float32Array) : x));

/** A table of record batches, each from one Data per column (all columns nullable). */
function tableOfBatches(chunks: Record<string, Data>[]): Table {
  const fields = Object.entries(chunks[0]).map(([name, d]) => new Field(name, d.type, true));
  const schema = new Schema(fields);
  return new Table(schema, chunks.map((c) => {
    const children = fields.map((f) => c[f.name]);
    return new RecordBatch(schema, makeData({ type: new Struct(fields), length: children[0].length, nullCount: 0, children }));
  }));
}

const WORDS = ['Helpers—extraction workers', 'a', '', 'Café owner', null, '会计师', 'x'.repeat(40), 'emoji 👩‍🔬 ok', 'plain', null, 'z'];
const ASCII = ['alpha', 'b', '', 'gamma delta', null, 'e', 'f', 'gh', null, 'ij', 'k'];
const INTS = [1, -2, null, 2147483647, -2147483648, 0, 7, null, 9, 10, 11];
const FLOATS = [0.5, -1.25, null, 1e-3, 3.5, Number.NaN, 7, null, -0, 1e30, 11];
const FLIST = [[0.5, 1], [], null, [2, 3, 4], [5], [6, 7], [], [8], null, [9, 10, 11], [12]];
const SLIST = [['Helpers—extraction workers', 'b'], [], null, ['c'], ['会计', ''], ['x', 'y', 'z'], [], ['é'], null, ['w'], ['v']];

/** Every builder over the same 11 rows: one Data per type. */
function allColumns(from = 0, to = WORDS.length): Record<string, Data> {
  return {
    words: utf8Data(WORDS.slice(from, to)),
    ascii: utf8Data(ASCII.slice(from, to)),
    ints: int32Data(INTS.slice(from, to)),
    f32: float32Data(FLOATS.slice(from, to)),
    f64: float64Data(FLOATS.slice(from, to)),
    flist: float32ListData(FLIST.slice(from, to)),
    slist: utf8ListData(SLIST.slice(from, to)),
  };
}

const EXPECTED: Record<string, unknown[]> = {
  words: WORDS,
  ascii: ASCII,
  ints: INTS,
  f32: FLOATS.map((x) => (x === null ? null : Math.fround(x))),
  f64: FLOATS,
  flist: FLIST,
  slist: SLIST,
};

/** Checks every fast reader on every column of `t` against the reference and the expected rows. */
function checkAllReaders(t: Table, rows: [number, number]) {
  const want = (c: string) => EXPECTED[c].slice(...rows);
  for (const c of Object.keys(EXPECTED)) {
    const v = t.getChild(c)!;
    expect(plain(reference(v)), `reference ${c}`).toEqual(want(c));
    expect(plain(plainValues(v)!), `plainValues ${c}`).toEqual(want(c));
    expect(plain(columnValues(t, c)), `columnValues ${c}`).toEqual(want(c));
  }
  const nullsAsZero = (c: string) => want(c).map((x) => x ?? 0);
  expect(decodeUtf8(t.getChild('words')!)).toEqual(want('words'));
  expect(readStrings(t, 'words')).toEqual(want('words'));
  expect(readStrings(t, 'ascii')).toEqual(want('ascii'));
  expect(Array.from(decodeInt32(t.getChild('ints')!))).toEqual(nullsAsZero('ints'));
  expect(Array.from(decodeFloat32(t.getChild('f32')!))).toEqual(nullsAsZero('f32'));
  expect(Array.from(decodeFloat64(t.getChild('f64')!))).toEqual(nullsAsZero('f64'));
  // Null list rows read as empty lists.
  expect(decodeUtf8Lists(t.getChild('slist')!)).toEqual(want('slist').map((x) => x ?? []));
  expect(plain(decodeFloat32Lists(t.getChild('flist')!))).toEqual(want('flist').map((x) => x ?? []));
  const lengths = want('flist').map((x) => (x as number[] | null)?.length ?? 0);
  expect(lengths.map((_, i) => listLength(t.getChild('flist')!, i))).toEqual(lengths);
}

describe('arrow columns: builders and readers', () => {
  it('round-trip every type with nulls and non-ASCII strings, in memory and through a file', () => {
    const t = tableOfBatches([allColumns()]);
    checkAllReaders(t, [0, WORDS.length]);
    checkAllReaders(viaFile(t), [0, WORDS.length]);
    expect(t.getChild('words')!.nullCount).toBe(2);
    expect(t.getChild('flist')!.nullCount).toBe(2);
    expect(String(t.getChild('flist')!.type)).toBe('List<Float32>');
    expect(String(t.getChild('slist')!.type)).toBe('List<Utf8>');
  });

  it('encodes non-ASCII strings as UTF-8 bytes with byte offsets', () => {
    const d = utf8Data(['Helpers—extraction workers', 'é']);
    expect(Buffer.from(d.values).toString('utf8')).toBe('Helpers—extraction workersé');
    expect(Array.from(d.valueOffsets)).toEqual([0, 28, 30]); // the em dash is 3 bytes, é 2
    // pyarrow and other readers see the same bytes: check through the IPC stream format too.
    const back = tableFromIPC(tableToIPC(tableOfBatches([{ s: d }]), 'stream'));
    expect(reference(back.getChild('s')!)).toEqual(['Helpers—extraction workers', 'é']);
  });

  it('handles empty columns and empty tables', () => {
    const empty = allColumns(0, 0);
    for (const d of Object.values(empty)) expect(d.length).toBe(0);
    const t = tableOfBatches([empty]);
    checkAllReaders(t, [0, 0]);
    checkAllReaders(viaFile(t), [0, 0]);
    expect(readFloat32Lists(t, 'flist', 3)).toEqual(new Float32Array(0));
    expect(decodeFixedFloat32Lists(t.getChild('flist')!, 3, new Float32Array(0))).toBe(-1);
    expect(fixedFloat32ListData(new Float32Array(0), 4).length).toBe(0);
    expect(fixedFloat32ListData(new Float32Array(0), 0, 3).length).toBe(3); // zero-width rows
  });

  it('reads multi-batch tables (concatenated record batches) and the same written to a file', () => {
    const t = tableOfBatches([allColumns(0, 4), allColumns(4, 4), allColumns(4, 9), allColumns(9)]);
    expect(t.batches.length).toBe(4);
    checkAllReaders(t, [0, WORDS.length]);
    const back = viaFile(t);
    expect(back.batches.length).toBe(4);
    checkAllReaders(back, [0, WORDS.length]);
  });

  // apache-arrow slices value offsets and fixed-width values; only the validity bitmap keeps the
  // parent's buffer and needs d.offset. Offsets 3 and 5 are not byte-aligned for the bitmap.
  it.each([[3, 9], [1, 11], [5, 6], [0, 11], [10, 11], [4, 4]])('reads a sliced table, rows [%i, %i)', (a, b) => {
    const t = tableOfBatches([allColumns()]);
    const s = t.slice(a, b);
    expect(s.numRows).toBe(b - a);
    if (a > 0 && b > a) expect(s.getChild('words')!.data[0].offset).toBe(a);
    checkAllReaders(s, [a, b]);
    // A written slice reads back the same (the IPC writer rebases the buffers).
    checkAllReaders(viaFile(s), [a, b]);
    // Slicing twice.
    if (b - a >= 2) checkAllReaders(s.slice(1), [a + 1, b]);
  });

  it('reads a slice across record batch boundaries', () => {
    const t = tableOfBatches([allColumns(0, 4), allColumns(4, 9), allColumns(9)]);
    const s = t.slice(2, 10);
    expect(s.getChild('words')!.data.length).toBe(3);
    expect(s.getChild('words')!.data[0].offset).toBe(2);
    checkAllReaders(s, [2, 10]);
  });

  it('builds and reads fixed-width float lists (flat, offsets, checked reads)', () => {
    const flat = Float32Array.from({ length: 30 }, (_, i) => i / 7);
    const fixed = fixedFloat32ListData(flat, 3);
    expect(fixed.length).toBe(10);
    expect(fixed.children[0].values).toBe(flat); // no copy
    const t = tableOfBatches([{ p: fixed, ids: utf8Data(Array.from({ length: 10 }, (_, i) => `p${i}`)) }]);
    expect(readFloat32Lists(t, 'p', 3)).toEqual(flat);
    expect(readFloat32Lists(t.slice(4, 9), 'p', 3)).toEqual(flat.subarray(12, 27));
    const multi = tableOfBatches([{ p: fixedFloat32ListData(flat.subarray(0, 12), 3) }, { p: fixedFloat32ListData(flat.subarray(12), 3) }]);
    expect(readFloat32Lists(multi, 'p', 3)).toEqual(flat);
    expect(readFloat32Lists(multi.slice(2, 7), 'p', 3)).toEqual(flat.subarray(6, 21));
    expect(readFloat32Lists(viaFile(multi.slice(2, 7)), 'p', 3)).toEqual(flat.subarray(6, 21));
    const out = new Float32Array(30);
    expect(decodeFixedFloat32Lists(multi.getChild('p')!, 3, out)).toBe(-1);
    expect(out).toEqual(flat);

    // Flat values + offsets.
    const offsets = Int32Array.from([0, 2, 2, 5]);
    const lists = float32ListFromFlat(Float32Array.from([1, 2, 3, 4, 5]), offsets);
    expect(plain(decodeFloat32Lists(makeVector(lists)))).toEqual([[1, 2], [], [3, 4, 5]]);
    const slists = utf8ListFromFlat(['a', 'b—c', 'd', 'e', 'f'], offsets);
    expect(decodeUtf8Lists(makeVector(slists))).toEqual([['a', 'b—c'], [], ['d', 'e', 'f']]);
    expect(decodeUtf8Lists(makeVector(slists).slice(1))).toEqual([[], ['d', 'e', 'f']]);
  });

  it('reports wrong lengths, types and nulls as error strings', () => {
    const flat = Float32Array.from({ length: 12 }, (_, i) => i);
    const t = tableOfBatches([{ p: float32ListData([flat.subarray(0, 3), flat.subarray(3, 6), flat.subarray(6, 8)]), q: fixedFloat32ListData(flat, 4) }]);
    expect(readFloat32Lists(t, 'p', 3)).toBe('row 3: 2 values, expected 3');
    expect(readFloat32Lists(t, 'p', 3, 'one per taxonomy state')).toBe('row 3: 2 values, expected 3 (one per taxonomy state)');
    expect(readFloat32Lists(t.slice(1), 'p', 3)).toBe('row 2: 2 values, expected 3');
    expect(readFloat32Lists(t, 'missing', 3)).toBe("column 'missing' missing");
    const mixed = tableOfBatches([allColumns()]);
    expect(readFloat32Lists(mixed, 'flist', 1)).toBe("column 'flist' has 2 null value(s)");
    expect(readFloat32Lists(mixed, 'words', 1)).toBe("column 'words' has type Utf8, expected List<Float32>");
    expect(readInt32(mixed, 'ints')).toBe("column 'ints' has 2 null value(s)");
    expect(readInt32(mixed.slice(0, 2), 'ints')).toEqual(Int32Array.from([1, -2]));
    expect(readInt32(mixed.slice(0, 2), 'words')).toMatch(/column 'words' has type Utf8, expected 32-bit integers \(row 1: /);
    expect(readStrings(mixed, 'ints')).toBe("column 'ints' has type Int32, expected strings");
    expect(readStrings(mixed, 'nope')).toBe("column 'nope' missing");
  });

  it('reads other string and integer types through the generic path', () => {
    const t = tableFromArrays({ s: ['a', 'b—', 'a'], n: BigInt64Array.from([1n, -5n, 2n ** 40n]) });
    expect(DictionaryType(t.getChild('s')!)).toBe(true);
    expect(readStrings(t, 's')).toEqual(['a', 'b—', 'a']);
    expect(columnValues(t, 's')).toEqual(['a', 'b—', 'a']);
    expect(plainValues(t.getChild('n')!)).toBeUndefined();
    expect(columnValues(t, 'n')).toEqual([1, -5, 2 ** 40]);
    expect(readInt32(t.slice(0, 2), 'n')).toEqual(Int32Array.from([1, -5]));
    expect(readInt32(t, 'n')).toMatch(/expected 32-bit integers \(row 3: 1099511627776\)/);
    const i64 = new Table({ n: vectorFromArray([3n, null], new Int64()) });
    expect(readInt32(i64, 'n')).toBe("column 'n' has 1 null value(s)");
  });

  it('int and float builders use typed arrays as they are and convert plain arrays like Int32Array.from', () => {
    const ys = Int32Array.from([1990, 1991]);
    expect(int32Data(ys).values).toBe(ys);
    const xs = Float64Array.from([0.1]);
    expect(float64Data(xs).values).toBe(xs);
    expect(Array.from(int32Data([1.7, 2 ** 31, -3]).values)).toEqual(Array.from(Int32Array.from([1.7, 2 ** 31, -3])));
    expect(int32Data([1, undefined, 3]).nullCount).toBe(1);
    expect(utf8Data(['a', 'b']).nullCount).toBe(0);
  });

  it('rejects a non-string in a string column and a flat array that does not fit', () => {
    expect(() => utf8Data(['a', 5 as unknown as string])).toThrow(/row 2: expected a string, found number/);
    expect(() => fixedFloat32ListData(new Float32Array(10), 3)).toThrow(RangeError);
    expect(() => fixedFloat32ListData(new Float32Array(10), 2, 4)).toThrow(RangeError);
    expect(() => float32ListFromFlat(new Float32Array(2), Int32Array.from([0, 3]))).toThrow(RangeError);
  });

  it('vectorOf uses the fast builders for the contract types and apache-arrow for others', () => {
    const v = vectorOf(new Utf8(), ['a', null, 'ü']);
    expect(reference(v)).toEqual(['a', null, 'ü']);
    const d = vectorOf(new Dictionary(new Utf8(), new Int32()), ['a', 'b', 'a']);
    expect(reference(d)).toEqual(['a', 'b', 'a']);
  });
});

function DictionaryType(v: Vector): boolean {
  return v.type instanceof Dictionary;
}

describe('contract tables with the fast columns', () => {
  const points: PointRow[] = [
    { person_id: 'p1', split: 'train', year: 1990, context_end: 25, true_code: '0010', prev_code: null },
    { person_id: 'p1', split: 'train', year: 1991, context_end: 60, true_code: '0020', prev_code: '0010' },
    { person_id: 'p—2', split: 'test', year: 2001, context_end: 12, true_code: '9999', prev_code: '0020' },
  ];

  it('tableFromRows / rowsOf round-trip points with nulls, also sliced and through a file', () => {
    const t = tableFromRows('points', points);
    expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(schemaOf('points').fields.map((f) => `${f.name}:${f.type}`));
    expect(rowsOf<PointRow>(t)).toEqual(points);
    expect(rowsOf<PointRow>(viaFile(t))).toEqual(points);
    expect(rowsOf<PointRow>(t.slice(1))).toEqual(points.slice(1));
    expect(columnValues(t.slice(1, 2), 'prev_code')).toEqual(['0010']);
  });

  it('tableFromColumns builds every contract table with the exact types and the values apache-arrow builds', () => {
    const probs = [Float32Array.from([0.25, 0.75]), Float32Array.from([1, 0])];
    const columns: Record<TableName, Record<string, ArrayLike<unknown>>> = {
      taxonomy: { code: ['0010', 'U'], title: ['Chief executives', 'Helpers—extraction workers'], kind: ['occupation', 'unemployed'] },
      persons: { person_id: ['a', 'b'], gender: ['f', 'm'], race: ['x', 'y'], region: ['n', 's'], birth_year: [1960, 1970], split: ['train', 'test'] },
      person_years: { person_id: ['a', 'a'], year: Int32Array.from([1990, 1991]), state: ['0010', 'U'], education: ['hs', 'ba'] },
      oracle: { person_id: ['a', 'b'], year: [1991, 1992], probs },
      texts: { person_id: ['a', 'b'], split: ['train', 'test'], text: ['1990 (hs): Helpers—extraction workers\n', ''] },
      points: { person_id: ['a', 'b'], split: ['train', 'test'], year: [1991, 1992], context_end: [10, 20], true_code: ['U', '0010'], prev_code: [null, 'U'] },
      predictions: {
        person_id: ['a', 'b'], year: [1991, 1992], true_code: ['U', '0010'], prev_code: ['0010', null],
        logp_true_raw: [-1.5, -0.1], logp_true: Float64Array.from([-1.4, -0.05]), valid_mass: [0.9, 0.95],
        top_codes: [['U', '0010'], ['0010']], top_probs: [[0.6, 0.4], Float32Array.from([0.99])],
        p_change: [Number.NaN, 0.3], p_nonemployment: [0.6, 0.01], probs,
      },
      point_features: {
        person_id: ['a', 'b'], split: ['train', 'test'], year: [1991, 1992], true_state: ['U', '0010'], prev_state: ['0010', 'U'],
        prev2_state: [null, '0010'], tenure: [1, 2], years_since_first: [1, 2], gap: [1, 2], education: ['hs', 'ba'],
        education_prev: ['hs', 'hs'], education_changed: [0, 1], age: [31, 22], gender: ['f', 'm'], race: ['x', 'y'],
        region: ['n', 's'], birth_year: [1960, 1970], last_occupation_before_spell: ['0010', null],
        held_codes: [['0010'], ['0010', 'U']], weight: Float64Array.from([1, 2.5]),
      },
    };
    for (const name of Object.keys(SCHEMAS) as TableName[]) {
      const t = tableFromColumns(name, columns[name]);
      expect(t.schema.fields.map((f) => `${f.name}:${f.type}`), name).toEqual(schemaOf(name).fields.map((f) => `${f.name}:${f.type}`));
      for (const f of schemaOf(name).fields) {
        // apache-arrow's generic builder (the old implementation) as the reference.
        const slow = vectorFromArray(columns[name][f.name] as unknown[], f.type);
        expect(plain(columnValues(t, f.name)), `${name}.${f.name}`).toEqual(plain(reference(slow)));
        expect(plain(reference(t.getChild(f.name)!)), `${name}.${f.name}`).toEqual(plain(reference(slow)));
      }
      expect(rowsOf(viaFile(t)), name).toEqual(rowsOf(t));
    }
    expect(() => tableFromColumns('texts', { person_id: ['a'], split: ['train'] })).toThrow(/column text missing/);
    expect(() => tableFromColumns('texts', { person_id: ['a'], split: ['train'], text: [] })).toThrow(/column text has 0 rows, expected 1/);
  });

  it('contractTable takes Data or vectors (also multi-chunk) and keeps metadata; empty tables work', () => {
    const t = contractTable('texts', {
      person_id: utf8Data(['a', 'b']), split: makeVector(utf8Data(['train', 'test'])), text: utf8Data(['x', 'y—z']),
    }, { 'labor_llm.template_name': 'resume' });
    expect(t.schema.metadata.get('labor_llm.template_name')).toBe('resume');
    expect(viaFile(t).schema.metadata.get('labor_llm.template_name')).toBe('resume');
    const two = contractTable('texts', {
      person_id: t.getChild('person_id')!.concat(t.getChild('person_id')!),
      split: utf8Data(['train', 'test', 'valid', 'test']),
      text: utf8Data(['1', '2', '3', '4']),
    });
    expect(rowsOf(two)).toEqual([
      { person_id: 'a', split: 'train', text: '1' }, { person_id: 'b', split: 'test', text: '2' },
      { person_id: 'a', split: 'valid', text: '3' }, { person_id: 'b', split: 'test', text: '4' },
    ]);
    const empty = tableFromColumns('predictions', Object.fromEntries(Object.keys(SCHEMAS.predictions).map((c) => [c, []])));
    expect(empty.numRows).toBe(0);
    expect(rowsOf(viaFile(empty))).toEqual([]);
    expect(columnValues(viaFile(empty), 'probs')).toEqual([]);
  });
});
