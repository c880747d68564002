/**
 * The content-addressed artifact store. Each step output lives in `<root>/<kind>/<key>/`, where
 * key = hash(step kind, step version, resolved step config, input artifact hashes). A folder is
 * built under a temporary name and renamed into place once its manifest (file hashes) is
 * written, so an artifact either exists whole or not at all.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { canonicalJson, hashJson } from '../config/hash';
import { writeJsonAtomic } from './atomic';
import { FILES } from './contracts';

/** What travels through Temporal: a reference, never the data. */
export interface ArtifactRef {
  kind: string;
  key: string;
  path: string;
  /** Hash of the manifest's file list: changes whenever any file changes. */
  sha256: string;
}

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

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter((p) => p !== FILES.manifest)
    .sort();
}

export class ArtifactStore {
  constructor(readonly root: string) {}

  dirOf(kind: string, key: string): string {
    return join(this.root, kind, key);
  }

  /** The artifact if it exists and every file matches its manifest; otherwise null. */
  async verify(kind: string, key: string): Promise<ArtifactRef | null> {
    const dir = this.dirOf(kind, key);
    const manifestPath = join(dir, FILES.manifest);
    if (!existsSync(manifestPath)) return null;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ArtifactManifest;
    for (const f of manifest.files) {
      const p = join(dir, f.path);
      if (!existsSync(p) || statSync(p).size !== f.bytes || (await hashFile(p)) !== f.sha256) return null;
    }
    return { kind, key, path: dir, sha256: manifestHash(manifest) };
  }

  readManifest(ref: Pick<ArtifactRef, 'path'>): ArtifactManifest {
    return JSON.parse(readFileSync(join(ref.path, FILES.manifest), 'utf8'));
  }

  /**
   * Builds an artifact: `build` writes files into a fresh temporary folder and returns meta;
   * the manifest is written and the folder renamed into place. A concurrent builder of the same
   * key loses the rename race harmlessly (same inputs, same content).
   */
  async create(kind: string, key: string, build: (dir: string) => Promise<Record<string, unknown>> | Record<string, unknown>): Promise<ArtifactRef> {
    const final = this.dirOf(kind, key);
    const tmp = join(this.root, kind, `.tmp-${key}-${randomBytes(4).toString('hex')}`);
    mkdirSync(tmp, { recursive: true });
    try {
      const meta = await build(tmp);
      const files = await Promise.all(
        listFiles(tmp).map(async (path) => ({ path, bytes: statSync(join(tmp, path)).size, sha256: await hashFile(join(tmp, path)) })),
      );
      const manifest: ArtifactManifest = { kind, key, createdAt: new Date().toISOString(), files, meta };
      writeJsonAtomic(join(tmp, FILES.manifest), manifest);
      rmSync(final, { recursive: true, force: true });
      renameSync(tmp, final);
      return { kind, key, path: final, sha256: manifestHash(manifest) };
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
  }
}

function manifestHash(manifest: ArtifactManifest): string {
  return createHash('sha256').update(canonicalJson(manifest.files.map((f) => [f.path, f.sha256]))).digest('hex');
}
