/**
 * The Markov baselines on quickstart-like data: the synthetic survey population (1,200 persons,
 * the default taxonomy), whose truth is not Markov. Prints the test perplexities of the tuned
 * and add-one fits beside the oracle's.
 */
import { describe, expect, it } from 'vitest';
import { fitBaseline, type TrainPoints } from '../../lib/baselines';
import { computePointFeatures, type PointFeatures } from '../../lib/features';
import { loadTaxonomy } from '../../lib/panel/taxonomy';
import { generatePanel } from '../../lib/synth';
import { perplexity } from './markov-chain';

const taxonomy = loadTaxonomy('default');
const K = taxonomy.size;
const panel = generatePanel({ taxonomy, population: 'survey', persons: 1200, seed: 7 });
const features = computePointFeatures(panel);

function split(f: PointFeatures, name: string): TrainPoints & { rows: number[] } {
  const rows = f.split.flatMap((s, i) => (s === name ? [i] : []));
  return {
    rows,
    prev_code: rows.map((i) => f.prev_state[i]),
    prev2_code: rows.map((i) => f.prev2_state[i]),
    gap: Int32Array.from(rows, (i) => f.gap[i]),
    true_code: rows.map((i) => f.true_state[i]),
  };
}
const [train, valid, test] = ['train', 'valid', 'test'].map((s) => split(features, s));

/** The oracle's rows are the panel's prediction points in the same order as the point features. */
function oracleProbs(rows: number[]): Float64Array {
  const oracle = panel.oracle!;
  const out = new Float64Array(rows.length * K);
  rows.forEach((r, i) => {
    expect(oracle.person_id[r]).toBe(features.person_id[r]);
    expect(oracle.year[r]).toBe(features.year[r]);
    out.set(oracle.probs.subarray(r * K, (r + 1) * K), i * K);
  });
  return out;
}

describe('Markov baselines on the quickstart-like survey population', () => {
  it('choose a smoothing that beats add-one on validation, and on test; every row sums to 1', () => {
    const oracle = perplexity(oracleProbs(test.rows), test, taxonomy);
    const fits = {
      'markov (add-one)': fitBaseline('markov', train, taxonomy, { alpha: 1 }),
      markov: fitBaseline('markov', train, taxonomy, {}, valid),
      markov2: fitBaseline('markov2', train, taxonomy, {}, valid),
      'markov-gap': fitBaseline('markov-gap', train, taxonomy, {}, valid),
      marginal: fitBaseline('marginal', train, taxonomy, {}, valid),
    };
    const ppl: Record<string, number> = {};
    const lines = [`${K} states; points: train ${train.rows.length}, valid ${valid.rows.length}, test ${test.rows.length}`, `oracle             test perplexity ${oracle.toFixed(3)}`];
    for (const [name, fit] of Object.entries(fits)) {
      const probs = fit.predict(test);
      let worst = 0;
      for (let i = 0; i < test.rows.length; i++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += probs[i * K + k];
        worst = Math.max(worst, Math.abs(s - 1));
      }
      expect(worst).toBeLessThan(1e-6);
      ppl[name] = perplexity(probs, test, taxonomy);
      const r = fit.report;
      lines.push(`${name.padEnd(18)} test perplexity ${ppl[name].toFixed(3)} (x${(ppl[name] / oracle).toFixed(3)} oracle)  smoothing ${JSON.stringify(r.smoothing)}` +
        (r.tuned ? `  valid log-loss ${r.valid_log_loss!.toFixed(4)} vs add-one ${r.add_one_valid_log_loss!.toFixed(4)}` : ''));
    }
    console.log(lines.join('\n'));

    const tuned = fits.markov.report;
    expect(tuned.tuned).toBe(true);
    expect(tuned.valid_log_loss!).toBeLessThan(tuned.add_one_valid_log_loss! - 0.01);
    expect(ppl.markov).toBeLessThan(ppl['markov (add-one)']);
    expect(ppl.markov).toBeGreaterThan(oracle);
    // Richer contexts back off to order 1 where their counts are thin, so they cost little where they do not help.
    expect(ppl.markov2).toBeLessThan(ppl.markov * 1.01);
    expect(ppl['markov-gap']).toBeLessThan(ppl.markov * 1.01);
  });
});
