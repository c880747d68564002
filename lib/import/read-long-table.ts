/**
 * Reads a long table (CSV or Arrow IPC file) into plain rows, each with a label that says where
 * it came from ("row 3 (line 4)" for CSV, "row 3" for Arrow). CSV values stay strings, so codes
 * keep their leading zeros; Arrow values keep their JavaScript types (Int64 as bigint).
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { InvalidData } from '../errors';
import { readArrowFile } from '../artifacts/arrow-io';

export interface LongTable {
  columns: string[];
  rows: Record<string, unknown>[];
  /** Where row i (0-based) is in the file, for error messages. */
  where: (i: number) => string;
}

export const TABLE_EXTENSIONS = { csv: ['.csv'], arrow: ['.arrow', '.feather', '.ipc'] } as const;

export function readLongTable(file: string): LongTable {
  if (!existsSync(file)) throw new InvalidData(`table file not found: ${file}`);
  const ext = extname(file).toLowerCase();
  if ((TABLE_EXTENSIONS.csv as readonly string[]).includes(ext)) return readCsv(file);
  if ((TABLE_EXTENSIONS.arrow as readonly string[]).includes(ext)) return readArrow(file);
  throw new InvalidData(
    `${file}: unsupported file type '${ext || '(none)'}'; expected ${[...TABLE_EXTENSIONS.csv, ...TABLE_EXTENSIONS.arrow].join(', ')}`,
  );
}

interface CsvInfo { lines: number; empty_lines: number }

function readCsv(file: string): LongTable {
  const text = readFileSync(file, 'utf8');
  if (text.trim() === '') throw new InvalidData(`${file}: empty file (expected a header line and one row per person-year)`);
  let records: { record: string[]; info: CsvInfo }[];
  try {
    records = parse(text, { info: true, skip_empty_lines: true, trim: true, bom: true }) as unknown as { record: string[]; info: CsvInfo }[];
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new InvalidData(`${file}: not a valid CSV${e.lines ? ` (line ${e.lines})` : ''}: ${e.message}`);
  }
  const [header, ...data] = records;
  const columns = header.record;
  const seen = new Set<string>();
  const dupes = columns.filter((c) => (seen.has(c) ? true : (seen.add(c), false)));
  if (dupes.length) throw new InvalidData(`${file}: duplicate column name(s) in the header: ${[...new Set(dupes)].join(', ')}`);
  if (data.length === 0) throw new InvalidData(`${file}: empty file (a header but no data rows)`);

  // csv-parse reports the line a record ends on; the start line is the previous record's end
  // plus the empty lines skipped in between (a quoted field may span lines).
  const startLines = new Array<number>(data.length);
  let prev = header.info;
  data.forEach((r, i) => {
    startLines[i] = prev.lines + 1 + (r.info.empty_lines - prev.empty_lines);
    prev = r.info;
  });
  const rows = data.map(({ record }) => Object.fromEntries(columns.map((c, j) => [c, record[j]])));
  return { columns, rows, where: (i) => `row ${i + 1} (line ${startLines[i]})` };
}

function readArrow(file: string): LongTable {
  let table;
  try {
    table = readArrowFile(file);
  } catch (err) {
    throw new InvalidData(`${file}: not an Arrow IPC file (Feather v2): ${(err as Error).message}`);
  }
  if (table.numRows === 0) throw new InvalidData(`${file}: empty file (no rows)`);
  const columns = table.schema.fields.map((f) => f.name);
  const values = columns.map((c) => table.getChild(c)!);
  const rows = new Array<Record<string, unknown>>(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    columns.forEach((c, j) => (row[c] = values[j].get(i)));
    rows[i] = row;
  }
  return { columns, rows, where: (i) => `row ${i + 1}` };
}
