/**
 * Fast column-wise building and reading of Arrow data for the large tables (person-years, texts,
 * points, oracle, predictions). apache-arrow's builders (`vectorFromArray`) take ~10 s per
 * million strings and `vector.get(i)` ~1 s per million; here a string column is encoded or
 * decoded with one native call (ASCII fast path) and numbers and lists of floats go straight
 * between typed arrays and Arrow buffers.
 *
 * Sliced data: apache-arrow slices a Data (Table.slice, Vector.slice) by sub-arraying its value
 * offsets and, for fixed-width types, its values, so both are indexed from 0; a variable-width
 * values buffer and list children are left whole and indexed by the (absolute) offsets. Only the
 * validity bitmap is shared and read at `d.offset + i`.
 */
import {
  DataType, Field, Float32, Float64, Int32, List, makeData, makeVector, Precision, Utf8, vectorFromArray,
  type Data, type Table, type Vector,
} from 'apache-arrow';

type MaybeNull<T> = T | null | undefined;

// ---------------------------------------------------------------------------------------------
// Builders: each returns one Data chunk (makeVector(d) for a Vector). null/undefined -> null.

/** A Utf8 column; null or undefined entries become nulls. Throws on a non-string value. */
export function utf8Data(values: readonly MaybeNull<string>[]): Data<Utf8> {
  const n = values.length;
  const valueOffsets = new Int32Array(n + 1);
  const nulls = new NullBits(n);
  const parts: string[] = new Array(n);
  let chars = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      nulls.setNull(i);
      parts[i] = '';
    } else if (typeof v !== 'string') {
      throw new TypeError(`utf8 column: row ${i + 1}: expected a string, found ${typeof v} (${String(v)})`);
    } else {
      parts[i] = v;
      chars += v.length;
    }
    valueOffsets[i + 1] = chars;
  }
  const joined = parts.join('');
  const bytes = Buffer.from(joined, 'utf8');
  if (bytes.length !== joined.length) {
    // Not all ASCII: byte offsets differ from character offsets.
    let acc = 0;
    for (let i = 0; i < n; i++) valueOffsets[i + 1] = acc += Buffer.byteLength(parts[i], 'utf8');
  }
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return makeData({ type: new Utf8(), length: n, nullCount: nulls.count, nullBitmap: nulls.bitmap, valueOffsets, data });
}

/** An Int32 column. An Int32Array is used as is (no copy); other values convert as Int32Array.from. */
export function int32Data(values: ArrayLike<MaybeNull<number>>): Data<Int32> {
  const { data, nulls } = numbers(Int32Array, values);
  return makeData({ type: new Int32(), length: data.length, nullCount: nulls.count, nullBitmap: nulls.bitmap, data });
}

/** A Float32 column. A Float32Array is used as is (no copy). */
export function float32Data(values: ArrayLike<MaybeNull<number>>): Data<Float32> {
  const { data, nulls } = numbers(Float32Array, values);
  return makeData({ type: new Float32(), length: data.length, nullCount: nulls.count, nullBitmap: nulls.bitmap, data });
}

/** A Float64 column. A Float64Array is used as is (no copy). */
export function float64Data(values: ArrayLike<MaybeNull<number>>): Data<Float64> {
  const { data, nulls } = numbers(Float64Array, values);
  return makeData({ type: new Float64(), length: data.length, nullCount: nulls.count, nullBitmap: nulls.bitmap, data });
}

/** A List<Float32> column from one array per row (null rows become nulls). */
export function float32ListData(lists: readonly MaybeNull<ArrayLike<number>>[]): Data<List<Float32>> {
  const { valueOffsets, nulls } = listOffsets(lists);
  const flat = new Float32Array(valueOffsets[lists.length]);
  lists.forEach((l, i) => l && flat.set(l, valueOffsets[i]));
  return listData(new Float32(), valueOffsets, float32Child(flat), nulls);
}

/** A List<Float32> column from one flat array and `rows + 1` offsets into it (no copy). */
export function float32ListFromFlat(flat: Float32Array, valueOffsets: Int32Array): Data<List<Float32>> {
  checkOffsets(valueOffsets, flat.length);
  return listData(new Float32(), valueOffsets, float32Child(flat));
}

/**
 * A List<Float32> column of `rows` lists of exactly `width` values each, from one row-major flat
 * array (no copy). `rows` defaults to flat.length / width (0 when width is 0).
 */
export function fixedFloat32ListData(flat: Float32Array, width: number, rows = width > 0 ? flat.length / width : 0): Data<List<Float32>> {
  if (!Number.isInteger(rows) || rows * width !== flat.length) {
    throw new RangeError(`fixed-width float list: ${flat.length} values are not ${rows} rows of ${width}`);
  }
  const valueOffsets = new Int32Array(rows + 1);
  for (let i = 0; i <= rows; i++) valueOffsets[i] = i * width;
  return float32ListFromFlat(flat, valueOffsets);
}

