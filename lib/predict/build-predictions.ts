/**
 * Builds the predictions of one model from its scores: either raw log-probabilities of every
 * taxonomy state's continuation (an LM scored over valid titles) or a distribution over
 * states (oracle, baselines). Both paths share the per-row work (top-k, p_change,
 * p_nonemployment) so that every model is summarised the same way.
 */
import { InvalidData, ProblemList } from '../errors';
import { NONEMPLOYMENT_KINDS } from '../artifacts/contracts';
import type { Taxonomy } from '../panel/taxonomy';
import type { PredictionPoints, Predictions } from './types';

export const DEFAULT_TOP_K = 5;
/** Raw masses above 1 + this mean the scorer is wrong (distinct titles are disjoint strings). */
const MASS_TOLERANCE = 1e-3;
/** A given distribution must sum to 1 within this (float32 rounding over hundreds of states). */
const SUM_TOLERANCE = 1e-3;

export interface BuildPredictionsInput {
  taxonomy: Taxonomy;
  points: PredictionPoints;
  /** Row-major [n, K] raw log P(" " + title + "\n" | context) of each taxonomy state. */
  logp: Float64Array | Float32Array;
  topK?: number;
}

/**
 * From raw log-probabilities: the constrained distribution is their softmax (renormalised over
 * valid titles, via log-sum-exp); valid_mass = sum exp(raw); logp_true_raw is the truth's raw
 * log-probability and logp_true its constrained one.
 */
export function buildPredictions(input: BuildPredictionsInput): Predictions {
  const { taxonomy, points, logp } = input;
  const K = taxonomy.size;
  const n = checkPoints(points, 'buildPredictions');
  if (logp.length !== n * K) {
    throw new InvalidData(`buildPredictions: logp has ${logp.length} values, expected ${n} points x ${K} states = ${n * K}`);
  }
  return assemble(taxonomy, points, input.topK, 'buildPredictions: invalid raw log-probabilities', (i, o, out, problems) => {
    let max = -Infinity;
    let bad = false;
    for (let k = 0; k < K; k++) {
      const x = logp[o + k];
      if (Number.isNaN(x) || x === Infinity) bad = true;
      else if (x > max) max = x;
    }
    if (bad) {
      problems.add('NaN or +Infinity log-probability', where(points, i));
      return null;
    }
    if (max === -Infinity) {
      problems.add('every state has probability 0', where(points, i));
      return null;
    }
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(logp[o + k] - max);
    const lse = max + Math.log(s);
    const mass = Math.exp(lse);
    if (mass > 1 + MASS_TOLERANCE) {
      problems.add(`valid-title mass above 1 (distinct titles cannot sum above 1: the scorer is wrong)`, `${where(points, i)}: ${mass}`);
      return null;
    }
    for (let k = 0; k < K; k++) out[k] = Math.exp(logp[o + k] - lse);
    return { lse, mass, rawTrue: (t) => logp[o + t] };
  });
}

export interface PredictionsFromProbsInput {
  taxonomy: Taxonomy;
  points: PredictionPoints;
  /** Row-major [n, K] probabilities of each taxonomy state; rows sum to 1. */
  probs: Float64Array | Float32Array;
  topK?: number;
}

/**
 * For models that output a distribution over valid states directly (oracle, baselines):
 * raw = constrained = log(prob) (each row renormalised to remove float rounding), valid_mass 1.
 */
export function predictionsFromProbs(input: PredictionsFromProbsInput): Predictions {
  const { taxonomy, points, probs } = input;
  const K = taxonomy.size;
  const n = checkPoints(points, 'predictionsFromProbs');
  if (probs.length !== n * K) {
    throw new InvalidData(`predictionsFromProbs: probs has ${probs.length} values, expected ${n} points x ${K} states = ${n * K}`);
  }
  return assemble(taxonomy, points, input.topK, 'predictionsFromProbs: invalid distributions', (i, o, out, problems) => {
    let s = 0;
    let bad = false;
    for (let k = 0; k < K; k++) {
      const p = probs[o + k];
      if (!(p >= 0) || p === Infinity) bad = true;
      s += p;
    }
    if (bad) {
      problems.add('negative, NaN or infinite probability', where(points, i));
      return null;
    }
    if (Math.abs(s - 1) > SUM_TOLERANCE) {
      problems.add('probabilities do not sum to 1', `${where(points, i)}: sum ${s}`);
      return null;
    }
    for (let k = 0; k < K; k++) out[k] = probs[o + k] / s;
    return { lse: 0, mass: 1, rawTrue: (t) => Math.log(out[t]) };
  });
}

