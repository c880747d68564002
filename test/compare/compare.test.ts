/**
 * The comparison table from evaluate step folders and run manifests on disk: metrics and
 * intervals from metrics.json, paired columns from the predictions, and the errors of bad input.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compareEvaluations, compareRuns, evaluationsOfRun, formatCompareMarkdown, formatCompareText, type EvaluationSource, type ManifestForCompare,
} from '../../lib/compare';
import { InvalidConfig, InvalidData } from '../../lib/errors';
import { makeTaxonomy } from '../../lib/panel/taxonomy';
import type { Predictions } from '../../lib/predict';
import { tinyTaxonomy } from '../predict/tiny';
import { modelPredictions, panelPoints, writeEvaluation, writePanelTaxonomy } from './fixtures';

const root = mkdtempSync(join(tmpdir(), 'labor-llm-compare-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const taxonomy = tinyTaxonomy();
const panel = writePanelTaxonomy(join(root, 'panel'), taxonomy);
const all = panelPoints(taxonomy, 30, 4);
/** The first 40 points (10 persons): what an evaluation with maxPoints 40 scores. */
const first40 = { person_id: all.person_id.slice(0, 40), year: Int32Array.from(all.year).slice(0, 40), true_code: all.true_code.slice(0, 40), prev_code: all.prev_code.slice(0, 40) };

let n = 0;
function evaluation(run: string, step: string, models: Record<string, Predictions>, panelDir = panel): EvaluationSource {
  const dir = join(root, `eval-${n++}`);
  writeEvaluation(dir, taxonomy, models);
  return { run, step, scored: 'tuned', dir, panelDir };
}

const full = evaluation('run-a', 'evaluate', {
  model: modelPredictions(taxonomy, all, 1, 2),
  markov: modelPredictions(taxonomy, all, 2, 0.5),
  oracle: modelPredictions(taxonomy, all, 3, 4),
});

describe('compareEvaluations', () => {
  it('one row per model with metrics.json figures; paired columns against the oracle and the default reference', () => {
    const t = compareEvaluations([full], { bootstrap: 50 });
    expect(t.reference).toBe('run-a/evaluate:model');
    expect(t.rows.map((r) => r.label)).toEqual(['evaluate:model', 'evaluate:markov', 'evaluate:oracle']);
    const [model, markov, oracle] = t.rows;
    expect(model.scored).toBe('tuned');
    expect(markov.scored).toBeUndefined();
    expect(model.points).toBe(120);
    expect(model.persons).toBe(30);
    expect(model.perplexity.lo).toBeLessThan(model.perplexity.value!);
    expect(model.perplexity.hi).toBeGreaterThan(model.perplexity.value!);
    expect(model.ece).toMatchObject({ lo: null, hi: null });

    // On the same points, exp(excess) is the ratio of the perplexities in metrics.json.
    const vsRef = markov.vs_reference!;
    expect(vsRef.comparable).toBe(true);
    if (!vsRef.comparable) return;
    expect(vsRef.ratio).toBeCloseTo(markov.perplexity.value! / model.perplexity.value!, 10);
    expect(vsRef.excess).toBeGreaterThan(0); // the blunter model is worse
    expect(vsRef.excess_ci.lo).toBeLessThan(vsRef.excess);
    expect(model.vs_reference).toMatchObject({ comparable: true, excess: 0, ratio: 1, excess_ci: { lo: 0, hi: 0 } });
    expect(oracle.vs_oracle).toMatchObject({ comparable: true, excess: 0 });
    expect(model.vs_oracle).toMatchObject({ comparable: true, against: 'run-a/evaluate:oracle' });
    if (model.vs_oracle?.comparable) expect(model.vs_oracle.ratio).toBeCloseTo(model.perplexity.value! / oracle.perplexity.value!, 10);
  });

  it('across runs: a model on a subset of the reference\'s points is paired on those; one whose points it lacks is marked not comparable', () => {
    const subset = evaluation('run-b', 'evaluate', { model: modelPredictions(taxonomy, first40, 4, 1) });
    const t = compareEvaluations([subset, full], { bootstrap: 20, reference: 'run-a/evaluate:model' });
    expect(t.runs.map((r) => r.id)).toEqual(['run-b', 'run-a']);
    const b = t.rows.find((r) => r.run === 'run-b')!;
    expect(b.vs_oracle).toBeNull(); // its evaluation has no oracle
    expect(b.vs_reference).toMatchObject({ comparable: true, points: 40, persons: 10 });
    // The reference has 80 points more than run-b's model: run-b's model as reference pairs with nothing of run-a.
    const reverse = compareEvaluations([subset, full], { bootstrap: 0 });
    expect(reverse.reference).toBe('run-b/evaluate:model');
    const a = reverse.rows.find((r) => r.run === 'run-a' && r.model === 'model')!;
    expect(a.vs_reference).toEqual({
      comparable: false,
      against: 'run-b/evaluate:model',
      reason: expect.stringContaining('run-a/evaluate:model cannot be paired with run-b/evaluate:model: 80 of its 120 points are not points of run-b/evaluate:model'),
    });
    const text = formatCompareText(reverse);
    expect(text).toMatch(/^run run-a$/m); // several runs: a line names each run's rows
    expect(text).toMatch(/not comparable \(1\)/);
    expect(text).toMatch(/^\(1\) run-a\/evaluate:model cannot be paired/m);
  });

  it('--reference: none, by step:model, and clear errors for an unknown or ambiguous name', () => {
    expect(compareEvaluations([full], { reference: null, bootstrap: 0 }).rows[0].vs_reference).toBeNull();
    const t = compareEvaluations([full], { reference: 'evaluate:oracle', bootstrap: 0 });
    expect(t.reference).toBe('run-a/evaluate:oracle');
    expect(t.rows[0].vs_reference).toMatchObject({ comparable: true });
    expect(() => compareEvaluations([full], { reference: 'logit' })).toThrow(InvalidConfig);
    expect(() => compareEvaluations([full], { reference: 'logit' })).toThrow(/--reference 'logit' names no model.*run-a\/evaluate:markov/s);
    const other = evaluation('run-c', 'evaluate', { model: modelPredictions(taxonomy, all, 5) });
    expect(() => compareEvaluations([full, other], { reference: 'evaluate:model' })).toThrow(/names 2 models: write one of run-a\/evaluate:model, run-c\/evaluate:model/);
  });

  it('evaluations over different taxonomies are refused, naming both and the first difference', () => {
    const otherTaxonomy = makeTaxonomy([{ code: 'a', title: 'Alpha worker', kind: 'occupation' }, { code: 'c', title: 'Gamma worker', kind: 'occupation' }]);
    const otherPanel = writePanelTaxonomy(join(root, 'panel-2'), otherTaxonomy);
    const other = { ...full, run: 'run-d', panelDir: otherPanel };
    expect(() => compareEvaluations([full, other])).toThrow(InvalidData);
    expect(() => compareEvaluations([full, other])).toThrow(/do not share a taxonomy: run-a\/evaluate has 5 states, run-d\/evaluate has 5.*state 2: 'b' \(Beta worker, occupation\) vs 'c' \(Gamma worker, occupation\)/s);
  });

  it('missing predictions or metrics name the run, step and model', () => {
    const dir = join(root, 'broken');
    writeEvaluation(dir, taxonomy, { model: modelPredictions(taxonomy, all, 1) });
    rmSync(join(dir, 'model', 'predictions.arrow'));
    expect(() => compareEvaluations([{ run: 'run-e', step: 'evaluate', dir, panelDir: panel }])).toThrow(/run-e\/evaluate:model: predictions unreadable: predictions file not found: .*broken\/model\/predictions.arrow/);
    writeFileSync(join(dir, 'metrics.json'), '{"points": 3}');
    expect(() => compareEvaluations([{ run: 'run-e', step: 'evaluate', dir, panelDir: panel }])).toThrow(/run-e\/evaluate: .*metrics.json names no models/);
  });

  it('Markdown: a metrics table and a paired table', () => {
    const md = formatCompareMarkdown(compareEvaluations([full], { bootstrap: 20 }));
    expect(md).toMatch(/^\| model \| points \| perplexity \|/m);
    expect(md).toMatch(/^\| evaluate:model \(tuned\) \| 120 \| \d+\.\d{3} \[\d+\.\d{3}, \d+\.\d{3}\] \|/m);
    expect(md).toMatch(/^\| model \| vs oracle: excess \| vs oracle: ratio \| vs reference: excess \| vs reference: ratio \|$/m);
    expect(md).toMatch(/^\| evaluate:oracle \| 0\.0000 \[0\.0000, 0\.0000\] \| 1\.0000 \[1\.0000, 1\.0000\] \|/m);
  });
});

