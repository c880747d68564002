/**
 * The evaluate step's torch backend (scorer/labor_scorer as a child process per shard) on a real
 * server: on CPU in fp32 it gives the ONNX scorer's log-probabilities within 1e-4 on every
 * candidate of every point, through the same shards and metrics; a scorer that crashes fails the
 * shard with its stderr.
 */
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load';
import { readPredictions } from '../../lib/predict';
import { readFloat64 } from '../../activities/evaluate/evaluate-tasks';
import type { RunExperimentResult } from '../../temporal/run-types';
import { createHarness, type Harness } from '../helpers/temporal';
import { CENSUS_CSV } from '../lm/fixtures';
import { spLlama } from '../lm/sp-fixtures';

let h: Harness;
let modelDir: string;
beforeAll(async () => {
  h = await createHarness();
  // A Llama-2-style tokenizer (SentencePiece, byte fallback) with both ONNX and safetensors weights.
  modelDir = spLlama();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

function config(name: string, steps: string): string {
  const file = join(mkdtempSync(join(tmpdir(), `labor-llm-${name}-`)), `${name}.yaml`);
  writeFileSync(
    file,
    `schemaVersion: 1\nname: ${name}\nseed: 3\nsteps:\n` +
      `  - {name: survey, kind: data, source: synthetic, population: survey, persons: 30, taxonomy: ${CENSUS_CSV}}\n` +
      `  - {name: text, kind: encode, input: survey}\n` + steps,
  );
  return file;
}

/** The shard files of the evaluation that ran `backend` in fp32 (a torch shard leaves its batch tables in shard-0/torch, a bf16 one its check). */
function shardLogp(backend: 'onnx' | 'torch'): Float64Array[] {
  const root = join(h.deps.workDir, 'evaluate');
  const dir = readdirSync(root).map((k) => join(root, k))
    .find((d) => existsSync(join(d, 'shard-0', 'torch')) === (backend === 'torch') && !existsSync(join(d, 'shard-0', 'check-fp32.arrow')))!;
  return readdirSync(dir).filter((f) => /^shard-\d+\.f64$/.test(f)).sort().map((f) => readFloat64(join(dir, f)));
}

describe('evaluate step, torch backend', () => {
  it('equals the ONNX scorer within 1e-4 on every candidate (CPU, fp32), through the same shards and metrics', async () => {
    const eval_ = (name: string, scorer: string, points = 6) =>
      `  - {name: ${name}, kind: evaluate, data: text, model: {path: ${modelDir}}, shards: 1, maxPoints: ${points}, bootstrap: 0, baselines: [], scorer: ${scorer}}\n`;
    const file = config('torch-vs-onnx',
      eval_('onnx', '{batchPoints: 3}') + eval_('torch', '{backend: torch, batchPoints: 3}') + eval_('bf16', '{backend: torch, dtype: bf16, batchPoints: 3, checkPoints: 2}', 2));
    const result = (await (await h.start(loadConfig(file))).result()) as RunExperimentResult;
    const [onnx, torch] = ['onnx', 'torch'].map((n) => result.steps.find((s) => s.name === n)!);
    expect(torch.status).toBe('done');
    // Long contexts are cut to the model's 256 positions the same way (lib/lm/truncation.ts).
    expect(torch.summary).toMatchObject({ points: 6, truncated: onnx.summary!.truncated });

    const [a, b] = [shardLogp('onnx'), shardLogp('torch')];
    expect(b.map((s) => s.length)).toEqual(a.map((s) => s.length));
    const K = 535 + 3; // the Census titles and the special states
    expect(b.reduce((n, s) => n + s.length, 0)).toBe(6 * K);
    let worst = 0;
    a.forEach((s, i) => s.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i][j])))));
    expect(worst).toBeLessThan(1e-4);

    const pa = readPredictions(join(onnx.artifact!.path, 'model'));
    const pb = readPredictions(join(torch.artifact!.path, 'model'));
    expect(pb.person_id).toEqual(pa.person_id);
    pa.logp_true_raw.forEach((v, i) => expect(Math.abs(v - pb.logp_true_raw[i])).toBeLessThan(1e-4));
    const metrics = JSON.parse(readFileSync(join(torch.artifact!.path, 'metrics.json'), 'utf8'));
    expect(metrics.scorer).toMatchObject({ backend: 'torch', device: 'cpu', dtype: 'float32', candidates: K, model: { path: modelDir } });
    expect(metrics.scorer.bf16_check).toBeUndefined();
    expect(Math.abs(metrics.models.model.perplexity / (onnx.summary!.perplexity as number) - 1)).toBeLessThan(1e-4);

    // bf16 (on CPU here; on CUDA in practice): 2 points scored again in fp32, the difference recorded.
    const bf16 = result.steps.find((s) => s.name === 'bf16')!;
    const check = JSON.parse(readFileSync(join(bf16.artifact!.path, 'metrics.json'), 'utf8')).scorer.bf16_check;
    expect(check.points).toBe(2);
    expect(check.max_abs_logprob_diff).toBeGreaterThan(0);
    expect(check.max_abs_logprob_diff).toBeLessThan(2);
    expect(check.mean_abs_diff).toBeLessThanOrEqual(check.max_abs_logprob_diff);
  }, 240_000);

  it('a scorer that crashes fails the shard with its stderr', async () => {
    // Weights cut short: transformers' loader raises, the child exits 1 with a traceback.
    const broken = join(mkdtempSync(join(tmpdir(), 'labor-llm-broken-')), 'model');
    cpSync(modelDir, broken, { recursive: true });
    copyFileSync(join(modelDir, 'tokenizer.json'), join(broken, 'model.safetensors'));
    const file = config('torch-crash', `  - {name: evaluate, kind: evaluate, data: text, model: {path: ${broken}}, shards: 1, maxPoints: 1, scorer: {backend: torch}}\n`);
    const err = await (await h.start(loadConfig(file))).result().catch((e) => e);
    expect(err.cause.type).toBe('StepFailed');
    expect(err.cause.message).toContain('the torch scorer (python -m labor_scorer.shard) exited with code 1');
    expect(err.cause.message).toMatch(/SafetensorError|Traceback/);
  }, 120_000);
});
