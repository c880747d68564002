/**
 * Digests of files outside the store (a user's model folder, an imported extract), computed once
 * and trusted while the file's size and modification time are unchanged, so that a cache lookup
 * on a 13 GB model folder stats its files instead of reading them.
 *
 * The record is one small JSON file in the store, keyed by absolute file path. What it cannot see:
 * bytes changed in place with the same size and the same modification time (a deliberate
 * `touch -d`, or a tool that restores mtimes); `labor-llm verify <run>` re-hashes everything and
 * catches that. A file modified within MTIME_SLACK_MS of being hashed is not recorded (its next
 * change could keep the same mtime on a coarse-clock filesystem), so it is hashed again next time.
 * Concurrent writers of the record may drop each other's entries: that costs a re-hash, never a
 * wrong digest.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { writeJsonAtomic } from './atomic';
import { hashFile, type HashProgress } from './hash-file';

/** Coarsest modification-time granularity worth guarding against (FAT: 2 s). */
export const MTIME_SLACK_MS = 2000;

export interface FileDigest {
  bytes: number;
  mtimeMs: number;
  sha256: string;
}

type Record_ = Record<string, FileDigest>;

export class FileDigests {
  private record: Record_ | null = null;
  constructor(
    private readonly recordPath: string,
    private readonly onProgress?: HashProgress,
  ) {}

  /** Each file's sha256: recorded when its size and mtime match, otherwise hashed; the record is written once, at the end. */
  async digestFiles(paths: string[]): Promise<string[]> {
    const fresh: Record_ = {};
    const out: string[] = [];
    for (const path of paths) {
      const abs = resolve(path);
      const { size, mtimeMs } = statSync(abs);
      const known = this.load()[abs];
      if (known && known.bytes === size && known.mtimeMs === mtimeMs) {
        out.push(known.sha256);
        continue;
      }
      const sha256 = await hashFile(abs, this.onProgress);
      if (Date.now() - mtimeMs > MTIME_SLACK_MS) fresh[abs] = { bytes: size, mtimeMs, sha256 };
      out.push(sha256);
    }
    if (Object.keys(fresh).length > 0) this.save(fresh);
    return out;
  }

  /** What was recorded for a file, if anything (verify compares a fresh hash against it). */
  recorded(path: string): FileDigest | undefined {
    return this.load()[resolve(path)];
  }

  /** The recorded files under a folder (verify reports those that are gone). */
  recordedUnder(dir: string): string[] {
    const prefix = resolve(dir) + sep;
    return Object.keys(this.load()).filter((p) => p.startsWith(prefix));
  }

  private load(): Record_ {
    if (this.record) return this.record;
    try {
      this.record = JSON.parse(readFileSync(this.recordPath, 'utf8')) as Record_;
    } catch {
      this.record = {}; // none yet, or unreadable: every file is hashed again
    }
    return this.record;
  }

  private save(entries: Record_): void {
    // Re-read first: another process may have recorded other files meanwhile.
    this.record = null;
    const record = { ...this.load(), ...entries };
    writeJsonAtomic(this.recordPath, record);
    this.record = record;
  }
}
