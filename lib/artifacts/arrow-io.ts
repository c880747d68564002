/**
 * Arrow IPC file reading and atomic writing. Files on disk use the IPC *file* format
 * (tableToIPC's default is the stream format); writes go to a temporary file that is
 * renamed into place so a crash never leaves a half-written artifact.
 */
import { readFileSync } from 'node:fs';
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import { writeFileAtomic } from './atomic';

export function writeArrowFile(path: string, table: Table): void {
  writeFileAtomic(path, tableToIPC(table, 'file'));
}

export function readArrowFile(path: string): Table {
  return tableFromIPC(readFileSync(path));
}