/** A List<Utf8> column from one string array per row (null rows become nulls). */
export function utf8ListData(lists: readonly MaybeNull<readonly MaybeNull<string>[]>[]): Data<List<Utf8>> {
  const { valueOffsets, nulls } = listOffsets(lists);
  const flat = new Array<MaybeNull<string>>(valueOffsets[lists.length]);
  lists.forEach((l, i) => l && l.forEach((s, j) => (flat[valueOffsets[i] + j] = s)));
  return listData(new Utf8(), valueOffsets, utf8Data(flat), nulls);
}

/** A List<Utf8> column from one flat string array and `rows + 1` offsets into it. */
export function utf8ListFromFlat(flat: readonly MaybeNull<string>[], valueOffsets: Int32Array): Data<List<Utf8>> {
  checkOffsets(valueOffsets, flat.length);
  return listData(new Utf8(), valueOffsets, utf8Data(flat));
}

/**
 * A vector of `type` from plain values, through the fast builders for Utf8, Int32, Float32,
 * Float64, List<Float32> and List<Utf8>, and apache-arrow's generic builder for other types.
 */
export function vectorOf(type: DataType, values: ArrayLike<unknown>): Vector {
  const fast = fastData(type, values);
  return fast ? makeVector(fast) : (vectorFromArray(values as unknown[], type) as Vector);
}

