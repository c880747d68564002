/**
 * What a store holds, seen from outside: every artifact, whether it verifies against its
 * manifest, leftover temporary folders, and a comparison of two stores file by file (sha256).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArtifactStore, FILE_DIGESTS, VERSIONS } from '../../lib/artifacts/store';

export interface StoreSnapshot {
  /** The store folder the artifacts were written in (paths inside artifacts name it). */
  home: string;
  /** Where its files are now (the same, unless the store was moved aside). */
  dir: string;
  /** `kind/key` -> file path -> sha256, for artifacts that verify. */
  artifacts: Map<string, Map<string, string>>;
  /** `kind/key` -> the folder holding its files now. */
  folders: Map<string, string>;
  /** `kind/key` of folders that do not verify (missing manifest, changed or missing file). */
  damaged: string[];
  /** Temporary build folders left in the store (`kind/.tmp-…`), hidden from readers. */
  temporary: string[];
}


/** Reads the store in `dir`; `home` is where it was when written, if it was moved since. */
export async function snapshot(dir: string, home = dir): Promise<StoreSnapshot> {
  const root = join(dir, 'artifacts');
  const store = new ArtifactStore(root);
  const out: StoreSnapshot = { home, dir, artifacts: new Map(), folders: new Map(), damaged: [], temporary: [] };
  if (!existsSync(root)) return out;
  for (const kind of readdirSync(root).sort()) {
    // The store's record of outside files' digests is part of its layout, not a leftover.
    if (kind === FILE_DIGESTS) continue;
    if (kind.startsWith('.')) {
      out.temporary.push(kind);
      continue;
    }
    for (const key of readdirSync(join(root, kind)).sort()) {
      const id = `${kind}/${key}`;
      if (key === VERSIONS) continue;
      if (key.startsWith('.')) {
        out.temporary.push(id);
        continue;
      }
      const ok = await store.verify(kind, key).catch(() => null);
      if (!ok) {
        out.damaged.push(id);
        continue;
      }
      const manifest = store.readManifest(ok);
      out.artifacts.set(id, new Map(manifest.files.map((f) => [f.path, f.sha256])));
      out.folders.set(id, ok.path);
    }
  }
  return out;
}

/** Problems with a store: damaged folders and leftover temporaries. Empty when clean. */
export function storeProblems(s: StoreSnapshot): string[] {
  return [
    ...s.damaged.map((d) => `damaged artifact ${d}`),
    ...s.temporary.map((t) => `temporary folder left: ${t}`),
  ];
}

/**
 * Differences of `actual` from `expected` (artifacts and file hashes). `only` limits the
 * comparison to some artifact kinds. A file whose bytes differ only in the paths of store
 * folders it names (the store's own path, an artifact's version folder) is listed under
 * `pathOnly`, for the caller to report, not as a difference.
 */
export function compareStores(
  expected: StoreSnapshot,
  actual: StoreSnapshot,
  opts: { only?: string[] } = {},
): { differences: string[]; pathOnly: string[] } {
  const differences: string[] = [];
  const pathOnly: string[] = [];
  const wanted = (id: string) => !opts.only || opts.only.includes(id.split('/')[0]);
  for (const [id, files] of expected.artifacts) {
    if (!wanted(id)) continue;
    const got = actual.artifacts.get(id);
    if (!got) {
      differences.push(`${id} missing`);
      continue;
    }
    for (const [path, sha] of files) {
      const other = got.get(path);
      if (other === sha) continue;
      if (other && sameUpToPaths(id, path, expected, actual)) pathOnly.push(`${id}/${path}`);
      else differences.push(`${id}/${path} ${other ? 'differs' : 'missing'}`);
    }
    for (const path of got.keys()) if (!files.has(path)) differences.push(`${id}/${path} unexpected`);
  }
  for (const id of actual.artifacts.keys()) if (wanted(id) && !expected.artifacts.has(id)) differences.push(`${id} unexpected`);
  return { differences, pathOnly };
}

function sameUpToPaths(id: string, path: string, a: StoreSnapshot, b: StoreSnapshot): boolean {
  const read = (s: StoreSnapshot) =>
    readFileSync(join(s.folders.get(id)!, path), 'utf8')
      .split(s.home)
      .join('<store>')
      .replace(/(\.versions\/[0-9a-f]{24})-[\w-]+/g, '$1-<version>');
  try {
    return read(a) === read(b);
  } catch {
    return false;
  }
}

/** A sentence for a check's detail: which files differed only in store paths. */
export function pathOnlyNote(pathOnly: string[]): string {
  return pathOnly.length ? `; equal up to store paths only: ${pathOnly.join(', ')} (the file names a store folder)` : '';
}
