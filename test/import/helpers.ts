/** Shared bits of the importer tests: fixture paths, temp folders, error assertions. */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, expect } from 'vitest';
import { InvalidData } from '../../lib/errors';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURES = join(REPO_ROOT, 'test/fixtures/import');
export const CAREER_FIXTURE = join(FIXTURES, 'career');
export const TABLE_FIXTURE = join(FIXTURES, 'long-table.csv');
/** The Census 2010 occupation list shipped in data/ (535 titles). */
export const CENSUS_TAXONOMY = join(REPO_ROOT, 'data/taxonomy/census2010.csv');

const made: string[] = [];
afterEach(() => {
  while (made.length) rmSync(made.pop()!, { recursive: true, force: true });
});

/** A fresh temp folder removed after the test; optionally a copy of a fixture folder. */
export function tempDir(copyFrom?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'labor-import-'));
  made.push(dir);
  if (copyFrom) cpSync(copyFrom, dir, { recursive: true });
  return dir;
}

export function write(dir: string, name: string, text: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Runs fn, expects InvalidData, and checks the message contains every fragment. */
export function expectInvalidData(fn: () => unknown, ...fragments: (string | RegExp)[]): string {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected InvalidData to be thrown').toBeInstanceOf(InvalidData);
  const message = (error as Error).message;
  for (const f of fragments) {
    if (typeof f === 'string') expect(message).toContain(f);
    else expect(message).toMatch(f);
  }
  return message;
}
