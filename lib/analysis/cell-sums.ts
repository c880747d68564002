/**
 * Per-cell sums: the only pass over a model's distributions. Every statistic of a subgroup (and
 * of each bootstrap replicate) is a weighted sum of these over the subgroup's cells.
 */
import { InvalidData, ProblemList } from '../errors';
import type { Taxonomy } from '../panel/taxonomy';
import type { AlignedPoints } from './align';
import type { CellTable } from './subgroups';
import type { AnalysisModel } from './types';

/** Model-independent sums per cell: sizes and the truth. */
export interface TruthSums {
  /** Points per cell. */
  n: Float64Array;
  /** Points with a previous state, and how many of them changed state. */
  changeN: Float64Array;
  changeActual: Float64Array;
  /** Points whose true state is not an occupation. */
  nonempActual: Float64Array;
}

/** A model's sums per cell. */
export interface ModelSums {
  /** Sum of the predicted distributions, row-major [cells, K] (float32: about 1e-7 relative). */
  probs: Float32Array;
  changePred: Float64Array;
  nonempPred: Float64Array;
  /** Per cell and confidence bin [cells, bins]: points, sum of top-1 confidence, top-1 hits. */
  binN: Float64Array;
  binConf: Float64Array;
  binHit: Float64Array;
  /** binHit - binConf: what the ECE sums per bin. */
  binDiff: Float64Array;
}

export function truthSums(table: CellTable, points: AlignedPoints, taxonomy: Taxonomy): TruthSums {
  const occupation = Uint8Array.from(taxonomy.rows, (r) => (r.kind === 'occupation' ? 1 : 0));
  const s: TruthSums = {
    n: new Float64Array(table.count), changeN: new Float64Array(table.count),
    changeActual: new Float64Array(table.count), nonempActual: new Float64Array(table.count),
  };
  for (let c = 0; c < table.count; c++) {
    for (let j = table.start[c]; j < table.start[c + 1]; j++) {
      const i = table.points[j];
      const t = points.trueIdx[i];
      const prev = points.prevIdx[i];
      s.n[c]++;
      if (prev >= 0) {
        s.changeN[c]++;
        if (t !== prev) s.changeActual[c]++;
      }
      if (!occupation[t]) s.nonempActual[c]++;
    }
  }
  return s;
}

/**
 * One pass over the model's distributions in cell order. `rows` maps point i to its row in the
 * model's predictions. Top-1 follows lib/metrics: the first state with the highest probability.
 */
export function modelSums(table: CellTable, points: AlignedPoints, model: AnalysisModel, rows: Int32Array, bins: number): ModelSums {
  const preds = model.predictions;
  const K = preds.n_states;
  const problems = new ProblemList();
  const C = table.count;
  const probs = preds.probs;
  const s: ModelSums = {
    probs: new Float32Array(C * K), changePred: new Float64Array(C), nonempPred: new Float64Array(C),
    binN: new Float64Array(C * bins), binConf: new Float64Array(C * bins), binHit: new Float64Array(C * bins), binDiff: new Float64Array(C * bins),
  };
  const acc = new Float64Array(K);
  for (let c = 0; c < C; c++) {
    acc.fill(0);
    for (let j = table.start[c]; j < table.start[c + 1]; j++) {
      const i = table.points[j];
      const r = rows[i];
      const o = r * K;
      let max = -1;
      let arg = 0;
      for (let k = 0; k < K; k++) {
        const v = probs[o + k];
        acc[k] += v;
        if (v > max) {
          max = v;
          arg = k;
        }
      }
      const b = c * bins + Math.min(bins - 1, Math.max(0, Math.floor(max * bins)));
      s.binN[b]++;
      s.binConf[b] += max;
      if (arg === points.trueIdx[i]) s.binHit[b]++;
      const change = preds.p_change[r];
      const nonemp = preds.p_nonemployment[r];
      if (points.prevIdx[i] >= 0) {
        if (!(change >= 0 && change <= 1)) problems.add('p_change outside [0, 1] or NaN at a point with a previous state', `row ${r + 1}: ${change}`);
        s.changePred[c] += change;
      }
      if (!(nonemp >= 0 && nonemp <= 1)) problems.add('p_nonemployment outside [0, 1] or NaN', `row ${r + 1}: ${nonemp}`);
      s.nonempPred[c] += nonemp;
    }
    const o = c * K;
    for (let k = 0; k < K; k++) s.probs[o + k] = acc[k]; // a loop: .set() across array types is slow
  }
  problems.throwIfAny((m, d) => new InvalidData(m, d), `analysis: model '${model.name}' has invalid predictions`);
  for (let b = 0; b < s.binDiff.length; b++) s.binDiff[b] = s.binHit[b] - s.binConf[b];
  return s;
}
