/**
 * The content-addressed artifact store. Each step output has a key = hash(step kind, step
 * version, resolved step config, input artifact hashes). Its files live in an immutable version
 * folder `<root>/<kind>/.versions/<key>-<random>/`; `<root>/<kind>/<key>` is a symlink to the
 * current version.
 *
 * - A version is built under `.tmp-…`, its manifest (file hashes) written, and only then renamed
 *   into `.versions/`; publishing switches the symlink atomically. A reader never sees a
 *   half-built or half-replaced folder.
 * - A ref's `path` is the version folder, so a reader holding a ref keeps reading one consistent
 *   version even after the artifact is replaced. Versions are never deleted here: replacing is
 *   rare (a forced rebuild, a damaged artifact), and deleting one safely needs to know that no
 *   run still reads it (a `gc` with that knowledge is left for later).
 * - Two builders of one key both succeed: the one that finishes second reuses the first one's
 *   artifact when it is valid (same inputs, same content) and drops its own unseen version. An
 *   artifact that existed before a build started is replaced (the caller forced a rebuild, or it
 *   was damaged).
 * - Files are hashed once, when the version is built; the manifest keeps each file's size and
 *   modification time next to its sha256, and a cache lookup (`verify`) re-hashes only files whose
 *   size or mtime changed, so looking up a 13 GB model costs a few stats. A damaged file is still
 *   found when its size or mtime changed (any ordinary write changes the mtime); what a lookup
 *   cannot see is bytes changed with the same size and mtime kept: `verifyFully` (the
 *   `labor-llm verify <run>` command) re-hashes every file and finds that too.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { canonicalJson, hashJson } from '../config/hash';
import { replaceSymlinkAtomic, writeJsonAtomic } from './atomic';
import { storageFailure } from './storage-failure';
import { FILES } from './contract-names';
import { FileDigests } from './file-digests';
import { hashFile, type HashProgress } from './hash-file';

/** What travels through Temporal: a reference, never the data. */
export interface ArtifactRef {
  kind: string;
  key: string;
  /** The version folder: its files never change. */
  path: string;
  /** Hash of the manifest's file list: changes whenever any file changes. */
  sha256: string;
}

export interface ArtifactManifest {
  kind: string;
  key: string;
  createdAt: string;
  /** `mtimeMs`: the file's modification time when hashed (absent in manifests written before it was kept: those files are re-hashed on lookup). */
  files: ManifestFile[];
  /** Step-specific facts: counts, template, model shape, metrics summary... */
  meta: Record<string, unknown>;
}

export interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
  mtimeMs?: number;
}

/** One file of a full check: `changed` (other bytes), `missing`, or `extra` (not in the manifest). */
export interface FileCheck {
  path: string;
  state: 'ok' | 'changed' | 'missing' | 'extra';
}

export function cacheKey(parts: { kind: string; version: number; config: unknown; inputs: Record<string, string> }): string {
  return hashJson(parts).slice(0, 24);
}

/** The folder of a kind's version folders. */
export const VERSIONS = '.versions';

/** The record of outside files' digests (file-digests.ts), in the store's root. */
export const FILE_DIGESTS = '.file-digests.json';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter((p) => p !== FILES.manifest)
    .sort();
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

export interface ArtifactStoreOptions {
  /**
   * Called while files are hashed (on publish, on verify, for outside files), with the bytes
   * hashed since the previous call, so a caller can show it is alive (heartbeat) and count.
   */
  onProgress?: HashProgress;
}

export class ArtifactStore {
  readonly root: string;
  /** Digests of files outside the store (user model folders, imports), trusted while size and mtime match. */
  readonly fileDigests: FileDigests;
  private readonly onProgress?: HashProgress;
  constructor(root: string, options: ArtifactStoreOptions = {}) {
    this.root = resolve(root);
    this.onProgress = options.onProgress;
    this.fileDigests = new FileDigests(join(this.root, FILE_DIGESTS), options.onProgress);
  }

  /** The artifact's stable name: a symlink to its current version folder. */
  dirOf(kind: string, key: string): string {
    return join(this.root, kind, key);
  }

  /** The artifact if it exists and its files are exactly those of its manifest; otherwise null. */
  async verify(kind: string, key: string): Promise<ArtifactRef | null> {
    const dir = this.currentVersion(kind, key);
    return dir ? this.verifyVersion(kind, key, dir) : null;
  }

  readManifest(ref: Pick<ArtifactRef, 'path'>): ArtifactManifest {
    return JSON.parse(readFileSync(join(ref.path, FILES.manifest), 'utf8'));
  }

  /**
   * Builds an artifact: `build` writes files into a fresh temporary folder and returns meta;
   * the manifest is written, the folder becomes a version and is published (see the top of
   * this file for what happens when another builder of the key finishes first).
   */
  async create(kind: string, key: string, build: (dir: string) => Promise<Record<string, unknown>> | Record<string, unknown>): Promise<ArtifactRef> {
    try {
      return await this.createVersion(kind, key, build);
    } catch (err) {
      throw storageFailure(err, join(this.root, kind)) ?? err;
    }
  }

