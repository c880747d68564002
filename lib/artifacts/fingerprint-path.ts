/**
 * A folder's (or a file's) fingerprint: one sha256 over its files' relative names and content
 * digests. What a cache key holds for a file a step reads from outside the store, and what a LoRA
 * step's manifest holds for an outside base folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FileDigests } from './file-digests';
import { hashFile } from './hash-file';

/** Every file under `path` (or the file itself), sorted. */
export function filesUnder(path: string): string[] {
  return statSync(path).isDirectory()
    ? readdirSync(path, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort()
    : [path];
}

/**
 * sha256 over every file under `path` (or the file itself): relative names and content digests.
 * With `digests` (the store's record), a file whose size and mtime are unchanged since it was
 * hashed is not read again (file-digests.ts says what that trusts).
 */
export async function fingerprintPath(path: string, digests?: FileDigests): Promise<string> {
  if (!existsSync(path)) return 'missing';
  const files = filesUnder(path);
  const shas = digests ? await digests.digestFiles(files) : await Promise.all(files.map((f) => hashFile(f)));
  const hash = createHash('sha256');
  files.forEach((f, i) => hash.update(`${relative(path, f)}\0${shas[i]}\n`));
  return hash.digest('hex');
}
