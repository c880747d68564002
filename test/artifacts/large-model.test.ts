/**
 * A model folder of ~2 GB (real random bytes, not sparse) goes through fine-tune collection (hard
 * links into a store build folder, hashed once) and a cached rerun's lookup (stats, no hashing),
 * with the process's memory bounded; an outside copy of it is fingerprinted once and then trusted.
 * Figures (hash throughput, lookup time with and without trusting size and mtime) are printed.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../lib/artifacts/store';
import { FileDigests } from '../../lib/artifacts/file-digests';
import { linkTree } from '../../lib/artifacts/link-tree';
import { fingerprintPath } from '../../lib/artifacts/fingerprint-path';

const CHUNK = 64 << 20;
const CHUNKS = 32; // 2 GiB
const MAX_RSS_GROWTH = 500 << 20;

const root = mkdtempSync(join(tmpdir(), 'labor-llm-large-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A trained model's output folder: small JSON files and one large weights file of random bytes. */
function writeModelFolder(dir: string): number {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'llama', hidden_size: 4096 }));
  writeFileSync(join(dir, 'tokenizer.json'), '{"model":{}}');
  const buf = randomBytes(CHUNK);
  const fd = openSync(join(dir, 'model.safetensors'), 'w');
  try {
    // Each chunk differs (its first bytes count up), so no two chunks and no block is shared.
    for (let i = 0; i < CHUNKS; i++) {
      buf.writeUInt32LE(i, 0);
      writeSync(fd, buf);
    }
  } finally {
    closeSync(fd);
  }
  // Written a while ago, as a trained model is when it is collected (file-digests.ts: MTIME_SLACK_MS).
  const past = new Date(Date.now() - 60_000);
  for (const f of ['config.json', 'tokenizer.json', 'model.safetensors']) utimesSync(join(dir, f), past, past);
  return CHUNK * CHUNKS;
}

/** Highest RSS seen while `fn` runs (sampled every 20 ms), as growth over the RSS before it. */
async function rssGrowth<T>(fn: () => Promise<T>): Promise<{ value: T; growth: number; seconds: number }> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const t0 = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, growth: peak - start, seconds: (performance.now() - t0) / 1000 };
  } finally {
    clearInterval(timer);
  }
}

const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;

describe('a several-GB model folder', () => {
  let hashed = 0;
  const store = new ArtifactStore(join(root, 'store'), { onProgress: (bytes) => (hashed += bytes) });
  const jobOutput = join(root, 'job', 'output');

  it('is collected by links and hashed once; a cached lookup stats it and hashes nothing', { timeout: 120_000 }, async () => {
    const bytes = writeModelFolder(jobOutput);
    const total = bytes + statSync(join(jobOutput, 'config.json')).size + statSync(join(jobOutput, 'tokenizer.json')).size;

    const collect = await rssGrowth(() =>
      store.create('model', 'big', async (dir) => ({ placed: await linkTree(jobOutput, dir) })),
    );
    expect(hashed).toBe(total);
    expect(collect.growth).toBeLessThan(MAX_RSS_GROWTH);
    const ref = collect.value;
    expect(store.readManifest(ref).meta.placed).toEqual({ linked: 3, copied: 0, copiedBytes: 0 });
    // Linked, not copied: the artifact's weights are the job's file.
    expect(statSync(join(ref.path, 'model.safetensors')).ino).toBe(statSync(join(jobOutput, 'model.safetensors')).ino);

    hashed = 0;
    const lookup = await rssGrowth(() => store.verify('model', 'big'));
    expect(lookup.value).toEqual(ref);
    expect(hashed).toBe(0);
    expect(lookup.growth).toBeLessThan(MAX_RSS_GROWTH);

    // What every lookup cost before (a full re-hash), and what `labor-llm verify` does.
    hashed = 0;
    const full = await rssGrowth(() => store.verifyFully(ref.path));
    expect(hashed).toBe(total);
    expect(full.value?.files.every((f) => f.state === 'ok')).toBe(true);
    expect(full.growth).toBeLessThan(MAX_RSS_GROWTH);

    console.log(
      `collect (link + hash ${mb(total)}): ${collect.seconds.toFixed(2)} s, ${(total / 2 ** 20 / collect.seconds).toFixed(0)} MB/s, RSS +${mb(collect.growth)}\n` +
        `cached lookup: ${(lookup.seconds * 1000).toFixed(1)} ms (trusting size+mtime) vs ${full.seconds.toFixed(2)} s re-hashing everything ` +
        `(${(total / 2 ** 20 / full.seconds).toFixed(0)} MB/s), RSS +${mb(full.growth)}`,
    );
  });

  it("a user's model folder is fingerprinted by content once, then trusted by size and mtime (in a new process too)", async () => {
    const user = jobOutput; // the same ~2 GB folder, now read as a user's model folder
    hashed = 0;
    const first = await rssGrowth(() => fingerprintPath(user, store.fileDigests));
    expect(hashed).toBeGreaterThan(CHUNK * CHUNKS);
    expect(first.growth).toBeLessThan(MAX_RSS_GROWTH);

    hashed = 0;
    const again = await rssGrowth(() => fingerprintPath(user, store.fileDigests));
    // A worker started later reads the record from the store.
    const otherProcess = new FileDigests(join(store.root, '.file-digests.json'), (b) => (hashed += b));
    expect(await fingerprintPath(user, otherProcess)).toBe(first.value);
    expect(again.value).toBe(first.value);
    expect(hashed).toBe(0);

    // A file added changes the fingerprint (not an edit: the job's files are the artifact's, linked).
    writeFileSync(join(user, 'generation_config.json'), '{}');
    expect(await fingerprintPath(user, store.fileDigests)).not.toBe(first.value);
    console.log(`user model fingerprint: first ${first.seconds.toFixed(2)} s (content), again ${(again.seconds * 1000).toFixed(1)} ms (recorded digests), RSS +${mb(first.growth)}`);
  });
  it('a damaged file is found by a lookup when its size or mtime changed, and by a full check otherwise', async () => {
    const ref = (await store.verify('model', 'big'))!;
    // An ordinary write (new mtime) is re-hashed on lookup and the artifact is no longer served.
    writeFileSync(join(ref.path, 'config.json'), JSON.stringify({ model_type: 'llama', hidden_size: 4098 }));
    hashed = 0;
    expect(await store.verify('model', 'big')).toBeNull();
    expect(hashed).toBeLessThan(1 << 20); // only the changed file was read, not the weights

    // Same size, mtime put back: the lookup trusts it (the documented limit); the full check does not.
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000); // whole seconds: utimes keeps them exactly
    const small = await store.create('model', 'small', (dir) => {
      writeFileSync(join(dir, 'config.json'), '{"hidden_size":64}');
      utimesSync(join(dir, 'config.json'), mtime, mtime);
      return {};
    });
    const config = join(small.path, 'config.json');
    writeFileSync(config, '{"hidden_size":65}');
    utimesSync(config, mtime, mtime);
    expect(await store.verify('model', 'small')).toEqual(small);
    expect((await store.verifyFully(small.path))?.files).toEqual([{ path: 'config.json', state: 'changed' }]);
  });
});