  private async createVersion(kind: string, key: string, build: (dir: string) => Promise<Record<string, unknown>> | Record<string, unknown>): Promise<ArtifactRef> {
    const before = this.currentVersion(kind, key);
    const name = `${key}-${randomBytes(6).toString('hex')}`;
    const tmp = join(this.root, kind, `.tmp-${name}`);
    const version = join(this.root, kind, VERSIONS, name);
    mkdirSync(tmp, { recursive: true });
    let manifest: ArtifactManifest;
    try {
      const meta = await build(tmp);
      // One file at a time: a model's shards read in parallel would only compete for the disk.
      const files: ManifestFile[] = [];
      for (const path of listFiles(tmp)) {
        const { size, mtimeMs } = statSync(join(tmp, path));
        files.push({ path, bytes: size, mtimeMs, sha256: await hashFile(join(tmp, path), this.onProgress) });
      }
      manifest = { kind, key, createdAt: new Date().toISOString(), files, meta };
      writeJsonAtomic(join(tmp, FILES.manifest), manifest);
      mkdirSync(dirname(version), { recursive: true });
      renameSync(tmp, version);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }

    const now = this.currentVersion(kind, key);
    if (now && now !== before) {
      // Another builder published while this one built: keep its artifact if valid; ours was never seen.
      const theirs = await this.verifyVersion(kind, key, now);
      if (theirs) {
        rmSync(version, { recursive: true, force: true });
        return theirs;
      }
    }
    try {
      this.publish(kind, key, name);
    } catch (err) {
      rmSync(version, { recursive: true, force: true });
      throw err;
    }
    return { kind, key, path: version, sha256: manifestHash(manifest) };
  }

  /** The folder the artifact's name points to now, or null. */
  private currentVersion(kind: string, key: string): string | null {
    const link = this.dirOf(kind, key);
    try {
      const stat = lstatSync(link);
      if (stat.isSymbolicLink()) return resolve(dirname(link), readlinkSync(link));
      // A plain folder: the layout before version folders.
      return stat.isDirectory() ? link : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  private async verifyVersion(kind: string, key: string, dir: string): Promise<ArtifactRef | null> {
    const manifest = readJson(join(dir, FILES.manifest)) as ArtifactManifest | null;
    if (!manifest || manifest.key !== key || !Array.isArray(manifest.files)) return null;
    const listed = manifest.files.map((f) => f.path).sort();
    if (canonicalJson(listed) !== canonicalJson(listFiles(dir))) return null;
    for (const f of manifest.files) {
      const p = join(dir, f.path);
      const { size, mtimeMs } = statSync(p);
      if (size !== f.bytes) return null;
      // Unchanged size and mtime: trusted (see the top of this file for what that cannot see).
      if (mtimeMs === f.mtimeMs) continue;
      if ((await hashFile(p, this.onProgress)) !== f.sha256) return null;
    }
    return { kind, key, path: dir, sha256: manifestHash(manifest) };
  }

  /**
   * Re-hashes every file of a version folder against its manifest, trusting nothing: what
   * `labor-llm verify` reports. Null when the folder or its manifest is missing.
   */
  async verifyFully(dir: string): Promise<{ sha256: string; files: FileCheck[] } | null> {
    const manifest = readJson(join(dir, FILES.manifest)) as ArtifactManifest | null;
    if (!manifest || !Array.isArray(manifest.files)) return null;
    const present = new Set(listFiles(dir));
    const files: FileCheck[] = [];
    for (const f of manifest.files) {
      const p = join(dir, f.path);
      if (!present.delete(f.path)) files.push({ path: f.path, state: 'missing' });
      else files.push({ path: f.path, state: (await hashFile(p, this.onProgress)) === f.sha256 ? 'ok' : 'changed' });
    }
    for (const path of present) files.push({ path, state: 'extra' });
    return { sha256: manifestHash(manifest), files };
  }

  /** Points the artifact's name at a version folder, atomically. */
  private publish(kind: string, key: string, name: string): void {
    const link = this.dirOf(kind, key);
    if (existsSync(link) && !lstatSync(link).isSymbolicLink()) {
      // A folder of the old layout becomes a version (a concurrent migrator may have moved it already).
      try {
        renameSync(link, join(this.root, kind, VERSIONS, `${key}-unversioned-${randomBytes(6).toString('hex')}`));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    replaceSymlinkAtomic(join(VERSIONS, name), link);
  }
}

function manifestHash(manifest: ArtifactManifest): string {
  return createHash('sha256').update(canonicalJson(manifest.files.map((f) => [f.path, f.sha256]))).digest('hex');
}
