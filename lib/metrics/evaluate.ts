/**
 * The one metrics implementation for every model, baseline and the oracle: everything is
 * computed from Predictions (predictions.arrow) and the taxonomy, so models are comparable.
 */
import { InvalidConfig, InvalidData, ProblemList } from '../errors';
import type { Taxonomy } from '../panel/taxonomy';
import type { Predictions } from '../predict/types';
import { ascendingOrder, aucSorted, logLoss } from './binary';
import { percentileInterval, personBootstrap, type Interval } from './bootstrap';

export const DEFAULT_BOOTSTRAP = 200;
export const DEFAULT_ECE_BINS = 15;
export const DEFAULT_CI_LEVEL = 0.95;

export interface MetricsOptions {
  /** Bootstrap replicates (persons resampled with replacement); 0 disables intervals. */
  bootstrap?: number;
  seed?: number;
  /** Central percentile interval level. */
  level?: number;
  eceBins?: number;
}

/** A binary task derived from the predicted distribution. Null where undefined (one class only). */
export interface BinaryTaskMetrics {
  /** Points in the task. */
  n: number;
  /** Share of positive labels. */
  rate: number | null;
  auc: number | null;
  log_loss: number | null;
}

export interface MetricsCi {
  method: 'person bootstrap, percentile';
  level: number;
  replicates: number;
  seed: number;
  raw_perplexity: Interval;
  perplexity: Interval;
  top1: Interval;
  top5: Interval;
  change_auc: Interval;
  labor_force_auc: Interval;
}

/** metrics.json. Infinity (a true state given probability 0) is written by JSON as null. */
export interface EvalMetrics {
  n_points: number;
  n_persons: number;
  n_states: number;
  /** exp(-mean log P_raw(true)): mass on invalid strings counts as a loss. */
  raw_perplexity: number;
  /** exp(-mean log P(true)) with P renormalised over valid states. */
  perplexity: number;
  /** Mean probability of all valid titles. */
  valid_mass: number;
  top1: number;
  top5: number;
  /** Expected calibration error of the top-1 confidence (equal-width bins). */
  ece: number;
  /** Multiclass Brier score: mean over points of sum_k (p_k - y_k)^2 (range 0..2). */
  brier: number;
  /** Label: true_code != prev_code; score p_change; points with a previous state only. */
  change: BinaryTaskMetrics;
  /** Label: the true state is an occupation; score 1 - p_nonemployment. */
  labor_force: BinaryTaskMetrics;
  ci: MetricsCi | null;
}

