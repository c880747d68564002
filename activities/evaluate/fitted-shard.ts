/**
 * The evaluate step on a fit step's model: nothing to score, the fitted baseline wrote its
 * distributions already; a shard looks up its points' rows and writes their log-probabilities as
 * the scorers do, so merging, predictions and metrics are the same code for every model.
 */
import { writeFileAtomic } from '../../lib/artifacts/atomic';
import { readFittedDistributions } from '../../lib/baselines/fitted-distributions';
import { InvalidData } from '../../lib/errors';
import type { ScoreShardTask } from './evaluate-tasks';
import { readTaxonomy, selectPoints } from './points';
import { asBytes } from './shard-batches';

/** log(0) would make one point's loss infinite: floor probabilities as the fit's own metrics do. */
const FLOOR = 1e-45;

export function fittedShard(task: ScoreShardTask): { points: number; truncated: number; scorer: unknown } {
  const { step, start, end } = task;
  const K = readTaxonomy(task.panelDir).size;
  const points = selectPoints(task.encodedDir, step);
  const fitted = readFittedDistributions(task.modelDir, K);
  if (!fitted.splits.has(step.split)) {
    throw new InvalidData(`${fitted.file}: has no '${step.split}' points (it predicted ${[...fitted.splits].join(', ') || 'none'}); add '${step.split}' to the fit step's predictSplits`);
  }
  const out = new Float64Array((end - start) * K);
  for (let i = start; i < end; i++) {
    const row = fitted.row(points.person_id[i], points.year[i]);
    if (row === undefined) throw new InvalidData(`${fitted.file}: no row for person '${points.person_id[i]}' year ${points.year[i]} (a ${step.split} point); was it fitted on other data?`);
    if (fitted.trueState(row) !== points.true_code[i]) {
      throw new InvalidData(`${fitted.file}: person '${points.person_id[i]}' year ${points.year[i]} has true state '${fitted.trueState(row)}', the encoded points '${points.true_code[i]}'`);
    }
    const p = fitted.probs(row);
    let sum = 0;
    for (let k = 0; k < K; k++) sum += p[k];
    const base = (i - start) * K;
    for (let k = 0; k < K; k++) out[base + k] = Math.log(Math.max(p[k] / sum, FLOOR));
  }
  writeFileAtomic(task.out, asBytes(out));
  return { points: end - start, truncated: 0, scorer: { kind: 'fitted', distributions: 'distributions.arrow' } };
}
