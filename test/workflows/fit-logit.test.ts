/**
 * The fit step on a real server with the real jobs: the logit (baselines/labor_baselines) and the
 * CAREER-style model (trainer/labor_trainer/career), each fitted as a durable job, its
 * distributions read by an evaluate step that names it as its model, tabulated by a compare step
 * beside the baselines and the oracle; a rerun is served from the cache.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareTable } from '../../lib/compare';
import { loadConfig } from '../../lib/config/load';
import type { RunExperimentResult } from '../../temporal/run-types';
import { createHarness, type Harness } from '../helpers/temporal';

let h: Harness;
let config: string;
let careerConfig: string;
beforeAll(async () => {
  h = await createHarness();
  const dir = mkdtempSync(join(tmpdir(), 'labor-llm-fit-'));
  config = join(dir, 'fit.yaml');
  writeFileSync(
    config,
    `schemaVersion: 1\nname: fit-logit\nseed: 4\nsteps:\n` +
      `  - {name: survey, kind: data, source: synthetic, population: survey, persons: 400}\n` +
      `  - {name: text, kind: encode, input: survey}\n` +
      `  - {name: logit, kind: fit, data: text, model: logit, logit: {penalties: [0.01, 0.001], maxIter: 60}}\n` +
      `  - {name: eval-logit, kind: evaluate, data: text, model: logit, baselines: [marginal, markov], bootstrap: 20}\n` +
      `  - {name: table, kind: compare, evaluations: [eval-logit], bootstrap: 20}\n`,
  );
  careerConfig = join(dir, 'career.yaml');
  writeFileSync(
    careerConfig,
    `schemaVersion: 1\nname: fit-career\nseed: 4\nsteps:\n` +
      `  - {name: resumes, kind: data, source: synthetic, population: resume, persons: 300}\n` +
      `  - {name: survey, kind: data, source: synthetic, population: survey, persons: 400}\n` +
      `  - {name: resume-text, kind: encode, input: resumes}\n` +
      `  - {name: text, kind: encode, input: survey}\n` +
      `  - {name: career, kind: fit, data: text, model: career, pretrain: resume-text, career: {hidden: 32, epochs: 10, pretrainEpochs: 2, evalEvery: 20}}\n` +
      `  - {name: eval-career, kind: evaluate, data: text, model: career, baselines: [marginal], bootstrap: 0}\n`,
  );
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe('fit step (logit)', () => {
  it('fits the logit as a job, evaluates its distributions, and tabulates it with the baselines', async () => {
    const handle = await h.start(loadConfig(config));
    const result = (await handle.result()) as RunExperimentResult;
    expect(result.steps.map((s) => [s.name, s.status])).toEqual([
      ['survey', 'done'], ['text', 'done'], ['logit', 'done'], ['eval-logit', 'done'], ['table', 'done'],
    ]);
    const step = (name: string) => result.steps.find((s) => s.name === name)!;

    // The fit's artifact: the job's output, kind `fitted`.
    const fitted = step('logit').artifact!;
    expect(fitted.kind).toBe('fitted');
    expect(existsSync(join(fitted.path, 'distributions.arrow'))).toBe(true);
    const coefficients = JSON.parse(readFileSync(join(fitted.path, 'coefficients.json'), 'utf8'));
    expect(Object.keys(coefficients.candidate)).toContain('stay');
    expect([0.01, 0.001]).toContain(step('logit').summary!.bestPenalty);

    // The evaluation: its model is the logit, read (not scored), on every test point.
    const metrics = JSON.parse(readFileSync(join(step('eval-logit').artifact!.path, 'metrics.json'), 'utf8'));
    expect(metrics.scorer.kind).toBe('fitted');
    expect(metrics.scorer.model.artifact).toBe(`fitted/${fitted.key}`);
    const ppl = (m: string) => metrics.models[m].perplexity as number;
    expect(metrics.models.model.valid_mass).toBeCloseTo(1, 5);
    expect(ppl('model')).toBeLessThan(ppl('marginal'));
    expect(ppl('model')).toBeGreaterThan(ppl('oracle') * 0.9);
    // Two implementations of the same number: the job's own test log-loss (float32) and the evaluation's.
    const job = (JSON.parse(readFileSync(join(fitted.path, 'manifest.json'), 'utf8')) as { meta: { metrics: { predicted_nll: { test: number } } } }).meta.metrics;
    expect(Math.log(ppl('model'))).toBeCloseTo(job.predicted_nll.test, 4);

    // The comparison has the logit as the evaluation's model row, paired against the oracle.
    const table = JSON.parse(readFileSync(join(step('table').artifact!.path, 'compare.json'), 'utf8')) as CompareTable;
    expect(table.rows.map((r) => r.label).sort()).toEqual(['eval-logit:marginal', 'eval-logit:markov', 'eval-logit:model', 'eval-logit:oracle']);

    // A rerun finds every step in the cache, the fit included.
    const again = (await (await h.start(loadConfig(config))).result()) as RunExperimentResult;
    expect(again.steps.map((s) => s.status)).toEqual(['cached', 'cached', 'cached', 'cached', 'cached']);
  }, 300_000);

  it('pretrains the CAREER-style model on another population, fine-tunes it, and evaluates its distributions', async () => {
    const result = (await (await h.start(loadConfig(careerConfig))).result()) as RunExperimentResult;
    // The survey is the first test's (same seed and size): cached.
    expect(result.steps.map((s) => s.status)).toEqual(['done', 'cached', 'done', 'cached', 'done', 'done']);
    const step = (name: string) => result.steps.find((s) => s.name === name)!;
    const fitted = step('career').artifact!;
    expect(fitted.kind).toBe('fitted');
    const job = (JSON.parse(readFileSync(join(fitted.path, 'manifest.json'), 'utf8')) as { meta: { metrics: { model: string; phases: unknown; predicted_nll: { test: number } } } }).meta.metrics;
    expect(job.model).toBe('career');
    expect(JSON.stringify(job.phases)).toMatch(/pretrain[\s\S]*finetune/);

    const metrics = JSON.parse(readFileSync(join(step('eval-career').artifact!.path, 'metrics.json'), 'utf8'));
    expect(metrics.scorer.kind).toBe('fitted');
    expect(metrics.models.model.perplexity).toBeLessThan(metrics.models.marginal.perplexity);
    expect(Math.log(metrics.models.model.perplexity)).toBeCloseTo(job.predicted_nll.test, 4);
  }, 300_000);
});
