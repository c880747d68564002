/**
 * Reading artifact tables defensively: every problem (unreadable file, missing column, wrong
 * type, null where none is allowed) goes into a ProblemList, so a reader can report all of them
 * at once with file and row instead of stopping at the first.
 */
import type { Table } from 'apache-arrow';
import type { ProblemList } from '../errors';
import { readArrowFile } from './arrow-io';
import { readFloat64, readInt32, readStrings } from './arrow-columns';
import { SCHEMAS, type TableName } from './contracts';

export function checkedReader(problems: ProblemList) {
  return {
    /** The table, or undefined when it is unreadable or lacks a contract column. */
    load(file: string, name: TableName): Table | undefined {
      let t: Table;
      try {
        t = readArrowFile(file);
      } catch (err) {
        problems.add('not an Arrow IPC file', `${file}: ${(err as Error).message}`);
        return undefined;
      }
      const columns = t.schema.fields.map((f) => f.name);
      const absent = Object.keys(SCHEMAS[name]).filter((c) => !columns.includes(c));
      for (const c of absent) problems.add('missing column', `${file}: column '${c}' (found: ${columns.join(', ') || 'none'})`);
      return absent.length ? undefined : t;
    },

    /** A string column; the first null is a problem unless `nullable`. */
    strings(t: Table, file: string, col: string, nullable = false): (string | null)[] {
      const v = readStrings(t, col);
      if (typeof v === 'string') {
        problems.add('wrong column type', `${file}: ${v}`);
        return [];
      }
      if (!nullable) {
        const i = v.indexOf(null);
        if (i >= 0) problems.add('null value', `${file} row ${i + 1}: column '${col}'`);
      }
      return v;
    },

    ints(t: Table, file: string, col: string): Int32Array {
      const v = readInt32(t, col);
      if (typeof v === 'string') {
        problems.add('wrong column type', `${file}: ${v}`);
        return new Int32Array(0);
      }
      return v;
    },

    /** A numeric column without nulls as Float64Array. */
    floats(t: Table, file: string, col: string): Float64Array {
      const v = readFloat64(t, col);
      if (typeof v === 'string') {
        problems.add('wrong column type', `${file}: ${v}`);
        return new Float64Array(0);
      }
      return v;
    },
  };
}
