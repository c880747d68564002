/**
 * `labor-llm compare` and `labor-llm report` on a real finished run (a real server, a real ONNX
 * model, an analyze and a report step): the table names every model, --json carries the paired
 * columns, --markdown writes a file; the report is one HTML page naming the run; bad input (an
 * unknown run, an unknown reference, a run with no evaluate step) exits 2 and writes nothing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load';
import type { CompareTable } from '../../lib/compare';
import { runIdFor } from '../../cli/run-id';
import type { RunExperimentResult } from '../../temporal/run-types';
import { createHarness, type Harness } from '../helpers/temporal';
import { randomModel } from '../lm/fixtures';
import { cli } from './cli';

let h: Harness;
let dir: string;
let runId: string;
let model: string;
let result: RunExperimentResult & { workflowId: string };
const tag = randomBytes(3).toString('hex');

beforeAll(async () => {
  h = await createHarness();
  dir = mkdtempSync(join(tmpdir(), 'labor-llm-cli-compare-'));
  // The evaluate workflow test's model: built once, cached between test files.
  model = randomModel({ layers: 1, hidden: 32, heads: 2, maxPositions: 512, seed: 5 });
  const file = join(dir, 'compare.yaml');
  writeFileSync(
    file,
    `schemaVersion: 1\nname: cli-compare-${tag}\nseed: 4\ntimeouts: { heartbeat: 10s, step: 10m }\nsteps:\n` +
      `  - {name: survey, kind: data, source: synthetic, population: survey, persons: 40}\n` +
      `  - {name: text, kind: encode, input: survey}\n` +
      `  - {name: evaluate, kind: evaluate, data: text, model: {path: ${model}}, maxPoints: 30, shards: 1, bootstrap: 20, scorer: {batchPoints: 10}}\n` +
      // The same model on the first 12 of those points: it pairs with the first evaluation's model exactly.
      `  - {name: quick, kind: evaluate, data: text, model: {path: ${model}}, maxPoints: 12, shards: 1, bootstrap: 0, baselines: [markov], oracle: false, scorer: {batchPoints: 12}}\n` +
      `  - {name: groups, kind: analyze, evaluations: [evaluate], subgroups: [[gender]], minPersons: 3, minPoints: 5, bootstrap: 10}\n` +
      `  - {name: html, kind: report, analysis: groups, evaluations: [quick]}\n`,
  );
  const loaded = loadConfig(file);
  runId = runIdFor(loaded);
  const handle = await h.start(loaded);
  result = { ...((await handle.result()) as RunExperimentResult), workflowId: handle.workflowId };
}, 180_000);
afterAll(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('labor-llm compare', () => {
  it('prints one table of every model, with paired columns against the oracle and the reference', async () => {
    const r = await cli(['compare', runId], h.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^run ${runId}  \\(manifest .*manifest\\.json\\)$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^reference: ${runId}/evaluate:model$`, 'm'));
    // The evaluated model is shown with what it is: here a folder, by its last name.
    const folder = basename(model);
    for (const m of [`evaluate:model (${folder})`, 'evaluate:marginal', 'evaluate:markov', 'evaluate:oracle', `quick:model (${folder})`, 'quick:markov']) {
      expect(r.stdout.split('\n').some((line) => line.startsWith(`${m} `)), m).toBe(true);
    }
    expect(r.stdout).toMatch(/^model\s+points\s+perplexity\s+raw ppl\s+top-1\s+top-5$/m);
    expect(r.stdout).toMatch(/^model\s+vs oracle: excess\s+ratio\s+vs reference: excess\s+ratio$/m);
    expect(r.stderr).toBe('');
  }, 60_000);

  it('--json: the table with paired figures; --markdown writes the same table as Markdown', async () => {
    const md = join(dir, 'out', 'compare.md');
    const r = await cli(['compare', runId, '--json', '--markdown', md, '--bootstrap', '50'], h.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`markdown: ${md}\n`);
    const t = JSON.parse(r.stdout) as CompareTable;
    expect(t.reference).toBe(`${runId}/evaluate:model`);
    expect(t.paired).toEqual({ method: 'paired person bootstrap, percentile', replicates: 50, seed: 0, level: 0.95 });
    const row = (label: string) => t.rows.find((x) => x.label === label)!;
    const model = row('evaluate:model');
    expect(model.points).toBe(30);
    // A random-weight model is far worse than the truth, beyond doubt.
    expect(model.vs_oracle).toMatchObject({ comparable: true, against: `${runId}/evaluate:oracle`, points: 30 });
    if (!model.vs_oracle?.comparable) throw new Error('unreachable');
    expect(model.vs_oracle.excess_ci.lo).toBeGreaterThan(0);
    // Relative: a random model's perplexity is astronomically large.
    expect(model.vs_oracle.ratio / (model.perplexity.value! / row('evaluate:oracle').perplexity.value!)).toBeCloseTo(1, 9);
    expect(model.vs_reference).toMatchObject({ comparable: true, excess: 0, ratio: 1 });
    // The same model on a subset of the points: paired exactly, no difference.
    expect(row('quick:model').vs_reference).toMatchObject({ comparable: true, points: 12, excess: 0, excess_ci: { lo: 0, hi: 0 } });
    expect(row('quick:model').vs_oracle).toBeNull();
    expect(row('evaluate:markov').vs_reference).toMatchObject({ comparable: true, points: 30 });
    const text = readFileSync(md, 'utf8');
    expect(text).toMatch(/^\| model \| points \| perplexity \|/m);
    expect(text).toMatch(/^\| evaluate:oracle \| 0\.0000 \[0\.0000, 0\.0000\] \| 1\.0000/m);
  }, 60_000);

  it('an unknown run or reference exits 2 with a clear message and writes nothing', async () => {
    const md = join(dir, 'never.md');
    const unknown = await cli(['compare', runId, `no-such-run-${tag}`, '--markdown', md], h.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(new RegExp(`^error: no run 'no-such-run-${tag}' in this store`, 'm'));
    const reference = await cli(['compare', runId, '--reference', 'logit', '--markdown', md], h.env);
    expect(reference.code).toBe(2);
    expect(reference.stderr).toMatch(/^error: --reference 'logit' names no model of the runs compared/m);
    expect(reference.stdout).toBe('');
    expect(existsSync(md)).toBe(false);
  }, 60_000);

  it('a finished run without an evaluate step exits 2, naming its steps', async () => {
    const file = join(dir, 'data-only.yaml');
    writeFileSync(file, `schemaVersion: 1\nname: cli-compare-data-${tag}\nsteps:\n  - {name: survey, kind: data, source: synthetic, population: survey, persons: 20}\n`);
    const loaded = loadConfig(file);
    await (await h.start(loaded)).result();
    const r = await cli(['compare', runIdFor(loaded)], h.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: run ${runIdFor(loaded)} has no evaluate step: nothing to compare (its steps: survey (data))\n`);
  }, 60_000);
});

describe('labor-llm report', () => {
  it('writes one self-contained page of the run (evaluations, analysis, provenance) and prints its summary', async () => {
    const out = join(dir, 'reports', 'run.html');
    const r = await cli(['report', runId, '--out', out], h.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`report: ${out}`);
    expect(r.stdout).toContain('quick');
    const html = readFileSync(out, 'utf8');
    expect(html).toContain(`${runId}@`);
    for (const section of ['id="results"', 'id="paired"', 'id="representativeness"', 'id="provenance"']) expect(html).toContain(section);
    // The paired table: every model against the oracle and the reference (the first evaluated model).
    expect(html).toContain('vs evaluate:model: excess');
    // Nothing to fetch: no scripts, stylesheets or images from elsewhere.
    expect(html).not.toMatch(/<script|<link|src="https?:|url\(["']?https?:/);
    // The run's own report step wrote the same kind of page into the store.
    const step = result.steps.find((s) => s.name === 'html')!;
    expect(step.summary).toMatchObject({ report: 'report.html', evaluations: 2, analysis: true });
    const own = readFileSync(join(step.artifact!.path, 'report.html'), 'utf8');
    expect(own).toContain(result.workflowId);
    expect(own).toContain('id="representativeness"');
  }, 60_000);

  it('an unknown run, or a run named twice, exits 2 and writes nothing', async () => {
    const out = join(dir, 'reports', 'never.html');
    const unknown = await cli(['report', runId, `no-such-run-${tag}`, '--out', out], h.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(new RegExp(`^error: no run 'no-such-run-${tag}' in this store`, 'm'));
    const twice = await cli(['report', runId, runId, '--out', out], h.env);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe(`error: run ${runId} is named twice: name each run once\n`);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
