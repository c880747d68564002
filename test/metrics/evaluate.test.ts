import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  auc, computeMetrics, formatMetricsTable, mulberry32, percentileInterval, personBootstrap, readMetrics, writeMetrics,
} from '../../lib/metrics';
import { buildPredictions, predictionsFromProbs } from '../../lib/predict';
import { makeTaxonomy } from '../../lib/panel/taxonomy';
import { points, tinyTaxonomy } from '../predict/tiny';

const taxonomy = tinyTaxonomy(); // a, b, unemployed, not_in_labor_force, in_education
const codes = taxonomy.rows.map((r) => r.code);
const dir = mkdtempSync(join(tmpdir(), 'labor-llm-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Three points, two persons, computed by hand below. */
function handCase() {
  return predictionsFromProbs({
    taxonomy,
    points: points([
      ['A', 2001, 'a', null],
      ['A', 2002, 'b', 'a'],
      ['B', 2001, 'unemployed', 'b'],
    ]),
    probs: Float64Array.from([
      0.5, 0.25, 0.125, 0.0625, 0.0625, // truth a: top-1, confidence 0.5
      0.7, 0.1, 0.1, 0.05, 0.05, //        truth b: rank 2 (tie with unemployed, lower index first), conf 0.7
      0.2, 0.2, 0.2, 0.2, 0.2, //          truth unemployed: rank 3 of a 5-way tie, conf 0.2
    ]),
  });
}

describe('computeMetrics', () => {
  it('matches hand-computed values', () => {
    const m = computeMetrics(handCase(), taxonomy, { bootstrap: 0 });
    expect(m.n_points).toBe(3);
    expect(m.n_persons).toBe(2);
    expect(m.perplexity).toBeCloseTo(Math.pow(0.5 * 0.1 * 0.2, -1 / 3), 5);
    expect(m.raw_perplexity).toBeCloseTo(m.perplexity, 12);
    expect(m.valid_mass).toBe(1);
    expect(m.top1).toBeCloseTo(1 / 3, 12);
    expect(m.top5).toBe(1);
    // Bins: 0.5 correct, 0.7 wrong, 0.2 wrong -> (|1-0.5| + |0-0.7| + |0-0.2|) / 3.
    expect(m.ece).toBeCloseTo(1.4 / 3, 6);
    // sum_k p_k^2 - 2 p_true + 1 per point.
    const brier = [0.3359375 - 1 + 1, 0.515 - 0.2 + 1, 0.2 - 0.4 + 1];
    expect(m.brier).toBeCloseTo((brier[0] + brier[1] + brier[2]) / 3, 6);
    // Change task: points 2 and 3, both change; p_change 0.3 and 0.8.
    expect(m.change.n).toBe(2);
    expect(m.change.rate).toBe(1);
    expect(m.change.auc).toBeNull();
    expect(m.change.log_loss).toBeCloseTo(-(Math.log(0.3) + Math.log(0.8)) / 2, 6);
    // Labor force: labels 1, 1, 0; scores 1 - P(non-employment) = 0.75, 0.8, 0.4.
    expect(m.labor_force.n).toBe(3);
    expect(m.labor_force.rate).toBeCloseTo(2 / 3, 12);
    expect(m.labor_force.auc).toBe(1);
    expect(m.labor_force.log_loss).toBeCloseTo(-(Math.log(0.75) + Math.log(0.8) + Math.log(0.6)) / 3, 6);
    expect(m.ci).toBeNull();
  });

  it('gives perplexity K for the uniform distribution (large taxonomy)', () => {
    const big = makeTaxonomy(Array.from({ length: 535 }, (_, i) => ({ code: `c${i}`, title: `Title ${i}`, kind: 'occupation' as const })));
    const K = big.size;
    const n = 50;
    const logp = new Float64Array(n * K).fill(-Math.log(K));
    const bigCodes = big.rows.map((r) => r.code);
    const pts = points(Array.from({ length: n }, (_, i) => [`p${i}`, 2000, bigCodes[(i * 37) % K], bigCodes[i % K]] as [string, number, string, string]));
    const m = computeMetrics(buildPredictions({ taxonomy: big, points: pts, logp }), big, { bootstrap: 20 });
    expect(K).toBe(538);
    expect(m.perplexity).toBeCloseTo(K, 6);
    expect(m.raw_perplexity).toBeCloseTo(K, 6);
    expect(m.valid_mass).toBeCloseTo(1, 9);
    expect(m.ci!.perplexity.lo).toBeCloseTo(K, 6);
    expect(m.ci!.perplexity.hi).toBeCloseTo(K, 6);
  });

  it('charges lost mass to the raw perplexity only', () => {
    // Every title gets half its constrained probability: raw ppl = 2 x constrained ppl.
    const raw = Float64Array.from([0.2, 0.1, 0.1, 0.05, 0.05, 0.1, 0.25, 0.05, 0.05, 0.05], Math.log);
    const m = computeMetrics(buildPredictions({ taxonomy, points: points([['A', 1, 'a', null], ['B', 1, 'b', 'b']]), logp: raw }), taxonomy, { bootstrap: 0 });
    expect(m.valid_mass).toBeCloseTo(0.5, 12);
    expect(m.perplexity).toBeCloseTo(1 / Math.sqrt(0.4 * 0.5), 12);
    expect(m.raw_perplexity).toBeCloseTo(2 * m.perplexity, 12);
    expect(m.raw_perplexity).toBeGreaterThan(m.perplexity);
  });

  it('bootstraps by person: intervals contain the estimate and are deterministic for a seed', () => {
    const preds = randomCase(60, 4, 11);
    const a = computeMetrics(preds, taxonomy, { bootstrap: 100, seed: 7 });
    const b = computeMetrics(preds, taxonomy, { bootstrap: 100, seed: 7 });
    const c = computeMetrics(preds, taxonomy, { bootstrap: 100, seed: 8 });
    expect(b).toEqual(a);
    expect(c.ci).not.toEqual(a.ci);
    const ci = a.ci!;
    expect(ci).toMatchObject({ replicates: 100, seed: 7, level: 0.95 });
    const within = (v: number | null, iv: { lo: number | null; hi: number | null }) => {
      expect(iv.lo).not.toBeNull();
      expect(iv.lo!).toBeLessThanOrEqual(v!);
      expect(iv.hi!).toBeGreaterThanOrEqual(v!);
    };
    within(a.perplexity, ci.perplexity);
    expect(ci.perplexity.hi! - ci.perplexity.lo!).toBeGreaterThan(0.05);
    expect(ci.top5).toEqual({ lo: 1, hi: 1 }); // K = 5: the truth is always in the top 5
    within(a.raw_perplexity, ci.raw_perplexity);
    within(a.top1, ci.top1);
    within(a.top5, ci.top5);
    within(a.change.auc, ci.change_auc);
    within(a.labor_force.auc, ci.labor_force_auc);
  });

  it('bootstrap AUC intervals agree with a direct weighted recomputation', () => {
    const preds = randomCase(30, 3, 5);
    const m = computeMetrics(preds, taxonomy, { bootstrap: 50, seed: 3 });
    const persons = [...new Set(preds.person_id)];
    const personOf = preds.person_id.map((p) => persons.indexOf(p));
    const rows = preds.prev_code.flatMap((c, i) => (c === null ? [] : [i]));
    const reps: number[] = [];
    personBootstrap(persons.length, 50, 3, (counts) => {
      reps.push(auc(rows.map((i) => preds.p_change[i]), rows.map((i) => (preds.true_code[i] !== preds.prev_code[i] ? 1 : 0)), rows.map((i) => counts[personOf[i]])) ?? NaN);
    });
    const iv = percentileInterval(reps, 0.95);
    expect(m.ci!.change_auc.lo).toBeCloseTo(iv.lo!, 12);
    expect(m.ci!.change_auc.hi).toBeCloseTo(iv.hi!, 12);
  });

  it('rejects mismatched taxonomies, empty predictions and bad options', () => {
    const preds = handCase();
    const other = makeTaxonomy([{ code: 'a', title: 'Alpha worker', kind: 'occupation' }]);
    expect(() => computeMetrics(preds, other)).toThrow(/5 states.*the taxonomy has 4/);
    expect(() => computeMetrics({ ...preds, person_id: [], probs: new Float32Array(0) }, taxonomy)).toThrow(/no prediction points/);
    expect(() => computeMetrics(preds, taxonomy, { bootstrap: -1, level: 2 })).toThrow(/bootstrap: expected[\s\S]*level: expected/);
  });
});

describe('metrics output', () => {
  it('round trips through metrics.json', () => {
    const m = computeMetrics(randomCase(20, 3, 2), taxonomy, { bootstrap: 10 });
    writeMetrics(dir, m);
    expect(readMetrics(dir)).toEqual(JSON.parse(JSON.stringify(m)));
  });

  it('prints an aligned table, models as rows', () => {
    const rows = [
      { name: 'oracle', metrics: computeMetrics(randomCase(40, 4, 3), taxonomy, { bootstrap: 20 }) },
      { name: 'a much longer name', metrics: computeMetrics(handCase(), taxonomy, { bootstrap: 0 }) },
    ];
    const text = formatMetricsTable(rows);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^model\s+perplexity\s+raw ppl\s+top-1\s+top-5\s+ECE\s+change AUC\s+LF AUC$/);
    expect(lines[2]).toMatch(/^a much longer name\s+/);
    expect(lines[2]).toContain('n/a'); // change AUC undefined in the hand case
    // Right-aligned numeric columns end at the same place.
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(formatMetricsTable(rows, { ci: true })).toMatch(/\d\.\d{3} \[\d+\.\d{3}, \d+\.\d{3}\]/);
  });

  it('writes huge perplexities (an untrained model) in exponent form', () => {
    const m = computeMetrics(handCase(), taxonomy, { bootstrap: 0 });
    const text = formatMetricsTable([{ name: 'untrained', metrics: { ...m, perplexity: 5.63e19, raw_perplexity: 3.9e24 } }]);
    expect(text).toMatch(/untrained\s+5\.63e\+19\s+3\.90e\+24\s/);
  });
});

/** `persons` persons with `years` points each, random distributions and truths. */
function randomCase(persons: number, years: number, seed: number) {
  const rng = mulberry32(seed);
  const rows: [string, number, string, string | null][] = [];
  const probs: number[] = [];
  for (let p = 0; p < persons; p++) {
    let prev: string | null = codes[Math.floor(rng() * 5)];
    for (let y = 0; y < years; y++) {
      const w = Array.from({ length: 5 }, () => rng() + 0.05);
      const s = w.reduce((a, b) => a + b, 0);
      probs.push(...w.map((x) => x / s));
      const truth: string = rng() < 0.6 ? prev! : codes[Math.floor(rng() * 5)];
      rows.push([`p${p}`, 2000 + y, truth, y === 0 ? null : prev]);
      prev = truth;
    }
  }
  return predictionsFromProbs({ taxonomy, points: points(rows), probs: Float64Array.from(probs) });
}
