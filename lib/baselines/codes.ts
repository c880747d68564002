import { InvalidData, ProblemList } from '../errors';
import type { Taxonomy } from '../panel/taxonomy';

/** Taxonomy indices of `codes` (-1 for null); all unknown codes reported at once. */
export function codeIndices(taxonomy: Taxonomy, codes: readonly (string | null)[], what: string): Int32Array {
  const out = new Int32Array(codes.length);
  const problems = new ProblemList();
  codes.forEach((c, i) => {
    if (c === null || c === undefined) {
      out[i] = -1;
      return;
    }
    const j = taxonomy.index.get(c);
    if (j === undefined) problems.add('code not in the taxonomy', `row ${i}: '${c}'`);
    out[i] = j ?? -1;
  });
  problems.throwIfAny((m, d) => new InvalidData(m, d), `${what}: unknown state codes`);
  return out;
}

/** Add-one smoothed empirical distribution of the true states. */
export function smoothedMarginal(trueIdx: Int32Array, K: number): Float64Array {
  const p = new Float64Array(K).fill(1);
  for (const t of trueIdx) p[t]++;
  const total = trueIdx.length + K;
  for (let k = 0; k < K; k++) p[k] /= total;
  return p;
}

/** n copies of rows chosen by `rowOf(i)` from a [*, K] table. */
export function gatherRows(table: Float64Array, K: number, n: number, rowOf: (i: number) => number): Float64Array {
  const out = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    const r = rowOf(i);
    out.set(table.subarray(r * K, (r + 1) * K), i * K);
  }
  return out;
}
