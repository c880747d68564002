/**
 * The analyze step's careers with trajectories.scorer.backend torch: on a model with both an ONNX
 * export and HF weights (spLlama) they are the ONNX backend's careers, measure for measure, with
 * observed and with generated education (the second, education scorer goes through torch too);
 * an ONNX-only folder is refused with what it lacks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateCareers } from '../../activities/analysis/simulate-careers';
import { codePrefixGroups } from '../../lib/analysis/groups';
import { analyzeStep } from '../../lib/config/schema';
import { InvalidConfig } from '../../lib/errors';
import { encodePanel, writeEncoded } from '../../lib/text';
import { tinyLlama } from '../lm/fixtures';
import { REPO_ROOT, spLlama } from '../lm/sp-fixtures';
import { surveyPanel } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'careers-torch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const scorerCommand = { python: join(REPO_ROOT, '.venv/bin/python'), scorerPath: join(REPO_ROOT, 'scorer') };
const panel = surveyPanel(40, 9);

const run = (modelDir: string, backend: 'onnx' | 'torch', education: 'observed' | 'generated') => simulateCareers(
  panel,
  analyzeStep.parse({
    kind: 'analyze', name: 'a', evaluations: ['e'], minPersons: 2, bootstrap: 0,
    trajectories: { prefixYears: 2, horizon: 2, draws: 2, baselines: [], education, scorer: { backend } },
  }),
  3, { models: [{ name: 'sp', modelDir }], encodedDir: dir, template: { name: 'resume', version: 1 }, scorerCommand }, codePrefixGroups(panel.taxonomy), () => {},
);

describe("the analyze step's careers through the torch scorer", () => {
  it('are the ONNX scorer\'s careers on the same model, with observed and with generated education', async () => {
    writeEncoded(dir, encodePanel(panel, { name: 'resume' }));
    const modelDir = spLlama();
    for (const education of ['observed', 'generated'] as const) {
      const [onnx, torch] = [await run(modelDir, 'onnx', education), await run(modelDir, 'torch', education)];
      expect(torch.results.filter((r) => r.model === 'sp').length).toBeGreaterThan(10);
      expect(torch.results).toEqual(onnx.results);
    }
  }, 300_000);

  it('refuses a folder without HF weights, naming it and what it lacks', async () => {
    const onnxOnly = tinyLlama();
    const err = await run(onnxOnly, 'torch', 'observed').catch((e: Error) => e);
    expect(err).toBeInstanceOf(InvalidConfig);
    expect((err as Error).message).toBe(
      `analyze step 'a': trajectories are simulated through the torch scorer, and the model evaluated by 'sp' has no HF weights in ${onnxOnly} ` +
        '(no HF weights (expected one of model.safetensors, model.safetensors.index.json, pytorch_model.bin, pytorch_model.bin.index.json, or LoRA adapters)): ' +
        'trajectories.scorer.backend torch needs config.json and HF weights or LoRA adapters (as the trainer writes them); use backend onnx for an ONNX-only folder',
    );
  }, 300_000);
});
