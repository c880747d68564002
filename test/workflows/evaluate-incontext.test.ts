/**
 * The evaluate step with in-context examples, on a real server and a real ONNX model: the same
 * model scores the same points differently with two training careers before each context, every
 * context still fits the model, and metrics.json records how many examples were used.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load';
import { readPredictions } from '../../lib/predict';
import type { RunExperimentResult } from '../../temporal/run-types';
import { createHarness, type Harness } from '../helpers/temporal';
import { randomModel } from '../lm/fixtures';

let h: Harness;
let modelDir: string;
beforeAll(async () => {
  h = await createHarness();
  // 1024 positions: two examples fit before some contexts and not before others.
  modelDir = randomModel({ layers: 1, hidden: 32, heads: 2, maxPositions: 1024, seed: 5 });
});
afterAll(async () => {
  await h?.close();
});

function experiment(): string {
  const dir = mkdtempSync(join(tmpdir(), 'labor-llm-incontext-'));
  const file = join(dir, 'incontext.yaml');
  const evaluate = `kind: evaluate, data: text, model: {path: ${modelDir}}, maxPoints: 16, bootstrap: 0, baselines: [], oracle: false, scorer: {batchPoints: 4}`;
  writeFileSync(
    file,
    `schemaVersion: 1\nname: incontext\nseed: 4\nsteps:\n` +
      `  - {name: survey, kind: data, source: synthetic, population: survey, persons: 40}\n` +
      `  - {name: text, kind: encode, input: survey}\n` +
      `  - {name: plain, ${evaluate}, shards: 1}\n` +
      `  - {name: icl, ${evaluate}, shards: 3, incontext: {k: 2}}\n`,
  );
  return file;
}

describe('evaluate step with in-context examples', () => {
  it('changes the scores, keeps every context within the model, records the examples used', async () => {
    const config = loadConfig(experiment());
    const result = (await (await h.start(config)).result()) as RunExperimentResult;
    const [plain, icl] = ['plain', 'icl'].map((n) => result.steps.find((s) => s.name === n)!);
    expect(plain.status).toBe('done');
    expect(icl.status).toBe('done');
    // No examples means no truncation here; examples never cause one.
    expect(plain.summary).toMatchObject({ points: 16, truncated: 0 });
    expect(icl.summary).toMatchObject({ points: 16, truncated: 0 });

    const a = readPredictions(join(plain.artifact!.path, 'model'));
    const b = readPredictions(join(icl.artifact!.path, 'model'));
    expect(b.person_id).toEqual(a.person_id);
    const m = JSON.parse(readFileSync(join(icl.artifact!.path, 'metrics.json'), 'utf8'));
    const ic = m.scorer.incontext;
    const changed = Array.from(a.logp_true_raw).filter((v, i) => Math.abs(v - b.logp_true_raw[i]) > 1e-6).length;
    expect(changed).toBeGreaterThan(0);
    expect(ic).toMatchObject({ k: 2, seed: 4, selection: 'random', points: 16 });
    // 1024 positions: some points take both examples, some fewer (whole ones dropped).
    const missing = Math.round((2 - ic.mean_examples_used) * 16);
    expect(ic.points_with_fewer).toBeGreaterThan(0);
    expect(ic.points_with_fewer).toBeLessThan(16);
    expect(ic.points_with_fewer).toBeLessThanOrEqual(missing);
    expect(ic.points_with_fewer * 2).toBeGreaterThanOrEqual(missing);
    // Every point with both examples is scored differently.
    expect(changed).toBeGreaterThanOrEqual(16 - ic.points_with_fewer);
    // Without incontext, metrics.json has no such entry.
    expect(JSON.parse(readFileSync(join(plain.artifact!.path, 'metrics.json'), 'utf8')).scorer.incontext).toBeUndefined();
  }, 60_000);
});
