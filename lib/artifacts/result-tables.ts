/**
 * Result folders of analyses: long-format Arrow tables built from plain rows (every column
 * nullable, typed by a column spec), written with the result's JSON form. Everything is built in
 * memory first, then each file goes to a temporary name and is renamed: nothing half-written.
 */
import { join } from 'node:path';
import { type DataType, Field, Schema, Table, tableToIPC, type Vector } from 'apache-arrow';
import { vectorOf } from './arrow-columns';
import { writeFileAtomic } from './atomic';

export type ResultRow = Record<string, string | number | boolean | null>;

/** A table with the spec's columns, in its order; a row's missing value is null. */
export function tableOfRows(columns: Record<string, () => DataType>, rows: readonly ResultRow[]): Table {
  const fields: Field[] = [];
  const vectors: Record<string, Vector> = {};
  for (const [col, type] of Object.entries(columns)) {
    const v = vectorOf(type(), rows.map((r) => r[col] ?? null));
    fields.push(new Field(col, v.type, true));
    vectors[col] = v;
  }
  return new Table(new Schema(fields), vectors);
}

/** Writes `json` as `files.json` and each table as its file name into `dir`; returns the paths. */
export function writeResult<T extends string>(dir: string, files: Record<'json' | T, string>, json: unknown, tables: Record<T, Table>): string[] {
  const data: [string, string | Uint8Array][] = [
    [files.json, JSON.stringify(json, null, 2) + '\n'],
    ...(Object.keys(tables) as T[]).map((t): [string, Uint8Array] => [files[t], tableToIPC(tables[t], 'file')]),
  ];
  return data.map(([name, bytes]) => {
    const path = join(dir, name);
    writeFileAtomic(path, bytes);
    return path;
  });
}
