/**
 * The artifact store under concurrency: builders of one key in several processes all succeed,
 * a reader never sees a missing, half-built or half-replaced artifact, a ref keeps reading the
 * version it names after a replacement, and damaged files are detected and rebuilt.
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArtifactStore, type ArtifactRef } from '../../lib/artifacts/store';

const FIXTURE = join(import.meta.dirname, 'fixtures/build-artifact.ts');
const newStore = () => new ArtifactStore(mkdtempSync(join(tmpdir(), 'labor-llm-store-')));
const write = (text: string) => (dir: string) => {
  writeFileSync(join(dir, 'a.txt'), text);
  return { text };
};

/** Runs the builder fixture in its own process; resolves with its exit code. */
function builder(root: string, key: string, times: number, tag: string): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, root, key, String(times), tag], { stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((resolve) => child.on('exit', resolve));
}

/**
 * Reads an artifact by its name as a reader should: the name resolved once (to the version it
 * points to now), then manifest and files from that folder; null if the name is missing.
 */
function readByName(store: ArtifactStore, key: string): { a: string; b: string; meta: unknown } | null {
  if (!existsSync(store.dirOf('thing', key))) return null;
  const dir = realpathSync(store.dirOf('thing', key));
  const manifest = store.readManifest({ path: dir });
  return { a: readFileSync(join(dir, 'a.txt'), 'utf8'), b: readFileSync(join(dir, 'b.txt'), 'utf8'), meta: manifest.meta };
}

describe('ArtifactStore', () => {
  it('publishes a version folder behind a symlink named by the key', async () => {
    const store = newStore();
    const ref = await store.create('thing', 'k1', write('one'));
    expect(lstatSync(store.dirOf('thing', 'k1')).isSymbolicLink()).toBe(true);
    expect(ref.path).toMatch(/\/thing\/\.versions\/k1-[0-9a-f]{12}$/);
    expect(await store.verify('thing', 'k1')).toEqual(ref);
    expect(readFileSync(join(store.dirOf('thing', 'k1'), 'a.txt'), 'utf8')).toBe('one');
    // Nothing half-built is left behind.
    expect(readdirSync(join(store.root, 'thing')).sort()).toEqual(['.versions', 'k1']);
  });

  it('two builders of one key in one process: both resolve to one valid artifact', async () => {
    const store = newStore();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const build = (text: string) => async (dir: string) => {
      await gate; // both builds are under way before either finishes
      return write(text)(dir);
    };
    const both = Promise.all([store.create('thing', 'k', build('same')), store.create('thing', 'k', build('same'))]);
    release();
    const [a, b] = await both;
    // The second to finish reuses the first one's artifact and drops its own unseen version.
    expect(b).toEqual(a);
    expect(await store.verify('thing', 'k')).toEqual(a);
    expect(readdirSync(join(store.root, 'thing/.versions'))).toHaveLength(1);
  });

  it('replacing keeps the old version readable and unchanged for a reader holding its ref', async () => {
    const store = newStore();
    const old = await store.create('thing', 'k', write('old'));
    const oldManifest = store.readManifest(old);
    // An artifact that existed before the build started is replaced (a forced rebuild).
    const fresh = await store.create('thing', 'k', write('new'));
    expect(fresh.path).not.toBe(old.path);
    expect(fresh.sha256).not.toBe(old.sha256);
    expect(await store.verify('thing', 'k')).toEqual(fresh);
    expect(readFileSync(join(old.path, 'a.txt'), 'utf8')).toBe('old');
    expect(store.readManifest(old)).toEqual(oldManifest);
    expect(readFileSync(join(store.dirOf('thing', 'k'), 'a.txt'), 'utf8')).toBe('new');
  });

  it('a damaged, added or missing file fails verify(), and the rebuilt artifact verifies', async () => {
    const store = newStore();
    const damage: Record<string, (dir: string) => void> = {
      changed: (dir) => writeFileSync(join(dir, 'a.txt'), 'tampered'),
      added: (dir) => writeFileSync(join(dir, 'extra.txt'), 'x'),
      manifest: (dir) => writeFileSync(join(dir, 'manifest.json'), '{ not json'),
    };
    for (const [name, harm] of Object.entries(damage)) {
      const ref = await store.create('thing', name, write('good'));
      harm(ref.path);
      expect(await store.verify('thing', name), name).toBeNull();
      const rebuilt = await store.create('thing', name, write('good'));
      expect(rebuilt.path).not.toBe(ref.path);
      expect(rebuilt.sha256).toBe(name === 'manifest' ? rebuilt.sha256 : ref.sha256);
      expect(await store.verify('thing', name), name).toEqual(rebuilt);
    }
  });

  it('a folder of the layout before versions is read, and replaced without a gap', async () => {
    const store = newStore();
    const ref = await store.create('thing', 'legacy', write('v1'));
    // Turn it into a plain folder at the key's name, as earlier versions of the store wrote.
    const { renameSync, rmSync } = await import('node:fs');
    rmSync(store.dirOf('thing', 'legacy'));
    renameSync(ref.path, store.dirOf('thing', 'legacy'));
    expect(await store.verify('thing', 'legacy')).toMatchObject({ path: store.dirOf('thing', 'legacy'), sha256: ref.sha256 });
    const fresh = await store.create('thing', 'legacy', write('v2'));
    expect(lstatSync(store.dirOf('thing', 'legacy')).isSymbolicLink()).toBe(true);
    expect(await store.verify('thing', 'legacy')).toEqual(fresh);
  });

  it('builders in 3 processes replace one key 40 times each while a reader never sees a gap or a mix', async () => {
    const store = newStore();
    await store.create('thing', 'hot', (dir) => {
      writeFileSync(join(dir, 'a.txt'), 'start 0\n'.repeat(2000));
      writeFileSync(join(dir, 'b.txt'), 'start 0\n');
      return { tag: 'start', i: 0 };
    });
    const builders = Promise.all(['p1', 'p2', 'p3'].map((tag) => builder(store.root, 'hot', 40, tag)));
    let done = false;
    void builders.then(() => (done = true));
    let reads = 0;
    const held: ArtifactRef[] = [];
    while (!done) {
      const seen = readByName(store, 'hot');
      expect(seen, 'the artifact vanished during a replacement').not.toBeNull();
      // a.txt, b.txt and the manifest come from one version.
      const { tag, i } = seen!.meta as { tag: string; i: number };
      expect(seen!.b).toBe(`${tag} ${i}\n`);
      expect(seen!.a).toBe(`${tag} ${i}\n`.repeat(2000));
      if (reads++ % 50 === 0) {
        const ref = await store.verify('thing', 'hot');
        expect(ref).not.toBeNull();
        held.push(ref!);
      }
      await new Promise((r) => setImmediate(r));
    }
    expect(await builders).toEqual([0, 0, 0]);
    expect(reads).toBeGreaterThan(20);
    // Every ref taken along the way still reads its own version, whole.
    for (const ref of held) {
      const { tag, i } = store.readManifest(ref).meta as { tag: string; i: number };
      expect(readFileSync(join(ref.path, 'b.txt'), 'utf8')).toBe(`${tag} ${i}\n`);
    }
    expect(await store.verify('thing', 'hot')).not.toBeNull();
    expect(readdirSync(join(store.root, 'thing')).filter((f) => f.startsWith('.tmp-') || f.includes('.link'))).toEqual([]);
  }, 120_000);
});
