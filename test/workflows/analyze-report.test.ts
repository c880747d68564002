/**
 * The analyze and report steps on a real server: two real ONNX models evaluated on the same
 * points, analysed per subgroup with the baselines and the oracle, and reported as one HTML page
 * that names the run it came from.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { WorkflowFailedError } from '@temporalio/client';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OneStepAnalysis } from '../../lib/analysis';
import type { TrajectoryAnalysis } from '../../lib/trajectories';
import { loadConfig } from '../../lib/config/load';
import type { RunExperimentResult } from '../../temporal/run-types';
import { createHarness, type Harness } from '../helpers/temporal';
import { randomModel } from '../lm/fixtures';

let h: Harness;
let file: string;
let experiment: (name: string, analyze: string) => string;
beforeAll(async () => {
  h = await createHarness();
  const [a, b] = [5, 6].map((seed) => randomModel({ layers: 1, hidden: 32, heads: 2, maxPositions: 512, seed }));
  const dir = mkdtempSync(join(tmpdir(), 'labor-llm-analyze-'));
  experiment = (name, analyze) => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(
      path,
      `schemaVersion: 1\nname: ${name}\nseed: 3\nsteps:\n` +
        `  - {name: survey, kind: data, source: synthetic, population: survey, persons: 120}\n` +
        `  - {name: text, kind: encode, input: survey}\n` +
        `  - {name: eval-a, kind: evaluate, data: text, model: {path: ${a}}, maxPoints: 150, bootstrap: 10}\n` +
        `  - {name: eval-b, kind: evaluate, data: text, model: {path: ${b}}, maxPoints: 150, bootstrap: 10}\n` +
        `  - {name: groups, kind: analyze, evaluations: [eval-a, eval-b], ${analyze}}\n` +
        `  - {name: html, kind: report, analysis: groups}\n`,
    );
    return path;
  };
  file = experiment('analyze-report', 'subgroups: [[gender], [race], [gender, race]], minPersons: 8, minPoints: 20, bootstrap: 20, trajectories: {prefixYears: 2, horizon: 2, draws: 2}');
});
afterAll(async () => {
  await h?.close();
});

describe('analyze and report steps', () => {
  it('analyses every model of both evaluations per subgroup and renders a report naming the run', async () => {
    const handle = await h.start(loadConfig(file));
    const result = (await handle.result()) as RunExperimentResult;
    const step = (name: string) => result.steps.find((s) => s.name === name)!;
    expect(result.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done', 'done', 'done']);

    const dir = step('groups').artifact!.path;
    const analysis = JSON.parse(readFileSync(join(dir, 'one_step.json'), 'utf8')) as OneStepAnalysis;
    // The fine-tuned (here: random) models first, then the baselines and the oracle, once each.
    expect(analysis.models).toEqual(['eval-a', 'eval-b', 'marginal', 'markov', 'oracle']);
    expect(analysis.oracle).toBe('oracle');
    const ids = analysis.subgroups.map((g) => g.id);
    expect(ids).toContain('all');
    expect(ids).toContain('gender=female');
    expect(ids.some((id) => id.startsWith('gender=') && id.includes('&race='))).toBe(true);
    // A random model is further from the empirical distribution than the truth is.
    const tv = (model: string) => analysis.results.find((r) => r.model === model && r.subgroup === 'all')!.distances!.state.tv.value;
    expect(tv('eval-a')).toBeGreaterThan(tv('oracle'));
    for (const f of ['subgroup_distances.arrow', 'subgroup_rates.arrow', 'subgroup_calibration.arrow']) expect(existsSync(join(dir, f))).toBe(true);
    // Whole careers: both models, the Markov baseline and the truth continued every test career.
    const careers = JSON.parse(readFileSync(join(dir, 'trajectories.json'), 'utf8')) as TrajectoryAnalysis;
    expect(careers.models).toEqual(['eval-a', 'eval-b', 'markov', 'truth']);
    const occupationTv = (model: string, reference: string) =>
      careers.results.find((r) => r.model === model && r.reference === reference && r.subgroup === 'all' && r.horizon === 1)!.measures!.occupation_tv.value;
    // A random model's careers are further from the observed ones than the truth's are.
    expect(occupationTv('eval-a', 'empirical')).toBeGreaterThan(occupationTv('truth', 'empirical'));
    // With the step's person bootstrap: intervals on the trajectory measures too.
    const all = careers.results.find((r) => r.model === 'eval-a' && r.reference === 'empirical' && r.subgroup === 'all' && r.horizon === 1)!;
    expect(all.measures!.distinct_occupations.ci).toEqual({ lo: expect.any(Number), hi: expect.any(Number) });
    expect(existsSync(join(dir, 'trajectory_measures.arrow'))).toBe(true);
    const kept = JSON.parse(readFileSync(join(dir, 'evaluations.json'), 'utf8')) as { step: string; metrics: { models: object } }[];
    expect(kept.map((e) => e.step)).toEqual(['eval-a', 'eval-b']);
    expect(Object.keys(kept[0].metrics.models).sort()).toEqual(['marginal', 'markov', 'model', 'oracle']);

    const report = join(step('html').artifact!.path, 'report.html');
    const html = readFileSync(report, 'utf8');
    expect(html).toContain(handle.workflowId);
    expect(html).toContain('eval-b');
    expect(html).toContain('<svg');
    expect(html).toContain('data-chart="trajectories"');
    expect(readFileSync(join(step('html').artifact!.path, 'summary.md'), 'utf8')).toContain('eval-a');
  }, 240_000);

  it('bad input fails the step with the problem named (exit 2 in the CLI) and writes no analysis', async () => {
    const failure = async (name: string, analyze: string) => {
      const err = await (await h.start(loadConfig(experiment(name, analyze)))).result().catch((e) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      return err.cause as { message: string; type: string };
    };
    // The data and evaluations come from the first test's cache: only the analysis runs.
    const column = await failure('analyze-bad-column', 'subgroups: [[religion]], minPersons: 8');
    expect(column.type).toBe('InvalidData');
    expect(column.message).toContain("step 'groups' failed: analysis: subgroup column 'religion' missing from persons");
    const horizon = await failure('analyze-bad-horizon', 'minPersons: 8, trajectories: {prefixYears: 2, horizon: 60}');
    expect(horizon.type).toBe('InvalidConfig');
    expect(horizon.message).toMatch(/step 'groups' failed: .*horizon 60/);
    expect(readdirSync(join(h.env.LABOR_LLM_HOME!, 'artifacts', 'analysis')).filter((f) => !f.startsWith('.'))).toHaveLength(1);
  }, 120_000);
});
