/**
 * `labor-llm verify`: every artifact of a run's manifest and every model folder it read is
 * re-hashed, trusting no size or mtime; a change a cache lookup cannot see (same size, mtime put
 * back) is reported, as are missing folders and edited model folders; an unknown run exits 2.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArtifactStore, type ArtifactRef } from '../../lib/artifacts/store';
import { fingerprintPath } from '../../lib/artifacts/fingerprint-path';
import { formatVerify, verifyRun } from '../../cli/verify-run';
import { InvalidData } from '../../lib/errors';
import { createHarness } from '../helpers/temporal';
import { cli } from './cli';

const root = mkdtempSync(join(tmpdir(), 'labor-llm-verify-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const past = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
    utimesSync(join(dir, name), past, past);
  }
}

function runManifest(path: string, steps: Record<string, ArtifactRef>, userModel: string): void {
  writeFileSync(path, JSON.stringify({
    status: 'succeeded',
    steps: Object.entries(steps).map(([name, ref]) => ({ name, kind: name, output: { path: ref.path, sha256: ref.sha256 } })),
    config: {
      steps: [
        { name: 'finetune', kind: 'finetune', base: { path: userModel } },
        { name: 'evaluate', kind: 'evaluate', model: 'finetune' },
      ],
    },
  }));
}

describe('verifyRun', () => {
  it('reports ok, then changed and missing artifacts and an edited model folder', async () => {
    const store = new ArtifactStore(join(root, 'store'));
    const userModel = join(root, 'base-model');
    writeFiles(userModel, { 'config.json': '{"a":1}', 'model.safetensors': 'weights!' });
    await fingerprintPath(userModel, store.fileDigests); // what resolveStep does for the finetune step
    const build = (files: Record<string, string>) => (dir: string) => (writeFiles(dir, files), {});
    const finetune = await store.create('model', 'k1', build({ 'config.json': '{"h":64}', 'onnx/model.onnx': 'graph' }));
    const evaluate = await store.create('evaluation', 'k2', build({ 'metrics.json': '{}' }));
    const manifest = join(root, 'manifest.json');
    runManifest(manifest, { finetune, evaluate }, userModel);

    const ok = await verifyRun(manifest, store);
    expect(ok.map((i) => [i.state, i.what])).toEqual([
      ['ok', 'step finetune (finetune)'], ['ok', 'step evaluate (evaluate)'], ['ok', 'folder finetune.base'],
    ]);
    expect(formatVerify(ok).split('\n')[2]).toMatch(/^ok {7}folder finetune\.base {2}.*base-model {2}\(2 files\)$/);

    // Same size, mtime put back: a lookup trusts it; verify does not.
    writeFiles(finetune.path, { 'onnx/model.onnx': 'GRAPH' });
    expect(await store.verify('model', 'k1')).toEqual(finetune);
    rmSync(evaluate.path, { recursive: true });
    writeFiles(userModel, { 'model.safetensors': 'WEIGHTS!' });
    const bad = await verifyRun(manifest, store);
    expect(bad).toEqual([
      expect.objectContaining({ state: 'changed', what: 'step finetune (finetune)', detail: 'files onnx/model.onnx (changed)' }),
      expect.objectContaining({ state: 'missing', what: 'step evaluate (evaluate)', detail: 'the folder is gone' }),
      expect.objectContaining({ state: 'changed', what: 'folder finetune.base', detail: 'changed: model.safetensors' }),
    ]);
  });

  it('a file that is not a run manifest is bad input, named', async () => {
    const path = join(root, 'not-a-manifest.json');
    writeFileSync(path, '{"steps": 3}');
    await expect(verifyRun(path, new ArtifactStore(join(root, 'store')))).rejects.toThrow(InvalidData);
  });
});

describe('labor-llm verify', () => {
  it('an unknown run exits 2 with a message', async () => {
    const h = await createHarness({ workers: false });
    try {
      const r = await cli(['verify', 'no-such-run-verify'], h.env);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/no-such-run-verify/);
      expect(r.stdout).toBe('');
    } finally {
      await h.close();
    }
  }, 60_000);
});
