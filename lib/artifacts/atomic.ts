import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';

const tempSibling = (path: string, suffix: string) => join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.${suffix}`);

/** Writes `data` to a sibling temporary file, then renames it over `path`. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempSibling(path, 'tmp');
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    // A failed write (EFBIG, ENOSPC) names no file: name the one being written.
    if (err && typeof err === 'object' && !('path' in err)) Object.assign(err, { path });
    throw err;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Points the symlink `path` at `target` (relative to the link's folder): a new link under a
 * temporary name renamed over the old one, so a reader finds either the old target or the new
 * one, never no link. `path` must not be a real folder (rename cannot replace one with a link).
 */
export function replaceSymlinkAtomic(target: string, path: string): void {
  const tmp = tempSibling(path, 'link');
  symlinkSync(target, tmp);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
