/** Evaluate step folders on disk for the comparison tests: a panel's taxonomy, metrics.json, one predictions folder per model. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../lib/artifacts/atomic';
import { writeArrowFile } from '../../lib/artifacts/arrow-io';
import { FILES, tableFromRows } from '../../lib/artifacts/contracts';
import { computeMetrics, mulberry32, type EvalMetrics } from '../../lib/metrics';
import type { Taxonomy } from '../../lib/panel/taxonomy';
import { predictionsFromProbs, writePredictions, type Predictions } from '../../lib/predict';
import type { PointLosses } from '../../lib/compare';
import { points } from '../predict/tiny';

/** `persons` persons with `years` points each (years 2001...), truths drawn from the taxonomy. */
export function panelPoints(taxonomy: Taxonomy, persons: number, years: number, seed = 1) {
  const rng = mulberry32(seed);
  const rows: [string, number, string, string | null][] = [];
  for (let p = 0; p < persons; p++) {
    let prev: string | null = null;
    for (let y = 0; y < years; y++) {
      const code = taxonomy.rows[Math.floor(rng() * taxonomy.size)].code;
      rows.push([`p${String(p).padStart(3, '0')}`, 2001 + y, code, prev]);
      prev = code;
    }
  }
  return points(rows);
}

/** A model: random distributions (seeded) with extra weight `sharpness` on the truth. */
export function modelPredictions(taxonomy: Taxonomy, pts: ReturnType<typeof points>, seed: number, sharpness = 1): Predictions {
  const rng = mulberry32(seed);
  const K = taxonomy.size;
  const n = pts.person_id.length;
  const probs = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += probs[i * K + k] = 0.1 + rng() + (taxonomy.rows[k].code === pts.true_code[i] ? sharpness : 0);
    for (let k = 0; k < K; k++) probs[i * K + k] /= s;
  }
  return predictionsFromProbs({ taxonomy, points: pts, probs });
}

export function writePanelTaxonomy(dir: string, taxonomy: Taxonomy): string {
  mkdirSync(dir, { recursive: true });
  writeArrowFile(join(dir, FILES.taxonomy), tableFromRows('taxonomy', [...taxonomy.rows]));
  return dir;
}

/** An evaluate step folder: metrics.json (with intervals) and `<name>/predictions.arrow` per model. */
export function writeEvaluation(dir: string, taxonomy: Taxonomy, models: Record<string, Predictions>): Record<string, EvalMetrics> {
  const metrics: Record<string, EvalMetrics> = {};
  for (const [name, p] of Object.entries(models)) {
    metrics[name] = computeMetrics(p, taxonomy, { bootstrap: 20, seed: 1 });
    writePredictions(join(dir, name), p);
  }
  writeJsonAtomic(join(dir, FILES.metrics), { points: Object.values(models)[0].person_id.length, truncated: 0, scorer: {}, models: metrics });
  return metrics;
}

/** Point losses straight from arrays (persons as given, years 2000 + index within the person). */
export function losses(person: string[], logp: number[], truth?: string[]): PointLosses {
  const year: number[] = [];
  person.forEach((p, i) => year.push(2000 + person.slice(0, i).filter((q) => q === p).length));
  return { person_id: person, year: Int32Array.from(year), true_code: truth ?? person.map(() => 'a'), logp_true: Float64Array.from(logp) };
}