export function computeMetrics(preds: Predictions, taxonomy: Taxonomy, options: MetricsOptions = {}): EvalMetrics {
  const B = options.bootstrap ?? DEFAULT_BOOTSTRAP;
  const seed = options.seed ?? 0;
  const level = options.level ?? DEFAULT_CI_LEVEL;
  const bins = options.eceBins ?? DEFAULT_ECE_BINS;
  checkOptions(B, seed, level, bins);

  const n = preds.person_id.length;
  const K = taxonomy.size;
  if (n === 0) throw new InvalidData('metrics: no prediction points');
  if (preds.n_states !== K || preds.probs.length !== n * K) {
    throw new InvalidData(`metrics: predictions have ${preds.n_states} states (${preds.probs.length} probabilities for ${n} points), the taxonomy has ${K}`);
  }

  const problems = new ProblemList();
  const trueIdx = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = taxonomy.index.get(preds.true_code[i]);
    if (t === undefined) problems.add('true_code not in the taxonomy', `row ${i}: '${preds.true_code[i]}'`);
    trueIdx[i] = t ?? 0;
  }
  problems.throwIfAny((m, d) => new InvalidData(m, d), 'metrics: predictions do not match the taxonomy');

  // Persons, in order of first appearance.
  const personIndex = new Map<string, number>();
  const personOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let p = personIndex.get(preds.person_id[i]);
    if (p === undefined) personIndex.set(preds.person_id[i], (p = personIndex.size));
    personOf[i] = p;
  }
  const P = personIndex.size;

  // Per-point pass over the distributions: rank of the truth, confidence, Brier.
  const probs = preds.probs;
  const top1 = new Uint8Array(n);
  const top5 = new Uint8Array(n);
  const binConf = new Float64Array(bins);
  const binAcc = new Float64Array(bins);
  let brier = 0;
  for (let i = 0; i < n; i++) {
    const o = i * K;
    const t = trueIdx[i];
    const pt = probs[o + t];
    let rank = 0;
    let max = 0;
    let sq = 0;
    for (let k = 0; k < K; k++) {
      const p = probs[o + k];
      if (p > pt || (p === pt && k < t)) rank++; // ties: lower index ranks first, as in top_codes
      if (p > max) max = p;
      sq += p * p;
    }
    top1[i] = rank === 0 ? 1 : 0;
    top5[i] = rank < 5 ? 1 : 0;
    brier += sq - 2 * pt + 1;
    const b = Math.min(bins - 1, Math.floor(max * bins));
    binConf[b] += max;
    binAcc[b] += top1[i];
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) ece += Math.abs(binAcc[b] - binConf[b]);
  ece /= n;

  // Binary tasks.
  const occupation = Uint8Array.from(taxonomy.rows, (r) => (r.kind === 'occupation' ? 1 : 0));
  const changeRows: number[] = [];
  for (let i = 0; i < n; i++) if (preds.prev_code[i] !== null && preds.prev_code[i] !== undefined) changeRows.push(i);
  const change = binaryTask(
    'change', Int32Array.from(changeRows), personOf,
    (i) => preds.p_change[i],
    (i) => (preds.true_code[i] !== preds.prev_code[i] ? 1 : 0),
  );
  const labor = binaryTask(
    'labor_force', Int32Array.from({ length: n }, (_, i) => i), personOf,
    (i) => 1 - preds.p_nonemployment[i],
    (i) => occupation[trueIdx[i]],
  );

  // Per-person sums so each bootstrap replicate costs O(persons) (AUCs: O(points), one sort).
  const pCount = new Float64Array(P);
  const pRaw = new Float64Array(P);
  const pLogp = new Float64Array(P);
  const pTop1 = new Float64Array(P);
  const pTop5 = new Float64Array(P);
  let sumRaw = 0;
  let sumLogp = 0;
  let sumMass = 0;
  for (let i = 0; i < n; i++) {
    const p = personOf[i];
    pCount[p]++;
    pRaw[p] += preds.logp_true_raw[i];
    pLogp[p] += preds.logp_true[i];
    pTop1[p] += top1[i];
    pTop5[p] += top5[i];
    sumRaw += preds.logp_true_raw[i];
    sumLogp += preds.logp_true[i];
    sumMass += preds.valid_mass[i];
  }
  let top1Sum = 0;
  let top5Sum = 0;
  for (let p = 0; p < P; p++) {
    top1Sum += pTop1[p];
    top5Sum += pTop5[p];
  }

  let ci: MetricsCi | null = null;
  if (B > 0) {
    const reps = { raw: new Float64Array(B), ppl: new Float64Array(B), top1: new Float64Array(B), top5: new Float64Array(B), change: new Float64Array(B), labor: new Float64Array(B) };
    personBootstrap(P, B, seed, (counts, b) => {
      let cnt = 0, raw = 0, lp = 0, a1 = 0, a5 = 0;
      for (let p = 0; p < P; p++) {
        const c = counts[p];
        if (c === 0) continue;
        cnt += c * pCount[p];
        raw += c * pRaw[p];
        lp += c * pLogp[p];
        a1 += c * pTop1[p];
        a5 += c * pTop5[p];
      }
      reps.raw[b] = Math.exp(-raw / cnt);
      reps.ppl[b] = Math.exp(-lp / cnt);
      reps.top1[b] = a1 / cnt;
      reps.top5[b] = a5 / cnt;
      reps.change[b] = change.bootstrapAuc(counts);
      reps.labor[b] = labor.bootstrapAuc(counts);
    });
    ci = {
      method: 'person bootstrap, percentile',
      level,
      replicates: B,
      seed,
      raw_perplexity: percentileInterval(reps.raw, level),
      perplexity: percentileInterval(reps.ppl, level),
      top1: percentileInterval(reps.top1, level),
      top5: percentileInterval(reps.top5, level),
      change_auc: percentileInterval(reps.change, level),
      labor_force_auc: percentileInterval(reps.labor, level),
    };
  }

  return {
    n_points: n,
    n_persons: P,
    n_states: K,
    raw_perplexity: Math.exp(-sumRaw / n),
    perplexity: Math.exp(-sumLogp / n),
    valid_mass: sumMass / n,
    top1: top1Sum / n,
    top5: top5Sum / n,
    ece,
    brier: brier / n,
    change: change.metrics,
    labor_force: labor.metrics,
    ci,
  };
}

