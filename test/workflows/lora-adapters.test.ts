/**
 * A LoRA step stores its adapters alone, with its base named by path (base.json) and by digest
 * (the artifact's manifest): the real trainer writes them, the workflow collects them, and both
 * scorers read the folder as the merged model: the ONNX scorer the export made from the merged
 * weights, the torch scorer the base with the adapters merged as it loads. They agree within 1e-4.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load';
import { readPredictions } from '../../lib/predict';
import type { RunExperimentResult } from '../../temporal/run-types';
import { createHarness, type Harness } from '../helpers/temporal';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const bytesUnder = (dir: string): number =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).reduce((n, e) => n + statSync(join(e.parentPath, e.name)).size, 0);

it('stores adapters that name their base by path and digest; the ONNX and torch scorers agree on them', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'labor-llm-lora-')), 'lora.yaml');
  const train = 'maxSteps: 3, batchSize: 8, maxSeqLen: 256, evalEvery: 3, threads: 1';
  const evaluate = (name: string, scorer: string, model = 'adapted') =>
    `  - {name: ${name}, kind: evaluate, data: text, model: ${model}, shards: 1, maxPoints: 4, bootstrap: 0, baselines: [], scorer: ${scorer}}\n`;
  writeFileSync(
    file,
    `schemaVersion: 1\nname: lora\nseed: 3\nsteps:\n` +
      `  - {name: survey, kind: data, source: synthetic, population: survey, persons: 30}\n` +
      `  - {name: text, kind: encode, input: survey}\n` +
      `  - {name: foundation, kind: finetune, data: text, base: {init: {layers: 1, hidden: 64, heads: 2, vocabSize: 512, maxPositions: 512}}, ${train}}\n` +
      `  - {name: adapted, kind: finetune, data: text, base: {step: foundation}, method: lora, lora: {r: 4, targetModules: [q_proj, v_proj, o_proj]}, learningRate: 0.01, ${train}}\n` +
      evaluate('onnx', '{batchPoints: 2}') +
      evaluate('torch', '{backend: torch, batchPoints: 2}') +
      evaluate('base', '{batchPoints: 2}', 'foundation'),
  );
  const loaded = loadConfig(file);
  const result = (await (await h.start(loaded)).result()) as RunExperimentResult;
  expect(result.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done', 'done', 'done', 'done']);
  const step = (name: string) => result.steps.find((s) => s.name === name)!;
  const [foundation, adapted] = [step('foundation').artifact!, step('adapted').artifact!];

  // The adapters alone, their base by path (for the loaders) and by digest (in the manifest).
  for (const f of ['adapter_config.json', 'adapter_model.safetensors', 'base.json', 'config.json', 'tokenizer.json', 'onnx/model.onnx']) {
    expect(existsSync(join(adapted.path, f)), f).toBe(true);
  }
  expect(existsSync(join(adapted.path, 'model.safetensors'))).toBe(false);
  expect(JSON.parse(readFileSync(join(adapted.path, 'base.json'), 'utf8'))).toEqual({ path: foundation.path });
  const meta = JSON.parse(readFileSync(join(adapted.path, 'manifest.json'), 'utf8')).meta;
  expect(meta.base).toEqual({ step: 'foundation', path: foundation.path, sha256: foundation.sha256 });
  expect(meta.metrics.stored).toBe('adapters');
  const adapterBytes = statSync(join(adapted.path, 'adapter_model.safetensors')).size;
  expect(adapterBytes * 10).toBeLessThan(statSync(join(foundation.path, 'model.safetensors')).size);
  expect(bytesUnder(adapted.path)).toBeLessThan(bytesUnder(foundation.path));

  // Both scorers see the merged model, which the adapters made differ from the base.
  const [onnx, torch, base] = ['onnx', 'torch', 'base'].map((n) => readPredictions(join(step(n).artifact!.path, 'model')));
  expect(Math.max(...onnx.logp_true_raw.map((v, i) => Math.abs(v - base.logp_true_raw[i])))).toBeGreaterThan(1e-3);
  expect(torch.person_id).toEqual(onnx.person_id);
  expect(onnx.logp_true_raw.length).toBe(4);
  onnx.logp_true_raw.forEach((v, i) => expect(Math.abs(v - torch.logp_true_raw[i])).toBeLessThan(1e-4));

  const again = (await (await h.start(loaded)).result()) as RunExperimentResult;
  expect(again.steps.every((s) => s.status === 'cached')).toBe(true);
}, 300_000);
