/**
 * Puts a folder's files into a store build folder without copying their bytes: hard links when
 * both are on one filesystem, a streamed copy (progress reported) only when they are not.
 *
 * Links, not a move: a collect activity retried after its worker died must still find the job's
 * output where the job left it (a move would have emptied it into a build folder that the failed
 * attempt removed). A link costs no bytes, and the artifact keeps its files when the job folder is
 * deleted. The trainer replaces its output folder whole (rename), never rewriting a file in place,
 * so a later job cannot change a collected artifact through a shared inode; a file that is changed
 * in place anyway gets a new mtime, and the store's lookup then re-hashes it and finds the damage.
 */
import { link, mkdir, readdir } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { HashProgress } from './hash-file';

const CROSS_DEVICE = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EMLINK']);
const PROGRESS_BYTES = 32 << 20;

/** What `linkTree` did, for the activity's summary and the tests. */
export interface LinkTreeResult {
  linked: number;
  copied: number;
  copiedBytes: number;
}

export async function linkTree(src: string, dst: string, onProgress?: HashProgress): Promise<LinkTreeResult> {
  const result: LinkTreeResult = { linked: 0, copied: 0, copiedBytes: 0 };
  await mkdir(dst, { recursive: true });
  for (const e of await readdir(src, { withFileTypes: true })) {
    const from = join(src, e.name);
    const to = join(dst, e.name);
    if (e.isDirectory()) {
      const sub = await linkTree(from, to, onProgress);
      result.linked += sub.linked;
      result.copied += sub.copied;
      result.copiedBytes += sub.copiedBytes;
    } else if (e.isFile()) {
      try {
        await link(from, to);
        result.linked++;
      } catch (err) {
        if (!CROSS_DEVICE.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
        result.copiedBytes += await copyWithProgress(from, to, onProgress);
        result.copied++;
      }
    }
  }
  return result;
}

async function copyWithProgress(from: string, to: string, onProgress?: HashProgress): Promise<number> {
  let total = 0;
  let since = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      since += chunk.length;
      if (since >= PROGRESS_BYTES) {
        onProgress?.(0); // alive, but no bytes hashed
        since = 0;
      }
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(from, { highWaterMark: 1 << 20 }), counter, createWriteStream(to));
  return total;
}
