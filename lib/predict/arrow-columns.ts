/**
 * Fast Arrow encoders/decoders for the predictions columns. apache-arrow's generic builders and
 * per-row `get` cost ~10 us a value; 100k points x 5 top codes made writing take seconds.
 * These build buffers directly (one UTF-8 encode for a whole column) and read them back the
 * same way.
 */
import { Field, Float32, List, makeData, Utf8, type Data, type Vector } from 'apache-arrow';

/** A Utf8 column (null entries kept as nulls). */
export function utf8Data(values: readonly (string | null)[]): Data<Utf8> {
  const n = values.length;
  const valueOffsets = new Int32Array(n + 1);
  let nullCount = 0;
  let nullBitmap: Uint8Array | undefined;
  const parts: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      if (!nullBitmap) nullBitmap = validBitmap(n, i);
      nullCount++;
      parts[i] = '';
    } else {
      parts[i] = v;
      if (nullBitmap) nullBitmap[i >> 3] |= 1 << (i & 7);
    }
    valueOffsets[i + 1] = valueOffsets[i] + Buffer.byteLength(parts[i], 'utf8');
  }
  const data = Buffer.from(parts.join(''), 'utf8');
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return makeData({ type: new Utf8(), length: n, nullCount, nullBitmap: nullCount ? nullBitmap : null, valueOffsets, data: bytes });
}

/** A List<Utf8> column with non-null items. */
export function utf8ListData(lists: readonly (readonly string[])[]): Data<List<Utf8>> {
  const valueOffsets = new Int32Array(lists.length + 1);
  lists.forEach((l, i) => (valueOffsets[i + 1] = valueOffsets[i] + l.length));
  const child = utf8Data(lists.flat());
  return makeData({ type: new List(new Field('item', new Utf8(), false)), length: lists.length, nullCount: 0, valueOffsets, child });
}

/** A List<Float32> column from separate arrays. */
export function float32ListData(lists: readonly Float32Array[]): Data<List<Float32>> {
  const valueOffsets = new Int32Array(lists.length + 1);
  lists.forEach((l, i) => (valueOffsets[i + 1] = valueOffsets[i] + l.length));
  const flat = new Float32Array(valueOffsets[lists.length]);
  lists.forEach((l, i) => flat.set(l, valueOffsets[i]));
  return float32ListFromFlat(flat, valueOffsets);
}

/** A List<Float32> column of `len` lists of exactly `width` values each, from one flat array (no copy). */
export function fixedFloat32ListData(flat: Float32Array, len: number, width: number): Data<List<Float32>> {
  const valueOffsets = new Int32Array(len + 1);
  for (let i = 0; i <= len; i++) valueOffsets[i] = i * width;
  return float32ListFromFlat(flat, valueOffsets);
}

function float32ListFromFlat(flat: Float32Array, valueOffsets: Int32Array): Data<List<Float32>> {
  const child = makeData({ type: new Float32(), length: flat.length, nullCount: 0, data: flat });
  return makeData({ type: new List(new Field('item', new Float32(), false)), length: valueOffsets.length - 1, nullCount: 0, valueOffsets, child });
}

function validBitmap(n: number, validBefore: number): Uint8Array {
  const bits = new Uint8Array((n + 7) >> 3);
  for (let j = 0; j < validBefore; j++) bits[j >> 3] |= 1 << (j & 7);
  return bits;
}

// apache-arrow slices a Data by sub-arraying its offsets and values buffers, so those are indexed
// from 0; only the validity bitmap is shared and must be read at `d.offset + i`.
function isValid(d: Data, i: number): boolean {
  if (d.nullCount === 0 || !d.nullBitmap || d.nullBitmap.length === 0) return true;
  const j = d.offset + i;
  return (d.nullBitmap[j >> 3] & (1 << (j & 7))) !== 0;
}

/** Decodes Utf8 rows [from, from + count) of one data chunk into `out` starting at `at`. */
function decodeUtf8Chunk(d: Data, from: number, count: number, out: (string | null)[], at: number): void {
  const offs = d.valueOffsets as Int32Array;
  const values = d.values as Uint8Array;
  const buf = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  for (let i = 0; i < count; i++) {
    const r = from + i;
    out[at + i] = isValid(d, r) ? buf.toString('utf8', offs[r], offs[r + 1]) : null;
  }
}

/** A Utf8 column as strings (nulls as null). */
export function decodeUtf8(col: Vector): (string | null)[] {
  const out = new Array<string | null>(col.length);
  let at = 0;
  for (const d of col.data) {
    decodeUtf8Chunk(d, 0, d.length, out, at);
    at += d.length;
  }
  return out;
}

/** Calls `each(row, childData, childStart, childEnd)` for every row of a list column. */
function forEachList(col: Vector, each: (row: number, child: Data, start: number, end: number) => void): void {
  let row = 0;
  for (const d of col.data) {
    const offs = d.valueOffsets as Int32Array;
    for (let i = 0; i < d.length; i++, row++) each(row, d.children[0], offs[i], offs[i + 1]);
  }
}

/** A List<Utf8> column as arrays of strings. */
export function decodeUtf8Lists(col: Vector): string[][] {
  const out = new Array<string[]>(col.length);
  forEachList(col, (row, child, a, b) => {
    const items = new Array<string>(b - a);
    decodeUtf8Chunk(child, a, b - a, items, 0);
    out[row] = items;
  });
  return out;
}

/** A List<Float32> column as one Float32Array per row. */
export function decodeFloat32Lists(col: Vector): Float32Array[] {
  const out = new Array<Float32Array>(col.length);
  forEachList(col, (row, child, a, b) => {
    out[row] = (child.values as Float32Array).slice(a, b);
  });
  return out;
}

/**
 * A List<Float32> column whose rows all have `width` values, into one flat row-major array.
 * Returns the index of the first row of another width, or -1.
 */
export function decodeFixedFloat32Lists(col: Vector, width: number, out: Float32Array): number {
  let row = 0;
  for (const d of col.data) {
    const offs = d.valueOffsets as Int32Array;
    const values = d.children[0].values as Float32Array;
    const first = offs[0];
    for (let i = 1; i <= d.length; i++) {
      if (offs[i] - offs[i - 1] !== width) return row + i - 1;
    }
    // Rows of equal width are contiguous: one copy per chunk.
    out.set(values.subarray(first, first + d.length * width), row * width);
    row += d.length;
  }
  return -1;
}
