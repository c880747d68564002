/**
 * Fast column conversion between JS arrays and Arrow vectors for the large tables (person-years,
 * texts, points, oracle). apache-arrow's builders (vectorFromArray) take ~10 s per million
 * strings and `vector.get(i)` ~1 s per million; here string columns are encoded and decoded
 * in one native call (ASCII fast path) and lists of floats are built straight from one buffer.
 */
import {
  DataType, Field, Float32, Int32, List, Precision, Schema, Table, Utf8, makeData, makeVector, type Data, type Vector,
} from 'apache-arrow';
import { schemaOf, type TableName } from '../artifacts/contracts';

/** A Utf8 vector from strings; null or undefined entries become nulls. */
export function utf8Vector(values: readonly (string | null | undefined)[]): Vector<Utf8> {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  const parts: string[] = new Array(n);
  let chars = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      if (!nullBitmap) nullBitmap = new Uint8Array((n + 7) >> 3).fill(0xff);
      nullBitmap[i >> 3] &= ~(1 << (i & 7));
      nullCount++;
      parts[i] = '';
    } else {
      parts[i] = v;
      chars += v.length;
    }
    offsets[i + 1] = chars;
  }
  const joined = parts.join('');
  const bytes = Buffer.from(joined, 'utf8');
  if (bytes.length !== joined.length) {
    // Not all ASCII: byte offsets differ from character offsets.
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += Buffer.byteLength(parts[i], 'utf8');
      offsets[i + 1] = acc;
    }
  }
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return makeVector(makeData({ type: new Utf8(), length: n, nullCount, nullBitmap, valueOffsets: offsets, data }));
}

export function int32Vector(values: ArrayLike<number>): Vector<Int32> {
  const data = values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>);
  return makeVector(makeData({ type: new Int32(), length: data.length, data }));
}

/** A List<Float32> vector of `flat.length / width` rows, each of `width` values. */
export function float32ListVector(flat: Float32Array, width: number): Vector<List<Float32>> {
  const rows = width > 0 ? flat.length / width : 0;
  const valueOffsets = new Int32Array(rows + 1);
  for (let i = 0; i <= rows; i++) valueOffsets[i] = i * width;
  const child = makeData({ type: new Float32(), length: flat.length, data: flat });
  const type = new List(new Field('item', new Float32(), false));
  return makeVector(makeData({ type, length: rows, nullCount: 0, valueOffsets, child }));
}

/** A contract table (schemaOf(name)) from ready vectors, with optional schema metadata. */
export function contractTable(name: TableName, columns: Record<string, Vector>, metadata?: Record<string, string>): Table {
  const contract = schemaOf(name);
  const fields = contract.fields.map((f) => {
    const v = columns[f.name];
    if (!v) throw new Error(`table ${name}: column ${f.name} missing`);
    return new Field(f.name, v.type as DataType, f.nullable || v.nullCount > 0);
  });
  const schema = new Schema(fields, new Map(Object.entries(metadata ?? {})));
  const data: Record<string, Data> = {};
  for (const f of fields) data[f.name] = columns[f.name].data[0];
  return new Table(schema, data);
}

/**
 * Reads a string column. Returns the values (null where the column is null) or an error
 * string when the column is not a string type.
 */
export function readStrings(table: Table, col: string): (string | null)[] | string {
  const vector = table.getChild(col);
  if (!vector) return `column '${col}' missing`;
  const out: (string | null)[] = new Array(vector.length);
  if (!DataType.isUtf8(vector.type)) {
    // Other string-like types (large strings, dictionaries) through the slow generic path.
    for (let i = 0; i < vector.length; i++) {
      const v = vector.get(i);
      if (v !== null && typeof v !== 'string') return `column '${col}' has type ${vector.type}, expected strings`;
      out[i] = v;
    }
    return out;
  }
  let k = 0;
  for (const d of vector.data) {
    const offsets = d.valueOffsets as Int32Array;
    const values = d.values as Uint8Array;
    const start = offsets[d.offset];
    const end = offsets[d.offset + d.length];
    const bytes = Buffer.from(values.buffer, values.byteOffset + start, end - start);
    const s = bytes.toString('utf8');
    const ascii = s.length === end - start;
    for (let i = 0; i < d.length; i++, k++) {
      if (d.nullCount > 0 && !d.getValid(i)) {
        out[k] = null;
        continue;
      }
      const a = offsets[d.offset + i] - start;
      const b = offsets[d.offset + i + 1] - start;
      out[k] = ascii ? s.substring(a, b) : bytes.toString('utf8', a, b);
    }
  }
  return out;
}

/** Reads an integer column as Int32Array, or an error string (wrong type, nulls, out of range). */
export function readInt32(table: Table, col: string): Int32Array | string {
  const vector = table.getChild(col);
  if (!vector) return `column '${col}' missing`;
  if (vector.nullCount > 0) return `column '${col}' has ${vector.nullCount} null value(s)`;
  const out = new Int32Array(vector.length);
  if (DataType.isInt(vector.type) && vector.type.bitWidth === 32 && vector.type.isSigned) {
    let k = 0;
    for (const d of vector.data) {
      out.set((d.values as Int32Array).subarray(d.offset, d.offset + d.length), k);
      k += d.length;
    }
    return out;
  }
  for (let i = 0; i < vector.length; i++) {
    const v = vector.get(i);
    const x = typeof v === 'bigint' ? Number(v) : v;
    if (typeof x !== 'number' || !Number.isInteger(x) || x !== (x | 0)) {
      return `column '${col}' has type ${vector.type}, expected 32-bit integers (row ${i + 1}: ${String(v)})`;
    }
    out[i] = x;
  }
  return out;
}

/**
 * Reads a List<Float32> column whose rows all have `width` values into one row-major buffer.
 * Returns an error string naming the first row with another length, or a wrong type.
 */
export function readFloat32Lists(table: Table, col: string, width: number): Float32Array | string {
  const vector = table.getChild(col);
  if (!vector) return `column '${col}' missing`;
  const item = DataType.isList(vector.type) ? vector.type.children[0].type : undefined;
  if (!item || !DataType.isFloat(item) || item.precision !== Precision.SINGLE) {
    return `column '${col}' has type ${vector.type}, expected List<Float32>`;
  }
  if (vector.nullCount > 0) return `column '${col}' has ${vector.nullCount} null value(s)`;
  const out = new Float32Array(vector.length * width);
  let row = 0;
  for (const d of vector.data) {
    const offsets = d.valueOffsets as Int32Array;
    const child = d.children[0];
    const values = (child.values as Float32Array).subarray(child.offset);
    for (let i = 0; i < d.length; i++, row++) {
      const a = offsets[d.offset + i];
      const b = offsets[d.offset + i + 1];
      if (b - a !== width) return `row ${row + 1}: ${b - a} values, expected ${width} (one per taxonomy state)`;
      out.set(values.subarray(a, b), row * width);
    }
  }
  return out;
}