interface BinaryTask {
  metrics: BinaryTaskMetrics;
  /** AUC with each point weighted by its person's bootstrap count (NaN if undefined). */
  bootstrapAuc(counts: Float64Array): number;
}

function binaryTask(
  name: string,
  rows: Int32Array,
  personOf: Int32Array,
  score: (i: number) => number,
  label: (i: number) => number,
): BinaryTask {
  const scores = Float64Array.from(rows, score);
  const labels = Uint8Array.from(rows, label);
  const bad = rows.filter((_, j) => !(scores[j] >= 0 && scores[j] <= 1));
  if (bad.length) {
    throw new InvalidData(`metrics: ${name} task: ${bad.length} score(s) outside [0, 1] or NaN; first rows: ${Array.from(bad.slice(0, 5)).join(', ')}`);
  }
  const order = ascendingOrder(scores);
  let pos = 0;
  for (const l of labels) pos += l;
  const n = rows.length;

  // Sorted once; replicates then walk these arrays in order (cache-friendly, no re-sorting).
  const sPerson = Int32Array.from(order, (j) => personOf[rows[j]]);
  const sLabel = Uint8Array.from(order, (j) => labels[j]);
  const groupEnds: number[] = [];
  for (let j = 1; j <= n; j++) if (j === n || scores[order[j]] !== scores[order[j - 1]]) groupEnds.push(j);
  const ends = Int32Array.from(groupEnds);

  return {
    metrics: {
      n,
      rate: n ? pos / n : null,
      auc: aucSorted(order, scores, labels),
      log_loss: logLoss(scores, labels),
    },
    bootstrapAuc(counts) {
      let negBelow = 0, totalPos = 0, num = 0, j = 0;
      for (let g = 0; g < ends.length; g++) {
        let gp = 0, gn = 0;
        for (const end = ends[g]; j < end; j++) {
          const w = counts[sPerson[j]];
          if (sLabel[j]) gp += w;
          else gn += w;
        }
        num += gp * negBelow + 0.5 * gp * gn;
        negBelow += gn;
        totalPos += gp;
      }
      return totalPos > 0 && negBelow > 0 ? num / (totalPos * negBelow) : NaN;
    },
  };
}

function checkOptions(B: number, seed: number, level: number, bins: number): void {
  const problems: string[] = [];
  if (!Number.isInteger(B) || B < 0) problems.push(`bootstrap: expected a non-negative integer, found ${B}`);
  if (!Number.isInteger(seed)) problems.push(`seed: expected an integer, found ${seed}`);
  if (!(level > 0 && level < 1)) problems.push(`level: expected a number in (0, 1), found ${level}`);
  if (!Number.isInteger(bins) || bins < 1) problems.push(`eceBins: expected a positive integer, found ${bins}`);
  if (problems.length) throw new InvalidConfig('invalid metrics options', problems);
}
