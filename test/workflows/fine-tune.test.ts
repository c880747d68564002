/**
 * The finetune step end to end: a tiny model trained from scratch by the real trainer as a
 * detached local job, exported to ONNX, collected into the store, then fine-tuned further from
 * that step; a forced rerun (`--rerun`, `--no-cache`) trains a new job.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load';
import type { RunExperimentResult } from '../../temporal/run-types';
import { createHarness, type Harness } from '../helpers/temporal';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

it('trains a foundation model, fine-tunes it; a forced rerun trains a new job and keeps the old one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'labor-llm-ft-'));
  const file = join(dir, 'ft.yaml');
  writeFileSync(
    file,
    `schemaVersion: 1\nname: ft\nseed: 2\nsteps:\n` +
      `  - {name: resumes, kind: data, source: synthetic, population: resume, persons: 80}\n` +
      `  - {name: survey, kind: data, source: synthetic, population: survey, persons: 40}\n` +
      `  - {name: resume-text, kind: encode, input: resumes}\n` +
      `  - {name: survey-text, kind: encode, input: survey}\n` +
      `  - {name: foundation, kind: finetune, data: resume-text, base: {init: {layers: 1, hidden: 32, heads: 2, vocabSize: 512, maxPositions: 512}}, maxSteps: 12, batchSize: 8, maxSeqLen: 256, evalEvery: 6, threads: 1}\n` +
      `  - {name: finetuned, kind: finetune, data: survey-text, base: {step: foundation}, maxSteps: 6, batchSize: 8, maxSeqLen: 256, evalEvery: 3, threads: 1, export: onnx}\n`,
  );
  const loaded = loadConfig(file);
  const first = (await (await h.start(loaded)).result()) as RunExperimentResult;
  const [foundation, finetuned] = first.steps.slice(4);
  expect([foundation.status, finetuned.status]).toEqual(['done', 'done']);
  // The foundation is only a base (export: auto, no ONNX scorer reads it): HF weights, no ONNX.
  expect(existsSync(join(foundation.artifact!.path, 'model.safetensors'))).toBe(true);
  expect(existsSync(join(foundation.artifact!.path, 'onnx/model.onnx'))).toBe(false);
  expect(foundation.summary!.exportMaxAbsDiff).toBeNull();
  expect(existsSync(join(finetuned.artifact!.path, 'onnx/model.onnx'))).toBe(true);
  expect(finetuned.summary!.exportMaxAbsDiff as number).toBeLessThan(1e-3);
  for (const s of [foundation, finetuned]) expect(existsSync(join(s.artifact!.path, 'tokenizer.json'))).toBe(true);
  expect(finetuned.summary!.steps).toBe(6);
  expect(readdirSync(h.deps.jobsDir)).toHaveLength(2);

  // --rerun finetuned: the foundation is cached; finetuned trains again as a new job (its spec
  // did not change, so only the run's fresh token tells it apart), and the old job stays.
  const rerun = (await (await h.start(loaded, { rerun: ['finetuned'] })).result()) as RunExperimentResult;
  const [foundation2, finetuned2] = rerun.steps.slice(4);
  expect(foundation2.status).toBe('cached');
  expect(foundation2.artifact!.sha256).toBe(foundation.artifact!.sha256);
  expect(finetuned2.status).toBe('done');
  const [oldJob, newJob] = [finetuned.summary!.jobId as string, finetuned2.summary!.jobId as string];
  expect(newJob).not.toBe(oldJob);
  expect(readdirSync(h.deps.jobsDir).sort()).toEqual([foundation.summary!.jobId, oldJob, newJob].sort());
  const newLog = readFileSync(join(h.deps.jobsDir, newJob, 'train.log'), 'utf8');
  expect(newLog).toMatch(/training: 6 steps/); // the trainer ran again, from the start
  expect(newLog).not.toMatch(/resumed from checkpoint|already finished/);
  expect(JSON.parse(readFileSync(join(h.deps.jobsDir, newJob, 'job.json'), 'utf8')).fresh).toEqual(expect.any(String));
  expect(existsSync(join(h.deps.jobsDir, oldJob, 'output', 'onnx', 'model.onnx'))).toBe(true);
  expect(finetuned2.summary!.steps).toBe(6);
}, 420_000);

it('bad training input fails the step before training, with the trainer\'s own message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'labor-llm-ft-bad-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(
    file,
    `schemaVersion: 1\nname: ft-bad\nsteps:\n` +
      `  - {name: survey, kind: data, source: synthetic, population: survey, persons: 20}\n` +
      `  - {name: text, kind: encode, input: survey}\n` +
      `  - {name: model, kind: finetune, data: text, method: lora, lora: {targetModules: [no_such_proj]}, base: {init: {layers: 1, hidden: 32, heads: 2, vocabSize: 512}}, maxSteps: 5, threads: 1}\n`,
  );
  const err = await (await h.start(loadConfig(file))).result().catch((e) => e);
  expect(err.cause.type).toBe('InvalidConfig'); // exit code 2 in the CLI
  expect(err.cause.message).toContain('no_such_proj');
  expect(err.cause.message).toMatch(/q_proj/); // the modules that do exist are listed
}, 120_000);