type RowFn = (
  i: number,
  offset: number,
  out: Float64Array,
  problems: ProblemList,
) => { lse: number; mass: number; rawTrue: (t: number) => number } | null;

function assemble(
  taxonomy: Taxonomy,
  points: PredictionPoints,
  topK: number | undefined,
  message: string,
  row: RowFn,
): Predictions {
  const K = taxonomy.size;
  const n = points.person_id.length;
  const k = Math.min(topK ?? DEFAULT_TOP_K, K);
  if (!Number.isInteger(k) || k < 1) throw new InvalidData(`topK must be a positive integer, found ${topK}`);
  const nonemp = taxonomy.indicesOfKinds(NONEMPLOYMENT_KINDS);
  const codes = taxonomy.rows.map((r) => r.code);

  const trueIdx = new Int32Array(n);
  const prevIdx = new Int32Array(n);
  const problems = new ProblemList();
  for (let i = 0; i < n; i++) {
    const t = taxonomy.index.get(points.true_code[i]);
    if (t === undefined) problems.add('true_code not in the taxonomy', `${where(points, i)}: '${points.true_code[i]}'`);
    trueIdx[i] = t ?? -1;
    const prev = points.prev_code[i];
    if (prev === null || prev === undefined) prevIdx[i] = -1;
    else {
      const j = taxonomy.index.get(prev);
      if (j === undefined) problems.add('prev_code not in the taxonomy', `${where(points, i)}: '${prev}'`);
      prevIdx[i] = j ?? -1;
    }
  }
  problems.throwIfAny((m, d) => new InvalidData(m, d), `${message.split(':')[0]}: prediction points with unknown state codes`);

  const out: Predictions = {
    n_states: K,
    person_id: Array.from(points.person_id),
    year: Int32Array.from(points.year),
    true_code: Array.from(points.true_code),
    prev_code: Array.from(points.prev_code, (c) => c ?? null),
    logp_true_raw: new Float64Array(n),
    logp_true: new Float64Array(n),
    valid_mass: new Float64Array(n),
    top_codes: new Array(n),
    top_probs: new Array(n),
    p_change: new Float64Array(n),
    p_nonemployment: new Float64Array(n),
    probs: new Float32Array(n * K),
  };
  const p = new Float64Array(K);
  const topI = new Int32Array(k);
  const topV = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const o = i * K;
    const r = row(i, o, p, problems);
    if (!r) continue;
    const t = trueIdx[i];
    const logpTrue = Math.log(p[t]);
    out.logp_true[i] = logpTrue;
    out.logp_true_raw[i] = r.rawTrue(t);
    out.valid_mass[i] = r.mass;
    for (let j = 0; j < K; j++) out.probs[o + j] = p[j]; // a loop: .set() across array types is ~8x slower
    selectTop(p, topI, topV);
    out.top_codes[i] = Array.from(topI, (j) => codes[j]);
    out.top_probs[i] = Float32Array.from(topV);
    out.p_change[i] = prevIdx[i] < 0 ? NaN : clamp01(1 - p[prevIdx[i]]);
    let ne = 0;
    for (const j of nonemp) ne += p[j];
    out.p_nonemployment[i] = clamp01(ne);
  }
  problems.throwIfAny((m, d) => new InvalidData(m, d), message);
  return out;
}

/** The k largest entries, descending; ties keep the lower index first (deterministic). */
function selectTop(p: Float64Array, idx: Int32Array, val: Float64Array): void {
  const k = idx.length;
  val.fill(-1); // below every probability
  for (let j = 0; j < p.length; j++) {
    const v = p[j];
    if (!(v > val[k - 1])) continue;
    let pos = k - 1;
    while (pos > 0 && v > val[pos - 1]) {
      val[pos] = val[pos - 1];
      idx[pos] = idx[pos - 1];
      pos--;
    }
    val[pos] = v;
    idx[pos] = j;
  }
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

function checkPoints(points: PredictionPoints, who: string): number {
  const n = points.person_id.length;
  const lens = { year: points.year.length, true_code: points.true_code.length, prev_code: points.prev_code.length };
  const bad = Object.entries(lens).filter(([, l]) => l !== n);
  if (bad.length) {
    throw new InvalidData(`${who}: point columns differ in length: person_id has ${n}, ${bad.map(([c, l]) => `${c} has ${l}`).join(', ')}`);
  }
  return n;
}

function where(points: PredictionPoints, i: number): string {
  return `row ${i} (person ${points.person_id[i]}, year ${points.year[i]})`;
}
