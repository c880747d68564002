/**
 * The statistics of one subgroup for every model, from the per-cell sums, with each cell (one
 * per person) counted `counts[j]` times: all ones for the estimate, a person-bootstrap draw for
 * a replicate. One replicate costs O(cells x K) per model and never touches the points' distributions.
 */
import type { TruthSums, ModelSums } from './cell-sums';
import { jensenShannon, klSmoothed, totalVariation } from './distances';
import type { GroupIndex } from './groups';
import type { CellTable } from './subgroups';
import type { RateStat, ReliabilityBin } from './types';

/** Replicate statistics, in this order per model. */
export const STATS = ['tv', 'js', 'kl', 'group_tv', 'group_js', 'group_kl', 'change_gap', 'nonemployment_gap', 'ece'] as const;
export type StatName = (typeof STATS)[number];
export const NSTATS = STATS.length;
export const stat = (name: StatName): number => STATS.indexOf(name);

export interface SubgroupData {
  K: number;
  bins: number;
  klEpsilon: number;
  groups: GroupIndex | null;
  table: CellTable;
  trueIdx: Int32Array;
  truth: TruthSums;
  models: readonly ModelSums[];
  personWeight: Float64Array;
}

export class SubgroupStats {
  private readonly cellWeight: Float64Array;
  private readonly f: Float64Array;
  private readonly e: Float64Array;
  private readonly q: Float64Array;
  private readonly eg: Float64Array;
  private readonly qg: Float64Array;
  private readonly binDiff: Float64Array;

  constructor(private readonly d: SubgroupData, private readonly cells: Int32Array) {
    this.cellWeight = Float64Array.from(cells, (c) => d.personWeight[d.table.person[c]]);
    this.f = new Float64Array(cells.length);
    this.e = new Float64Array(d.K);
    this.q = new Float64Array(d.K);
    const G = d.groups?.names.length ?? 0;
    this.eg = new Float64Array(G);
    this.qg = new Float64Array(G);
    this.binDiff = new Float64Array(d.bins);
  }

  /** Writes NSTATS values per model into `out` (model-major); counts null means each cell once. */
  run(counts: Float64Array | null, out: Float64Array): void {
    const { d, cells, f, e, q } = this;
    const { K, table, truth } = d;
    let wsum = 0;
    let changeW = 0;
    let changeActual = 0;
    let nonempActual = 0;
    e.fill(0);
    for (let j = 0; j < cells.length; j++) {
      const c = cells[j];
      const fj = (counts ? counts[j] : 1) * this.cellWeight[j];
      f[j] = fj;
      if (fj === 0) continue;
      wsum += fj * truth.n[c];
      changeW += fj * truth.changeN[c];
      changeActual += fj * truth.changeActual[c];
      nonempActual += fj * truth.nonempActual[c];
      for (let p = table.start[c]; p < table.start[c + 1]; p++) e[d.trueIdx[table.points[p]]] += fj;
    }
    for (let k = 0; k < K; k++) e[k] /= wsum;
    if (d.groups) aggregate(e, d.groups.of, this.eg);

    for (let mi = 0; mi < d.models.length; mi++) {
      const m = d.models[mi];
      weightedRowSum(m.probs, K, cells, f, q);
      const { bins } = d;
      const binDiff = this.binDiff;
      binDiff.fill(0);
      let changePred = 0;
      let nonempPred = 0;
      for (let j = 0; j < cells.length; j++) {
        const fj = f[j];
        if (fj === 0) continue;
        const c = cells[j];
        changePred += fj * m.changePred[c];
        nonempPred += fj * m.nonempPred[c];
        for (let b = 0, o = c * bins; b < bins; b++, o++) binDiff[b] += fj * m.binDiff[o];
      }
      for (let k = 0; k < K; k++) q[k] /= wsum;
      const at = mi * NSTATS;
      out[at] = totalVariation(e, q);
      out[at + 1] = jensenShannon(e, q);
      out[at + 2] = klSmoothed(e, q, d.klEpsilon);
      if (d.groups) {
        aggregate(q, d.groups.of, this.qg);
        out[at + 3] = totalVariation(this.eg, this.qg);
        out[at + 4] = jensenShannon(this.eg, this.qg);
        out[at + 5] = klSmoothed(this.eg, this.qg, d.klEpsilon);
      } else out.fill(NaN, at + 3, at + 6);
      out[at + 6] = changeW > 0 ? (changePred - changeActual) / changeW : NaN;
      out[at + 7] = (nonempPred - nonempActual) / wsum;
      let ece = 0;
      for (let b = 0; b < d.bins; b++) ece += Math.abs(this.binDiff[b]);
      out[at + 8] = ece / wsum;
    }
  }

  /** Predicted and actual rates of the estimate (every cell once), without intervals. */
  rates(model: number): { change: RateStat; nonemployment: RateStat } {
    const { d, cells } = this;
    const m = d.models[model];
    const t = d.truth;
    const sum = (a: Float64Array) => cells.reduce((s, c, j) => s + this.cellWeight[j] * a[c], 0);
    const count = (a: Float64Array) => cells.reduce((s, c) => s + a[c], 0);
    const rate = (n: number, w: number, pred: number, actual: number): RateStat => ({
      n_points: n,
      predicted: w > 0 ? pred / w : null,
      actual: w > 0 ? actual / w : null,
      gap: w > 0 ? (pred - actual) / w : null,
      ci: null,
      flagged: null,
    });
    return {
      change: rate(count(t.changeN), sum(t.changeN), sum(m.changePred), sum(t.changeActual)),
      nonemployment: rate(count(t.n), sum(t.n), sum(m.nonempPred), sum(t.nonempActual)),
    };
  }

  /** Reliability bins of the estimate: weighted mean confidence and accuracy per bin. */
  reliability(model: number): ReliabilityBin[] {
    const { d, cells } = this;
    const m = d.models[model];
    return Array.from({ length: d.bins }, (_, b) => {
      let n = 0;
      let w = 0;
      let conf = 0;
      let hit = 0;
      cells.forEach((c, j) => {
        const i = c * d.bins + b;
        const cw = this.cellWeight[j];
        n += m.binN[i];
        w += cw * m.binN[i];
        conf += cw * m.binConf[i];
        hit += cw * m.binHit[i];
      });
      return {
        bin: b, lo: b / d.bins, hi: (b + 1) / d.bins, n_points: n, weight: w,
        confidence: w > 0 ? conf / w : null, accuracy: w > 0 ? hit / w : null,
      };
    });
  }
}

/**
 * out = sum over j of f[j] * row cells[j] of the row-major matrix `m` (rows of `width`). The hot
 * loop of the bootstrap: a plain function with local variables only, unrolled by four.
 */
function weightedRowSum(m: Float32Array, width: number, cells: Int32Array, f: Float64Array, out: Float64Array): void {
  out.fill(0);
  for (let j = 0; j < cells.length; j++) {
    const fj = f[j];
    if (fj === 0) continue;
    let o = cells[j] * width;
    let k = 0;
    for (; k + 3 < width; k += 4, o += 4) {
      out[k] += fj * m[o];
      out[k + 1] += fj * m[o + 1];
      out[k + 2] += fj * m[o + 2];
      out[k + 3] += fj * m[o + 3];
    }
    for (; k < width; k++, o++) out[k] += fj * m[o];
  }
}

function aggregate(p: Float64Array, groupOf: Int32Array, out: Float64Array): void {
  out.fill(0);
  for (let k = 0; k < p.length; k++) out[groupOf[k]] += p[k];
}
