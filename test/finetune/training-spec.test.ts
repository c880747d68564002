/**
 * A finetune step's inputs, trainer spec and cache key, for one encode step (exactly as before
 * pooling existed, so cached jobs and artifacts keep their ids) and for a pooled list.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainingSpec } from '../../activities/finetune/training-spec';
import { stepCacheKey } from '../../activities/run/resolve-step';
import { stepCodeVersion } from '../../activities/run/step-code';
import { cacheKey, type ArtifactRef } from '../../lib/artifacts/store';
import { loadConfig } from '../../lib/config/load';
import type { StepConfig } from '../../lib/config/schema';
import { inputArtifacts } from '../../lib/config/steps';
import { jobIdForSpec } from '../../lib/finetune';
import type { StepRunInput } from '../../temporal/run-types';

const dir = mkdtempSync(join(tmpdir(), 'labor-llm-training-spec-'));
function configWith(data: string) {
  const file = join(dir, 'spec.yaml');
  writeFileSync(
    file,
    'schemaVersion: 1\nname: spec\nseed: 5\nsteps:\n' +
      '  - {name: survey, kind: data, source: synthetic, population: survey, persons: 5}\n' +
      '  - {name: later, kind: data, source: synthetic, population: survey, persons: 5}\n' +
      '  - {name: survey-text, kind: encode, input: survey}\n' +
      '  - {name: later-text, kind: encode, input: later}\n' +
      `  - {name: ft, kind: finetune, data: ${data}, base: {init: {layers: 1, hidden: 32, heads: 2}}, maxSteps: 3}\n` +
      // Read by an ONNX scorer, so `export: auto` stays as it was before it was resolved (onnx-export.ts).
      '  - {name: e, kind: evaluate, data: survey-text, model: ft}\n',
  );
  const { config } = loadConfig(file);
  return { steps: config.steps, ft: config.steps.find((s) => s.name === 'ft')! };
}

const ref = (name: string): ArtifactRef => ({ kind: 'text', key: `key-${name}`, path: `/store/text/${name}`, sha256: `sha-${name}` });
function runInput(steps: readonly StepConfig[], step: StepConfig): StepRunInput {
  return {
    runId: 'r', experiment: 'spec', step, key: 'k', inputs: inputArtifacts(steps, step, ref), seed: 5,
    timeouts: { heartbeatS: 30, stepS: 3600 }, queues: { cpu: 'c', gpu: 'g' },
  } as StepRunInput;
}

describe('finetune step inputs and spec', () => {
  it('one encode step: role `data`, `texts` a path, the same spec, job id and cache key as before pooling', () => {
    const { steps, ft } = configWith('survey-text');
    const input = runInput(steps, ft);
    expect(Object.keys(input.inputs)).toEqual(['data']);
    const spec = trainingSpec(input);
    // The spec the code wrote before pooling existed, key for key, and the job id it hashed to.
    expect(spec).toEqual({
      texts: '/store/text/survey-text/texts.arrow',
      base: { init: { architecture: 'llama', layers: 1, hidden: 32, heads: 2, intermediate: 128, vocab_size: 2048, max_positions: 512 } },
      method: 'full', epochs: 1, max_steps: 3, learning_rate: 0.001, schedule: { warmup_steps: 10, decay: 'cosine' },
      batch_size: 16, grad_accum: 1, max_seq_len: 256, packing: true, gradient_checkpointing: false, seed: 5, eval_every: 50,
      early_stopping_patience: null, precision: 'fp32', device: 'cpu', checkpoint_every: 50, threads: null,
    });
    expect(jobIdForSpec(spec)).toBe('ft-4f3671d8b9a4f841');
    // The cache key's parts are those of before: the config's data a name, the input under role `data`.
    const { name: _name, provider: _p, stallTimeout: _s, ...config } = ft as Record<string, unknown>;
    expect(config.data).toBe('survey-text');
    expect(stepCacheKey(ft, input.inputs, 'x')).toBe(cacheKey({ kind: 'finetune', version: stepCodeVersion('finetune'), config, inputs: { data: 'sha-survey-text' } }));
  });

  it('a one-name list is the name itself: same spec and cache key', () => {
    const one = configWith('survey-text');
    const list = configWith('[survey-text]');
    expect(trainingSpec(runInput(list.steps, list.ft))).toEqual(trainingSpec(runInput(one.steps, one.ft)));
    expect(stepCacheKey(list.ft, runInput(list.steps, list.ft).inputs, 'x')).toBe(stepCacheKey(one.ft, runInput(one.steps, one.ft).inputs, 'x'));
  });

  it('a pooled list: roles data.0, data.1; `texts` a list in the config\'s order; the order is part of the key', () => {
    const { steps, ft } = configWith('[survey-text, later-text]');
    const input = runInput(steps, ft);
    expect(input.inputs).toEqual({ 'data.0': ref('survey-text'), 'data.1': ref('later-text') });
    expect(trainingSpec(input).texts).toEqual(['/store/text/survey-text/texts.arrow', '/store/text/later-text/texts.arrow']);
    const swapped = configWith('[later-text, survey-text]');
    expect(trainingSpec(runInput(swapped.steps, swapped.ft)).texts).toEqual(['/store/text/later-text/texts.arrow', '/store/text/survey-text/texts.arrow']);
    const keys = [ft, swapped.ft].map((s) => stepCacheKey(s, runInput(swapped.steps, s).inputs, 'x'));
    expect(keys[0]).not.toBe(keys[1]);
    const single = configWith('survey-text');
    expect(keys[0]).not.toBe(stepCacheKey(single.ft, runInput(single.steps, single.ft).inputs, 'x'));
  });
});
