import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateCareers } from '../../activities/analysis/simulate-careers';
import { codePrefixGroups } from '../../lib/analysis/groups';
import { analyzeStep } from '../../lib/config/schema';
import { encodePanel, writeEncoded } from '../../lib/text';
import { tinyLlama } from '../lm/fixtures';
import { surveyPanel } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'careers-education-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the analyze step's careers with education: generated", () => {
  it('simulates the model (with its education scorer), the marginal baseline and the truth, and compares them', async () => {
    const panel = surveyPanel(60, 9);
    writeEncoded(dir, encodePanel(panel, { name: 'resume' }));
    const run = (education: 'observed' | 'generated') => simulateCareers(
      panel,
      analyzeStep.parse({ kind: 'analyze', name: 'a', evaluations: ['e'], minPersons: 2, bootstrap: 0, trajectories: { prefixYears: 2, horizon: 2, draws: 2, baselines: ['marginal'], education } }),
      3, { models: [{ name: 'tiny', modelDir: tinyLlama() }], encodedDir: dir, template: { name: 'resume', version: 1 } }, codePrefixGroups(panel.taxonomy), () => {},
    );
    const generated = await run('generated');
    const observed = await run('observed');
    const models = (a: typeof generated) => [...new Set(a.results.map((r) => r.model))].sort();
    expect(models(generated)).toEqual(['marginal', 'tiny', 'truth']);
    expect(models(observed)).toEqual(models(generated));
    // Drawn education changes the model's and the truth's careers, so some measure differs.
    expect(JSON.stringify(generated.results)).not.toBe(JSON.stringify(observed.results));
    // The method says who drew the education: the LM itself, the truth's process, the training transitions.
    expect(observed.method.education).toEqual({ mode: 'observed' });
    expect(generated.method.education.mode).toBe('generated');
    const drawnBy = (generated.method.education as { models: Record<string, string> }).models;
    expect(Object.keys(drawnBy).sort()).toEqual(['marginal', 'tiny', 'truth']);
    expect(new Set(Object.values(drawnBy)).size).toBe(3);
  }, 300_000);
});
