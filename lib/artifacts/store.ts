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
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { canonicalJson, hashJson } from '../config/hash';
import { replaceSymlinkAtomic, writeJsonAtomic } from './atomic';
import { storageFailure } from './storage-failure';
import { FILES } from './contracts';

/** What travels through Temporal: a reference, never the data. */
export interface ArtifactRef {
  kind: string;
  key: string;
  /** The version folder: its files never change. */
  path: string;
  /** Hash of the manifest's file list: changes whenever any file changes. */
  sha256: string;
}

/** A ref's stable name (`<root>/<kind>/<key>`, the symlink to its current version), for people to open. */
export const stablePathOf = (ref: Pick<ArtifactRef, 'path' | 'key'>): string => join(dirname(dirname(ref.path)), ref.key);

export interface ArtifactManifest {
  kind: string;
  key: string;
  createdAt: string;
  files: { path: string; bytes: number; sha256: string }[];
  /** Step-specific facts: counts, template, model shape, metrics summary... */
  meta: Record<string, unknown>;
}

export function cacheKey(parts: { kind: string; version: number; config: unknown; inputs: Record<string, string> }): string {
  return hashJson(parts).slice(0, 24);
}

/** The folder of a kind's version folders. */
const VERSIONS = '.versions';

/** Bytes hashed between two progress calls. */
const PROGRESS_BYTES = 32 << 20;

async function hashFile(path: string, onProgress?: () => void): Promise<string> {
  const hash = createHash('sha256');
  let sinceProgress = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    sinceProgress += (chunk as Buffer).length;
    if (sinceProgress >= PROGRESS_BYTES) {
      sinceProgress = 0;
      onProgress?.();
    }
  }
  onProgress?.();
  return hash.digest('hex');
}

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
  /** Called while large files are hashed (on publish and on verify), so a caller can show it is alive. */
  onProgress?: () => void;
}

export class ArtifactStore {
  readonly root: string;
  private readonly onProgress?: () => void;
  constructor(root: string, options: ArtifactStoreOptions = {}) {
    this.root = resolve(root);
    this.onProgress = options.onProgress;
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
      const files = await Promise.all(
        listFiles(tmp).map(async (path) => ({ path, bytes: statSync(join(tmp, path)).size, sha256: await hashFile(join(tmp, path), this.onProgress) })),
      );
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
      if (statSync(p).size !== f.bytes || (await hashFile(p, this.onProgress)) !== f.sha256) return null;
    }
    return { kind, key, path: dir, sha256: manifestHash(manifest) };
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
