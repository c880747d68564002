/**
 * The compare step on a real server: two random ONNX models evaluated on the same points, every
 * model of both evaluations (the models, the baselines, the oracles) in one table with paired
 * columns against the oracle and a reference, written as compare.json and compare.md.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { WorkflowFailedError } from '@temporalio/client';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareRow, CompareTable, Paired } from '../../lib/compare';
import { loadConfig } from '../../lib/config/load';
import type { RunExperimentResult } from '../../temporal/run-types';
import { createHarness, type Harness } from '../helpers/temporal';
import { randomModel } from '../lm/fixtures';

let h: Harness;
let experiment: (name: string, compare: string) => string;
beforeAll(async () => {
  h = await createHarness();
  const [a, b] = [5, 6].map((seed) => randomModel({ layers: 1, hidden: 32, heads: 2, maxPositions: 512, seed }));
  const dir = mkdtempSync(join(tmpdir(), 'labor-llm-compare-'));
  experiment = (name, compare) => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(
      path,
      `schemaVersion: 1\nname: ${name}\nseed: 3\nsteps:\n` +
        `  - {name: survey, kind: data, source: synthetic, population: survey, persons: 120}\n` +
        `  - {name: text, kind: encode, input: survey}\n` +
        `  - {name: eval-a, kind: evaluate, data: text, model: {path: ${a}}, maxPoints: 150, bootstrap: 10}\n` +
        `  - {name: eval-b, kind: evaluate, data: text, model: {path: ${b}}, maxPoints: 150, bootstrap: 10}\n` +
        `  - {name: table, kind: compare, evaluations: [eval-a, eval-b], ${compare}}\n`,
    );
    return path;
  };
});
afterAll(async () => {
  await h?.close();
});

const comparable = (p: Paired | null) => {
  expect(p?.comparable).toBe(true);
  return p as Extract<Paired, { comparable: true }>;
};

describe('compare step', () => {
  it('tabulates every model of both evaluations, paired against its oracle and the reference', async () => {
    const handle = await h.start(loadConfig(experiment('compare', 'reference: eval-b:model, bootstrap: 20')));
    const result = (await handle.result()) as RunExperimentResult;
    const step = result.steps.find((s) => s.name === 'table')!;
    expect(result.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    const run = handle.workflowId.split('@')[0];

    const dir = step.artifact!.path;
    expect(readdirSync(dir).filter((f) => !f.startsWith('.')).sort()).toEqual(expect.arrayContaining(['compare.json', 'compare.md']));
    const table = JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')) as CompareTable;
    expect(table.runs).toEqual([{ id: run, workflowId: handle.workflowId, experiment: 'compare' }]);
    expect(table.reference).toBe(`${run}/eval-b:model`);
    expect(table.paired).toEqual({ method: 'paired person bootstrap, percentile', replicates: 20, seed: 3, level: 0.95 });
    // The baselines and the oracle of eval-b are eval-a's (same points, same fits): listed once.
    expect(table.rows.map((r) => r.label).sort()).toEqual(['eval-a:marginal', 'eval-a:markov', 'eval-a:model', 'eval-a:oracle', 'eval-b:model']);
    expect(table.rows.find((r) => r.label === 'eval-a:markov')!.also).toEqual(['eval-b:markov']);
    expect(table.rows.find((r) => r.label === 'eval-a:oracle')!.also).toEqual(['eval-b:oracle']);
    const row = (label: string) => table.rows.find((r) => r.label === label) as CompareRow;
    for (const r of table.rows) {
      expect(r.run).toBe(run);
      expect(r.points).toBe(150);
      expect(r.perplexity.lo!).toBeLessThanOrEqual(r.perplexity.value!);
      expect(r.perplexity.hi!).toBeGreaterThanOrEqual(r.perplexity.value!);
    }
    expect(row('eval-a:model').scored).toMatch(/\//);

    // Against the oracle of its own evaluation: on the same points, the ratio is the perplexities' ratio
    // (relative: a random model's perplexity is astronomically large).
    for (const label of ['eval-a:model', 'eval-a:markov', 'eval-b:model']) {
      const r = row(label);
      const p = comparable(r.vs_oracle);
      expect(p.against).toBe(`${run}/eval-a:oracle`);
      expect(p.points).toBe(150);
      expect(p.ratio / (r.perplexity.value! / row('eval-a:oracle').perplexity.value!)).toBeCloseTo(1, 9);
      expect(p.ratio_ci.lo!).toBeLessThanOrEqual(p.ratio);
      expect(p.ratio_ci.hi!).toBeGreaterThanOrEqual(p.ratio);
    }
    // A random model is far worse than the truth, its whole interval above no excess.
    expect(comparable(row('eval-a:model').vs_oracle).excess_ci.lo!).toBeGreaterThan(0);
    expect(comparable(row('eval-a:oracle').vs_oracle)).toMatchObject({ excess: 0, ratio: 1 });

    // Against the reference (the other evaluation's model): the same points, so every row pairs.
    expect(comparable(row('eval-b:model').vs_reference)).toMatchObject({ against: `${run}/eval-b:model`, excess: 0, ratio: 1 });
    for (const r of table.rows) {
      const p = comparable(r.vs_reference);
      expect(p.ratio / (r.perplexity.value! / row('eval-b:model').perplexity.value!)).toBeCloseTo(1, 9);
    }
    // The truth beats the random reference.
    expect(comparable(row('eval-a:oracle').vs_reference).excess_ci.hi!).toBeLessThan(0);

    const md = readFileSync(join(dir, 'compare.md'), 'utf8');
    expect(md).toContain('# Model comparison');
    expect(md).toContain(`- run \`${run}\``);
    expect(md).toContain(`- reference: \`${run}/eval-b:model\``);
    expect(md).toContain('| model | vs oracle: excess | vs oracle: ratio | vs reference: excess | vs reference: ratio |');
    expect(md).toContain('20 replicates');
    for (const r of table.rows) expect(md).toContain(`| ${r.label}`);

    // The summary `run` prints: the reference and the best model other than the oracle.
    const best = table.rows.filter((r) => r.model !== 'oracle').sort((x, y) => x.perplexity.value! - y.perplexity.value!)[0];
    expect(step.summary).toMatchObject({ models: 5, reference: 'eval-b:model', best: best.label, bestPerplexity: best.perplexity.value });
    // The brief table `run` prints at the end: a line per model, best first, with the paired ratios.
    const brief = (step.summary!.table as string).split('\n');
    expect(brief[0]).toMatch(/^model\s+perplexity\s+top-1\s+vs oracle \(ratio\)\s+vs reference \(ratio\)$/);
    expect(brief.slice(1, 6).map((l) => l.split(/\s+/)[0])).toEqual([...table.rows].sort((x, y) => x.perplexity.value! - y.perplexity.value!).map((r) => r.label));
    expect(brief[1]).toMatch(/^eval-a:oracle .* 1\.000 /);
  }, 240_000);

  it('defaults to the first evaluation\'s model; a reference naming no model fails the step (exit 2) and writes nothing', async () => {
    // The data and evaluations come from the first test's cache: only the comparison runs.
    const result = (await (await h.start(loadConfig(experiment('compare-default', 'bootstrap: 0')))).result()) as RunExperimentResult;
    const dir = result.steps.find((s) => s.name === 'table')!.artifact!.path;
    const table = JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')) as CompareTable;
    expect(table.reference).toMatch(/\/eval-a:model$/);
    expect(table.paired.replicates).toBe(0);
    expect(comparable(table.rows.find((r) => r.label === 'eval-a:markov')!.vs_reference).excess_ci).toEqual({ lo: null, hi: null });

    const err = await (await h.start(loadConfig(experiment('compare-bad-reference', 'reference: eval-a:logit')))).result().catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = err.cause as { message: string; type: string };
    expect(cause.type).toBe('InvalidConfig');
    expect(cause.message).toContain("step 'table' failed: compare step 'table': reference 'eval-a:logit' names no model of evaluation 'eval-a'");
    expect(cause.message).toContain('eval-a:markov');
    expect(readdirSync(join(h.env.LABOR_LLM_HOME!, 'artifacts', 'comparison')).filter((f) => !f.startsWith('.'))).toHaveLength(2);
  }, 120_000);
});