describe('compareRuns (from run manifests)', () => {
  const manifest = (over: Partial<ManifestForCompare> = {}): ManifestForCompare => ({
    workflowId: 'w', runId: 'r', experiment: 'x', status: 'succeeded',
    steps: [{ name: 'survey', kind: 'data', output: { path: panel } }, { name: 'text', kind: 'encode', output: { path: '/nowhere' } }, { name: 'evaluate', kind: 'evaluate', output: { path: full.dir } }],
    config: { steps: [{ name: 'survey', kind: 'data' }, { name: 'text', kind: 'encode', input: 'survey' }, { name: 'evaluate', kind: 'evaluate', data: 'text', model: { path: '/models/m' } }] },
    ...over,
  });

  it('finds each evaluate step, what it scored and the panel behind it', () => {
    expect(evaluationsOfRun('run-a', manifest())).toEqual([{ run: 'run-a', step: 'evaluate', scored: '/models/m', dir: full.dir, panelDir: panel }]);
    const file = join(root, 'manifest.json');
    writeFileSync(file, JSON.stringify(manifest()));
    const t = compareRuns([{ id: 'run-a', manifestPath: file }], { bootstrap: 0 });
    expect(t.runs).toEqual([{ id: 'run-a', workflowId: 'w', runId: 'r', experiment: 'x', manifestPath: file }]);
    expect(t.rows[0].scored).toBe('/models/m');
    expect(() => compareRuns([{ id: 'run-a', manifestPath: file }, { id: 'run-a', manifestPath: file }])).toThrow(/run run-a is named twice/);
    expect(() => compareRuns([{ id: 'run-z', manifestPath: join(root, 'none.json') }])).toThrow(/run manifest not found: .*none.json/);
  });

  it('a run that did not succeed, or has no evaluate step, is refused by name', () => {
    expect(() => evaluationsOfRun('run-f', manifest({ status: 'failed' }), '/m.json')).toThrow("run run-f has not succeeded (/m.json says 'failed')");
    const noEval = manifest();
    noEval.config.steps = noEval.config.steps.slice(0, 2);
    expect(() => evaluationsOfRun('run-g', noEval)).toThrow('run run-g has no evaluate step: nothing to compare (its steps: survey (data), text (encode))');
  });
});
