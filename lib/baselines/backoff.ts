/**
 * Transition counts over a chain of nested contexts, each smoothed into the one above it
 * (a hierarchical Dirichlet back-off). The base is the add-one marginal m; level l, whose
 * context c refines its parent's context, has
 *   P_l(k | c) = (n_l(c, k) + a_l * P_{l-1}(k | parent(c))) / (n_l(c) + a_l),
 * so a context never seen in training gets exactly its parent's distribution and a sparse one
 * leans on it in proportion to a_l / n_l(c). Counts are sparse (one map per seen context), so
 * pairs of several hundred states cost memory only for the pairs that occur.
 */
import type { CodedPoints } from './coded-points';
import { smoothedMarginal } from './codes';

export interface ContextLevel {
  /** What the level conditions on ('prev', 'prev2', 'gap'). */
  name: string;
  /** The option setting this level's pseudo-count a_l. */
  option: string;
  /** The context id of point i, -1 where the point has none (it keeps its parent's distribution). */
  context(points: CodedPoints, i: number): number;
}

interface LevelCounts {
  total: Map<number, number>;
  counts: Map<number, Map<number, number>>;
}

export class BackoffCounts {
  readonly marginal: Float64Array;
  private readonly tables: LevelCounts[];

  constructor(readonly K: number, readonly levels: readonly ContextLevel[], train: CodedPoints, trueIdx: Int32Array) {
    this.marginal = smoothedMarginal(trueIdx, K);
    this.tables = levels.map((level) => {
      const t: LevelCounts = { total: new Map(), counts: new Map() };
      for (let i = 0; i < train.n; i++) {
        const c = level.context(train, i);
        if (c < 0) continue;
        t.total.set(c, (t.total.get(c) ?? 0) + 1);
        let row = t.counts.get(c);
        if (!row) t.counts.set(c, (row = new Map()));
        row.set(trueIdx[i], (row.get(trueIdx[i]) ?? 0) + 1);
      }
      return t;
    });
  }

  /**
   * Per point and level, the training count of the point's truth in its context and the
   * context's total ([n, levels, 2]); with them the log-likelihood at any smoothing is arithmetic.
   */
  truthCounts(points: CodedPoints, trueIdx: Int32Array): Float64Array {
    const L = this.levels.length;
    const out = new Float64Array(points.n * L * 2);
    for (let i = 0; i < points.n; i++) {
      this.levels.forEach((level, l) => {
        const c = level.context(points, i);
        if (c < 0) return;
        out[(i * L + l) * 2] = this.tables[l].counts.get(c)?.get(trueIdx[i]) ?? 0;
        out[(i * L + l) * 2 + 1] = this.tables[l].total.get(c) ?? 0;
      });
    }
    return out;
  }

  /** Mean negative log-likelihood of the truths whose counts `truthCounts` gave, at pseudo-counts `alphas`. */
  meanLogLoss(counts: Float64Array, trueIdx: Int32Array, alphas: readonly number[]): number {
    const L = this.levels.length;
    let sum = 0;
    for (let i = 0; i < trueIdx.length; i++) {
      let p = this.marginal[trueIdx[i]];
      for (let l = 0; l < L; l++) {
        const j = (i * L + l) * 2;
        p = (counts[j] + alphas[l] * p) / (counts[j + 1] + alphas[l]);
      }
      sum -= Math.log(p);
    }
    return sum / trueIdx.length;
  }

  /** Row-major [n, K] distributions at pseudo-counts `alphas`. */
  predict(points: CodedPoints, alphas: readonly number[]): Float64Array {
    const K = this.K;
    const out = new Float64Array(points.n * K);
    for (let i = 0; i < points.n; i++) {
      const row = out.subarray(i * K, (i + 1) * K);
      row.set(this.marginal);
      this.levels.forEach((level, l) => {
        const c = level.context(points, i);
        const total = c < 0 ? 0 : this.tables[l].total.get(c) ?? 0;
        if (total === 0) return;
        const a = alphas[l];
        const shrink = a / (total + a);
        for (let k = 0; k < K; k++) row[k] *= shrink;
        for (const [k, n] of this.tables[l].counts.get(c)!) row[k] += n / (total + a);
      });
    }
    return out;
  }
}
