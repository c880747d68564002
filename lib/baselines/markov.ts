/**
 * Markov baselines: back-off chains of contexts (backoff.ts) over the add-one marginal.
 *   markov      P(k | prev)                    order 1
 *   markov2     P(k | prev2, prev) -> P(k | prev)   order 2, backing off to order 1
 *   markov-gap  P(k | prev, gap bucket) -> P(k | prev)   the gap since the last observed year
 * Each level's pseudo-count (alpha for order 1, alpha2 for the second level) is an option; an
 * option not given is chosen on the validation split when one is passed to fit (smoothing-grid.ts),
 * else it is DEFAULT_MARKOV_ALPHA. With an empty validation split the default is used and the
 * report says so (a baseline then still exists, and its report says it was not tuned).
 */
import { InvalidConfig } from '../errors';
import type { Taxonomy } from '../panel/taxonomy';
import type { BaselineInput, BaselineSpec, FittedBaseline, TrainPoints, BaselineOptions } from './types';
import { BackoffCounts, type ContextLevel } from './backoff';
import { codePoints } from './coded-points';
import { codeIndices } from './codes';
import { chooseOnGrid, SMOOTHING_GRID } from './smoothing-grid';

export const DEFAULT_MARKOV_ALPHA = 1;

/**
 * Gap buckets 1, 2, 3+: surveys are annual, then biennial (gaps 1 and 2); longer gaps come
 * from missed waves, are rare, and are pooled so their counts are not spread too thin.
 */
export const GAP_BUCKETS = 3;
export const gapBucket = (gap: number) => Math.min(gap, GAP_BUCKETS) - 1;

const prevLevel: ContextLevel = { name: 'prev', option: 'alpha', context: (p, i) => p.prev[i] };

function prev2Level(K: number): ContextLevel {
  return { name: 'prev2', option: 'alpha2', context: (p, i) => (p.prev[i] >= 0 && p.prev2![i] >= 0 ? p.prev2![i] * K + p.prev[i] : -1) };
}

const gapLevel: ContextLevel = {
  name: 'gap', option: 'alpha2', context: (p, i) => (p.prev[i] >= 0 ? p.prev[i] * GAP_BUCKETS + gapBucket(p.gap![i]) : -1),
};

interface MarkovKind {
  name: string;
  description: string;
  order: number;
  inputs: readonly BaselineInput[];
  levels(K: number): ContextLevel[];
}

function markovSpec(kind: MarkovKind): BaselineSpec {
  const options = kind.levels(1).map((l) => l.option);
  return {
    name: kind.name,
    description: kind.description,
    options,
    inputs: kind.inputs,
    fit: (train, taxonomy, opts, valid) => fitMarkov(kind, train, taxonomy, opts, valid),
  };
}

function fitMarkov(kind: MarkovKind, train: TrainPoints, taxonomy: Taxonomy, opts: BaselineOptions, valid?: TrainPoints): FittedBaseline {
  const K = taxonomy.size;
  const levels = kind.levels(K);
  const what = `${kind.name} baseline`;
  const fixed = levels.map((l) => checkAlpha(kind.name, l.option, opts[l.option]));
  const coded = codePoints(taxonomy, train, kind.inputs, `${what}: train`);
  const model = new BackoffCounts(K, levels, coded, codeIndices(taxonomy, train.true_code, `${what}: train true_code`));

  const smoothing = (alphas: readonly number[]) => Object.fromEntries(levels.map((l, i) => [l.option, alphas[i]]));
  const report: FittedBaseline['report'] = {
    order: kind.order, conditions: levels.map((l) => l.name), n_train: coded.n, smoothing: {}, tuned: false,
  };
  let alphas = fixed.map((a) => a ?? DEFAULT_MARKOV_ALPHA);
  if (fixed.every((a) => a !== undefined)) {
    report.tuning_note = 'smoothing given as options';
  } else if (!valid) {
    report.tuning_note = `no validation split given: pseudo-count ${DEFAULT_MARKOV_ALPHA} where not given`;
  } else if (valid.true_code.length === 0) {
    report.tuning_note = `the validation split has no prediction points: pseudo-count ${DEFAULT_MARKOV_ALPHA} where not given`;
  } else {
    const v = codePoints(taxonomy, valid, kind.inputs, `${what}: valid`);
    const vTrue = codeIndices(taxonomy, valid.true_code, `${what}: valid true_code`);
    const choice = chooseOnGrid(model, model.truthCounts(v, vTrue), vTrue, fixed);
    alphas = choice.alphas;
    Object.assign(report, {
      tuned: true, grid: [...SMOOTHING_GRID], valid_points: v.n, valid_log_loss: choice.logLoss,
      add_one_valid_log_loss: choice.addOneLogLoss, at_grid_edge: choice.atEdge.map((l) => levels[l].option),
    });
  }
  report.smoothing = smoothing(alphas);
  return {
    name: kind.name,
    params: { ...report.smoothing, n_train: coded.n },
    report,
    predict: (points) => model.predict(codePoints(taxonomy, points, kind.inputs, what), alphas),
  };
}

function checkAlpha(name: string, option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new InvalidConfig(`${name} baseline: ${option} must be a positive number, found ${JSON.stringify(value)}`);
  }
  return value;
}

export const markovBaseline = markovSpec({
  name: 'markov',
  description: 'first-order transitions P(state | previous state), Dirichlet-smoothed toward the marginal',
  order: 1,
  inputs: [],
  levels: () => [prevLevel],
});

export const markov2Baseline = markovSpec({
  name: 'markov2',
  description: 'second-order transitions P(state | two previous states), Dirichlet-smoothed toward the first-order ones',
  order: 2,
  inputs: ['prev2_code'],
  levels: (K) => [prevLevel, prev2Level(K)],
});

export const markovGapBaseline = markovSpec({
  name: 'markov-gap',
  description: 'first-order transitions per gap since the last observed year (1, 2, 3+), Dirichlet-smoothed toward the gap-blind ones',
  order: 1,
  inputs: ['gap'],
  levels: () => [prevLevel, gapLevel],
});
