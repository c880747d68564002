/**
 * First-order Markov: P(state | previous state) from training transition counts, smoothed
 * toward the (add-one) marginal with a Dirichlet prior of strength alpha:
 *   P(k | j) = (n_jk + alpha * m_k) / (n_j + alpha).
 * Points with no previous state, or a previous state never seen in training, get the marginal.
 */
import { InvalidConfig } from '../errors';
import type { BaselineSpec } from './types';
import { codeIndices, gatherRows, smoothedMarginal } from './codes';

export const DEFAULT_MARKOV_ALPHA = 1;

export const markovBaseline: BaselineSpec = {
  name: 'markov',
  description: 'first-order transitions P(state | previous state), Dirichlet-smoothed toward the marginal',
  options: ['alpha'],
  fit(train, taxonomy, options) {
    const alpha = options.alpha ?? DEFAULT_MARKOV_ALPHA;
    if (typeof alpha !== 'number' || !(alpha > 0) || !Number.isFinite(alpha)) {
      throw new InvalidConfig(`markov baseline: alpha must be a positive number, found ${JSON.stringify(alpha)}`);
    }
    const K = taxonomy.size;
    const trueIdx = codeIndices(taxonomy, train.true_code, 'markov baseline: train true_code');
    const prevIdx = codeIndices(taxonomy, train.prev_code, 'markov baseline: train prev_code');
    const m = smoothedMarginal(trueIdx, K);
    // Row j < K: transitions from state j; row K: no previous state (the marginal).
    const table = new Float64Array((K + 1) * K);
    const rowTotal = new Float64Array(K);
    for (let i = 0; i < trueIdx.length; i++) {
      const j = prevIdx[i];
      if (j < 0) continue;
      table[j * K + trueIdx[i]]++;
      rowTotal[j]++;
    }
    for (let j = 0; j < K; j++) {
      const denom = rowTotal[j] + alpha;
      for (let k = 0; k < K; k++) table[j * K + k] = (table[j * K + k] + alpha * m[k]) / denom;
    }
    table.set(m, K * K);
    return {
      name: 'markov',
      params: { alpha, n_train: trueIdx.length },
      predict(points) {
        const prev = codeIndices(taxonomy, points.prev_code, 'markov baseline: prev_code');
        return gatherRows(table, K, prev.length, (i) => (prev[i] < 0 ? K : prev[i]));
      },
    };
  },
};
