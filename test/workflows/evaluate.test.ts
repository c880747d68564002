/**
 * The evaluate step on a real server and a real ONNX model: sharded scoring gives identical
 * predictions whatever the shard count, and the model, baselines and oracle are all measured.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load';
import { readPredictions } from '../../lib/predict';
import { SMOOTHING_GRID } from '../../lib/baselines';
import type { RunExperimentResult } from '../../temporal/run-types';
import { createHarness, type Harness } from '../helpers/temporal';
import { CENSUS_CSV as CENSUS, randomModel } from '../lm/fixtures';

let h: Harness;
let modelDir: string;
beforeAll(async () => {
  h = await createHarness();
  modelDir = randomModel({ layers: 1, hidden: 32, heads: 2, maxPositions: 512, seed: 5 });
});
afterAll(async () => {
  await h?.close();
});

function experiment(shards: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'labor-llm-eval-'));
  const file = join(dir, 'eval.yaml');
  writeFileSync(
    file,
    `schemaVersion: 1\nname: eval-${shards}\nseed: 4\nsteps:\n` +
      `  - {name: survey, kind: data, source: synthetic, population: survey, persons: 40}\n` +
      `  - {name: text, kind: encode, input: survey}\n` +
      `  - {name: evaluate, kind: evaluate, data: text, model: {path: ${modelDir}}, shards: ${shards}, maxPoints: 40, bootstrap: 20, scorer: {batchPoints: 6}}\n`,
  );
  return file;
}

describe('evaluate step', () => {
  it('scores every title for every point, identically with 1 or 3 shards', async () => {
    const one = (await (await h.start(loadConfig(experiment(1)))).result()) as RunExperimentResult;
    // Shards do not change what is computed, so they are not in the cache key: recompute on purpose.
    const three = (await (await h.start(loadConfig(experiment(3)), { noCache: true })).result()) as RunExperimentResult;
    const [a, b] = [one, three].map((r) => r.steps.find((s) => s.name === 'evaluate')!);
    expect(a.status).toBe('done');
    expect(b.status).toBe('done');
    expect(b.artifact!.path).not.toBe(a.artifact!.path);
    expect(a.summary).toMatchObject({ points: 40, truncated: 0 });

    const pa = readPredictions(join(a.artifact!.path, 'model'));
    const pb = readPredictions(join(b.artifact!.path, 'model'));
    expect(pa.person_id.length).toBe(40);
    expect(Array.from(pb.logp_true_raw)).toEqual(Array.from(pa.logp_true_raw));
    expect(Array.from(pb.probs)).toEqual(Array.from(pa.probs));

    const metrics = JSON.parse(readFileSync(join(a.artifact!.path, 'metrics.json'), 'utf8'));
    // The model is named by what it is, not by a store folder: both evaluations write the same bytes.
    expect(metrics.scorer.model).toEqual({ path: modelDir });
    expect(metrics.scorer.modelDir).toBeUndefined();
    expect(readFileSync(join(b.artifact!.path, 'metrics.json'), 'utf8')).toBe(readFileSync(join(a.artifact!.path, 'metrics.json'), 'utf8'));
    expect(Object.keys(metrics.models).sort()).toEqual(['marginal', 'markov', 'model', 'oracle']);
    // Each baseline's smoothing is recorded; markov's is chosen on the validation split.
    expect(metrics.baselines.marginal).toMatchObject({ order: 0, tuned: false });
    expect(metrics.baselines.markov).toMatchObject({ order: 1, conditions: ['prev'], tuned: true });
    expect(SMOOTHING_GRID).toContain(metrics.baselines.markov.smoothing.alpha);
    expect(metrics.baselines.markov.valid_log_loss).toBeLessThanOrEqual(metrics.baselines.markov.add_one_valid_log_loss);
    // A random model is far from the truth; the oracle is the floor.
    expect(metrics.models.oracle.perplexity).toBeLessThan(metrics.models.model.perplexity);
    expect(metrics.models.model.valid_mass).toBeLessThan(1);
    expect(metrics.models.model.raw_perplexity).toBeGreaterThan(metrics.models.model.perplexity);
  }, 180_000);

  it('works end to end on the 535-title Census taxonomy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labor-llm-census-'));
    const file = join(dir, 'census.yaml');
    writeFileSync(
      file,
      `schemaVersion: 1\nname: census\nsteps:\n` +
        `  - {name: survey, kind: data, source: synthetic, population: survey, persons: 30, taxonomy: ${CENSUS}}\n` +
        `  - {name: text, kind: encode, input: survey}\n` +
        `  - {name: evaluate, kind: evaluate, data: text, model: {path: ${modelDir}}, maxPoints: 6, bootstrap: 0, baselines: [markov, markov2, markov-gap]}\n`,
    );
    const result = (await (await h.start(loadConfig(file))).result()) as RunExperimentResult;
    expect(result.steps[0].summary).toMatchObject({ states: 538 });
    const p = readPredictions(join(result.steps[2].artifact!.path, 'model'));
    expect(p.n_states).toBe(538);
    expect(p.person_id).toHaveLength(6);
    // The order-2 and gap variants get their columns from the panel's point features and tune on valid.
    const metrics = JSON.parse(readFileSync(join(result.steps[2].artifact!.path, 'metrics.json'), 'utf8'));
    expect(Object.keys(metrics.models).sort()).toEqual(['markov', 'markov-gap', 'markov2', 'model', 'oracle']);
    expect(metrics.baselines.markov2).toMatchObject({ order: 2, conditions: ['prev', 'prev2'], tuned: true });
    expect(metrics.baselines['markov-gap']).toMatchObject({ order: 1, conditions: ['prev', 'gap'], tuned: true });
    expect(readPredictions(join(result.steps[2].artifact!.path, 'markov2')).person_id).toEqual(p.person_id);
  }, 180_000);

  it('a missing model folder fails the run as invalid input, naming the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labor-llm-nomodel-'));
    const file = join(dir, 'nomodel.yaml');
    writeFileSync(
      file,
      `schemaVersion: 1\nname: nomodel\nsteps:\n` +
        `  - {name: survey, kind: data, source: synthetic, population: survey, persons: 10}\n` +
        `  - {name: text, kind: encode, input: survey}\n` +
        `  - {name: evaluate, kind: evaluate, data: text, model: {path: ${join(dir, 'no-such-model')}}}\n`,
    );
    const err = await (await h.start(loadConfig(file))).result().catch((e) => e);
    expect(err.cause.type).toBe('InvalidModel');
    expect(err.cause.message).toContain('no-such-model');
  }, 120_000);
});