function fastData(type: DataType, values: ArrayLike<unknown>): Data | undefined {
  if (DataType.isUtf8(type)) return utf8Data(values as readonly MaybeNull<string>[]);
  if (isInt32(type)) return int32Data(values as ArrayLike<MaybeNull<number>>);
  if (isFloat(type, Precision.SINGLE)) return float32Data(values as ArrayLike<MaybeNull<number>>);
  if (isFloat(type, Precision.DOUBLE)) return float64Data(values as ArrayLike<MaybeNull<number>>);
  const item = listItem(type);
  // Only the item field these builders make (named 'item', non-nullable) keeps the type exact.
  if (item && item.name === 'item' && !item.nullable) {
    if (isFloat(item.type, Precision.SINGLE)) return float32ListData(values as readonly MaybeNull<ArrayLike<number>>[]);
    if (DataType.isUtf8(item.type)) return utf8ListData(values as readonly MaybeNull<readonly string[]>[]);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Vector readers: fast, for a vector already known to have the type (see the table readers
// below for checked reads). Multi-chunk and sliced vectors are fine.

/** A Utf8 vector as strings (nulls as null). */
export function decodeUtf8(col: Vector): (string | null)[] {
  const out = new Array<string | null>(col.length);
  let at = 0;
  for (const d of col.data) {
    decodeUtf8Chunk(d, 0, d.length, out, at);
    at += d.length;
  }
  return out;
}

/** An Int32 vector as one Int32Array (null slots hold whatever the buffer holds, usually 0). */
export function decodeInt32(col: Vector): Int32Array {
  return decodeNumbers(col, Int32Array);
}

/** A Float32 vector as one Float32Array (null slots as in the buffer). */
export function decodeFloat32(col: Vector): Float32Array {
  return decodeNumbers(col, Float32Array);
}

/** A Float64 vector as one Float64Array (null slots as in the buffer). */
export function decodeFloat64(col: Vector): Float64Array {
  return decodeNumbers(col, Float64Array);
}

/** A List<Utf8> vector as one string array per row (a null row as []). */
export function decodeUtf8Lists(col: Vector): string[][] {
  const out = new Array<string[]>(col.length);
  forEachList(col, (row, child, a, b) => {
    const items = new Array<string | null>(b - a);
    decodeUtf8Chunk(child, a, b - a, items, 0);
    out[row] = items as string[];
  });
  return out;
}

/** A List<Float32> vector as one Float32Array (a copy) per row (a null row as an empty array). */
export function decodeFloat32Lists(col: Vector): Float32Array[] {
  const out = new Array<Float32Array>(col.length);
  forEachList(col, (row, child, a, b) => {
    out[row] = (child.values as Float32Array).slice(a, b);
  });
  return out;
}

/**
 * A List<Float32> vector whose rows all have `width` values, into `out` (row-major, at least
 * col.length * width long). Returns the 0-based index of the first row of another length, or -1.
 */
export function decodeFixedFloat32Lists(col: Vector, width: number, out: Float32Array): number {
  let row = 0;
  for (const d of col.data) {
    if (d.length === 0) continue;
    const offs = d.valueOffsets as Int32Array;
    for (let i = 0; i < d.length; i++) {
      if (offs[i + 1] - offs[i] !== width) return row + i;
    }
    // Rows of equal width are contiguous: one copy per chunk.
    const values = d.children[0].values as Float32Array;
    out.set(values.subarray(offs[0], offs[0] + d.length * width), row * width);
    row += d.length;
  }
  return -1;
}

/** The number of values in row `row` (0-based) of a list vector. */
export function listLength(col: Vector, row: number): number {
  let r = row;
  for (const d of col.data) {
    if (r < d.length) {
      const offs = d.valueOffsets as Int32Array;
      return offs[r + 1] - offs[r];
    }
    r -= d.length;
  }
  throw new RangeError(`row ${row} is past the end of the column (${col.length} rows)`);
}

/**
 * A vector's values as plain JS values (nulls as null, lists as string[] / Float32Array) through
 * the fast readers, or undefined for a type they do not cover (Int64, dictionaries, ...).
 */
export function plainValues(col: Vector): unknown[] | undefined {
  const type = col.type as DataType;
  let out: unknown[];
  if (DataType.isUtf8(type)) return decodeUtf8(col);
  if (DataType.isInt(type) && type.bitWidth <= 32) out = Array.from(decodeNumbers(col, type.ArrayType as { new (n: number): NumberArray }));
  else if (isFloat(type, Precision.SINGLE) || isFloat(type, Precision.DOUBLE)) out = Array.from(decodeNumbers(col, type.ArrayType as { new (n: number): NumberArray }));
  else if (isFloat(listItem(type)?.type, Precision.SINGLE)) out = decodeFloat32Lists(col);
  else if (DataType.isUtf8(listItem(type)?.type)) out = decodeUtf8Lists(col);
  else return undefined;
  if (col.nullCount > 0) {
    let row = 0;
    for (const d of col.data) {
      for (let i = 0; i < d.length; i++, row++) if (!isValid(d, i)) out[row] = null;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Table readers: check the column, return the values or an error string for the caller's
// problem report.

/** A string column (null where null), or an error string (missing, not strings). */
export function readStrings(table: Table, col: string): (string | null)[] | string {
  const vector = table.getChild(col);
  if (!vector) return `column '${col}' missing`;
  if (DataType.isUtf8(vector.type)) return decodeUtf8(vector);
  // Other string-like types (large strings, dictionaries) through the slow generic path.
  const out: (string | null)[] = new Array(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const v = vector.get(i);
    if (v !== null && typeof v !== 'string') return `column '${col}' has type ${vector.type}, expected strings`;
    out[i] = v;
  }
  return out;
}

/** An integer column as Int32Array, or an error string (missing, wrong type, nulls, out of range). */
export function readInt32(table: Table, col: string): Int32Array | string {
  const vector = table.getChild(col);
  if (!vector) return `column '${col}' missing`;
  if (vector.nullCount > 0) return `column '${col}' has ${vector.nullCount} null value(s)`;
  if (isInt32(vector.type)) return decodeInt32(vector);
  const out = new Int32Array(vector.length);
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

/** A numeric column (floats or integers up to 32 bits) as Float64Array, or an error string (missing, wrong type, nulls). */
export function readFloat64(table: Table, col: string): Float64Array | string {
  const vector = table.getChild(col);
  if (!vector) return `column '${col}' missing`;
  if (vector.nullCount > 0) return `column '${col}' has ${vector.nullCount} null value(s)`;
  const type = vector.type as DataType;
  if (isFloat(type, Precision.DOUBLE)) return decodeFloat64(vector);
  if (isFloat(type, Precision.SINGLE) || (DataType.isInt(type) && type.bitWidth <= 32)) {
    return Float64Array.from(decodeNumbers(vector, type.ArrayType as { new (n: number): NumberArray }));
  }
  return `column '${col}' has type ${vector.type}, expected numbers`;
}

/**
 * A List<Float32> column whose rows all have `width` values, as one row-major buffer; or an error
 * string (missing, wrong type, nulls, or the first row of another length, with `widthNote` saying
 * what the width is).
 */
export function readFloat32Lists(table: Table, col: string, width: number, widthNote?: string): Float32Array | string {
  const vector = table.getChild(col);
  if (!vector) return `column '${col}' missing`;
  if (!isFloat(listItem(vector.type)?.type, Precision.SINGLE)) return `column '${col}' has type ${vector.type}, expected List<Float32>`;
  if (vector.nullCount > 0) return `column '${col}' has ${vector.nullCount} null value(s)`;
  const out = new Float32Array(vector.length * width);
  const bad = decodeFixedFloat32Lists(vector, width, out);
  return bad < 0 ? out : `row ${bad + 1}: ${listLength(vector, bad)} values, expected ${width}${widthNote ? ` (${widthNote})` : ''}`;
}

// ---------------------------------------------------------------------------------------------

type NumberArray = Int32Array | Float32Array | Float64Array;

/** Validity bits, allocated at the first null (all valid until then). */
class NullBits {
  bitmap: Uint8Array | undefined;
  count = 0;
  constructor(private readonly n: number) {}
  setNull(i: number): void {
    if (!this.bitmap) this.bitmap = new Uint8Array((this.n + 7) >> 3).fill(0xff);
    this.bitmap[i >> 3] &= ~(1 << (i & 7));
    this.count++;
  }
}

/** Numbers as a typed array (the input itself when it already is one) and their nulls. */
function numbers<A extends NumberArray>(
  ArrayType: { new (n: number): A }, values: ArrayLike<MaybeNull<number>>,
): { data: A; nulls: NullBits } {
  const n = values.length;
  const nulls = new NullBits(n);
  if (values instanceof ArrayType) return { data: values, nulls };
  const data = new ArrayType(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) nulls.setNull(i);
    else data[i] = v;
  }
  return { data, nulls };
}

function listOffsets(lists: readonly MaybeNull<ArrayLike<unknown>>[]): { valueOffsets: Int32Array; nulls: NullBits } {
  const valueOffsets = new Int32Array(lists.length + 1);
  const nulls = new NullBits(lists.length);
  for (let i = 0; i < lists.length; i++) {
    const l = lists[i];
    if (l === null || l === undefined) nulls.setNull(i);
    valueOffsets[i + 1] = valueOffsets[i] + (l ? l.length : 0);
  }
  return { valueOffsets, nulls };
}

function float32Child(flat: Float32Array): Data<Float32> {
  return makeData({ type: new Float32(), length: flat.length, nullCount: 0, data: flat });
}

function listData<T extends DataType>(item: T, valueOffsets: Int32Array, child: Data<T>, nulls?: NullBits): Data<List<T>> {
  const type = new List(new Field('item', item, false));
  return makeData({
    type, length: valueOffsets.length - 1, nullCount: nulls?.count ?? 0, nullBitmap: nulls?.bitmap, valueOffsets, child,
  });
}

function checkOffsets(valueOffsets: Int32Array, values: number): void {
  const n = valueOffsets.length;
  if (n === 0 || valueOffsets[0] < 0 || valueOffsets[n - 1] > values) {
    throw new RangeError(`list offsets [${valueOffsets[0]}..${valueOffsets[n - 1]}] do not fit ${values} values`);
  }
}

function isInt32(type: DataType): boolean {
  return DataType.isInt(type) && type.bitWidth === 32 && type.isSigned;
}

function isFloat(type: DataType | undefined, precision: Precision): boolean {
  return !!type && DataType.isFloat(type) && type.precision === precision;
}

function listItem(type: DataType): Field | undefined {
  return DataType.isList(type) ? type.children[0] : undefined;
}

function isValid(d: Data, i: number): boolean {
  if (d.nullCount === 0 || !d.nullBitmap || d.nullBitmap.length === 0) return true;
  const j = d.offset + i;
  return (d.nullBitmap[j >> 3] & (1 << (j & 7))) !== 0;
}

/** Decodes Utf8 rows [from, from + count) of one chunk into `out` from `at`. */
function decodeUtf8Chunk(d: Data, from: number, count: number, out: (string | null)[], at: number): void {
  if (count === 0) return;
  const offs = d.valueOffsets as Int32Array;
  const values = d.values as Uint8Array;
  const start = offs[from];
  const end = offs[from + count];
  const bytes = Buffer.from(values.buffer, values.byteOffset + start, end - start);
  const s = bytes.toString('utf8');
  // All ASCII: one decode for the whole range, then character offsets equal byte offsets.
  const ascii = s.length === end - start;
  for (let i = 0; i < count; i++) {
    const r = from + i;
    if (!isValid(d, r)) out[at + i] = null;
    else {
      const a = offs[r] - start;
      const b = offs[r + 1] - start;
      out[at + i] = ascii ? s.substring(a, b) : bytes.toString('utf8', a, b);
    }
  }
}

function decodeNumbers<A extends NumberArray>(col: Vector, ArrayType: { new (n: number): A }): A {
  const out = new ArrayType(col.length);
  let at = 0;
  for (const d of col.data) {
    if (d.length === 0) continue;
    out.set((d.values as A).subarray(0, d.length), at);
    at += d.length;
  }
  return out;
}

/** Calls `each(row, childData, childStart, childEnd)` for every row of a list vector. */
function forEachList(col: Vector, each: (row: number, child: Data, start: number, end: number) => void): void {
  let row = 0;
  for (const d of col.data) {
    const offs = d.valueOffsets as Int32Array;
    for (let i = 0; i < d.length; i++, row++) each(row, d.children[0], offs[i], offs[i + 1]);
  }
}
