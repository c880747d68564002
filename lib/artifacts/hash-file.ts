/** Streaming sha256 of one file, reporting progress in bytes so callers can heartbeat and count. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Called with the bytes hashed since the previous call (at least every PROGRESS_BYTES, and at each file's end). */
export type HashProgress = (hashedBytes: number) => void;

/** Bytes hashed between two progress calls. */
const PROGRESS_BYTES = 32 << 20;

/** Memory stays at one read buffer (1 MiB) whatever the file's size. */
export async function hashFile(path: string, onProgress?: HashProgress): Promise<string> {
  const hash = createHash('sha256');
  let sinceProgress = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    sinceProgress += (chunk as Buffer).length;
    if (sinceProgress >= PROGRESS_BYTES) {
      onProgress?.(sinceProgress);
      sinceProgress = 0;
    }
  }
  onProgress?.(sinceProgress);
  return hash.digest('hex');
}
