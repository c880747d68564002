/**
 * A finetune step that pools two populations' texts (`data: [survey-text, later-text]`) end to
 * end: the real trainer gets both texts files in the config's order, trains on their texts
 * together, and a rerun finds every step in the cache (the workflow's lookup and the fully
 * cached rerun's, which build inputs from the same roles).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cachedSteps } from '../../cli/cached-run';
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

it('trains one model on two encode steps\' texts, pooled in order; a rerun is fully cached', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'labor-llm-pooled-'));
  const file = join(dir, 'pooled.yaml');
  writeFileSync(
    file,
    `schemaVersion: 1\nname: pooled\nseed: 3\nsteps:\n` +
      `  - {name: survey, kind: data, source: synthetic, population: survey, persons: 30}\n` +
      `  - {name: later, kind: data, source: synthetic, population: resume, persons: 50}\n` +
      `  - {name: survey-text, kind: encode, input: survey}\n` +
      `  - {name: later-text, kind: encode, input: later}\n` +
      `  - {name: pooled, kind: finetune, data: [survey-text, later-text], base: {init: {layers: 1, hidden: 32, heads: 2, vocabSize: 512, maxPositions: 512}}, maxSteps: 2, batchSize: 8, maxSeqLen: 256, evalEvery: 2, threads: 1, export: none}\n`,
  );
  const loaded = loadConfig(file);
  const first = (await (await h.start(loaded)).result()) as RunExperimentResult;
  expect(first.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
  const [, , surveyText, laterText, pooled] = first.steps;

  const jobDir = join(h.deps.jobsDir, pooled.summary!.jobId as string);
  const spec = JSON.parse(readFileSync(join(jobDir, 'spec.json'), 'utf8'));
  expect(spec.texts).toEqual([join(surveyText.artifact!.path, 'texts.arrow'), join(laterText.artifact!.path, 'texts.arrow')]);
  const metrics = JSON.parse(readFileSync(join(jobDir, 'metrics.json'), 'utf8'));
  expect(metrics.steps).toBe(2);
  const [a, b] = metrics.texts_files as { texts: string; train_texts: number; valid_texts: number }[];
  expect([a.texts, b.texts]).toEqual(spec.texts);
  // Persons split 70/10/20: each population brings its own training texts.
  expect(a.train_texts).toBeGreaterThan(10);
  expect(b.train_texts).toBeGreaterThan(a.train_texts);
  const log = readFileSync(join(jobDir, 'train.log'), 'utf8');
  expect(log).toContain(`tokenized ${a.train_texts + b.train_texts} train texts`);
  expect(log).toContain(`and ${a.valid_texts + b.valid_texts} valid texts`);

  const again = (await (await h.start(loaded)).result()) as RunExperimentResult;
  expect(again.steps.map((s) => s.status)).toEqual(['cached', 'cached', 'cached', 'cached', 'cached']);
  expect(again.steps[4].artifact).toEqual(pooled.artifact);
  const cached = await cachedSteps(loaded, h.settings);
  expect(first.steps.every((s) => typeof s.key === 'string')).toBe(true);
  expect(cached?.map((s) => s.key)).toEqual(first.steps.map((s) => s.key));
}, 300_000);
