/**
 * Failures of the disk under the store (read-only, full, over quota, no permission) as one
 * error a person can act on: which path, which cause, what to do. Retrying cannot fix them, so
 * the run fails at once, and `labor-llm resume` continues it once the disk is fixed.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ExitCode, LaborError } from '../errors';

const CAUSES: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EFBIG: 'the file is too large (a file size limit, or a full disk)',
};

export class StorageFailed extends LaborError {
  readonly type = 'StorageFailed';
  override readonly exitCode: number = ExitCode.runFailed;
}

type ErrnoLike = { code?: unknown; path?: unknown; message?: string };

/** The storage failure behind `err` (a Node errno error), or undefined when it is another error. */
export function storageFailure(err: unknown, fallbackPath: string): StorageFailed | undefined {
  const e = err as ErrnoLike | undefined;
  let code = typeof e?.code === 'string' ? e.code : undefined;
  let path = typeof e?.path === 'string' ? e.path : fallbackPath;
  // A recursive mkdir under a read-only or forbidden folder reports ENOENT: ask the nearest existing folder.
  if (code === 'ENOENT') {
    const blocked = unwritableAncestor(path);
    if (!blocked) return undefined;
    [code, path] = blocked;
  }
  if (!code || !(code in CAUSES)) return undefined;
  return new StorageFailed(`cannot write ${path}: ${CAUSES[code]} (${code}); free space or fix the folder's permissions, then resume the run`);
}

function unwritableAncestor(path: string): [string, string] | undefined {
  let dir = path;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch (err) {
    const code = (err as ErrnoLike).code;
    return typeof code === 'string' ? [code, dir] : undefined;
  }
}
