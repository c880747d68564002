/** The empirical marginal: the same distribution for every point, add-one smoothed. */
import type { BaselineSpec } from './types';
import { codeIndices, gatherRows, smoothedMarginal } from './codes';

export const marginalBaseline: BaselineSpec = {
  name: 'marginal',
  description: 'empirical distribution of states on the training prediction points (add-one smoothing)',
  options: [],
  inputs: [],
  fit(train, taxonomy) {
    const K = taxonomy.size;
    const m = smoothedMarginal(codeIndices(taxonomy, train.true_code, 'marginal baseline: train true_code'), K);
    const n = train.true_code.length;
    return {
      name: 'marginal',
      params: { n_train: n },
      report: { order: 0, conditions: [], n_train: n, smoothing: {}, tuned: false, tuning_note: 'add-one smoothing, no options' },
      predict: (points) => gatherRows(m, K, points.prev_code.length, () => 0),
    };
  },
};
