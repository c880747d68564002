/**
 * Chooses a back-off chain's pseudo-counts on the validation split: every combination of grid
 * values (options the user fixed stay fixed), scored by the mean validation log-loss, which
 * needs only each truth's counts (BackoffCounts.truthCounts), so a grid costs a few passes of
 * arithmetic over the validation points.
 */
import type { BackoffCounts } from './backoff';

/**
 * 10^-3 .. 10^3 in half-decade steps (13 values, 1 among them). A pseudo-count is worth that
 * many observations of the parent distribution: 10^-3 all but ignores the parent where a
 * context has been seen at all, 10^3 outweighs every context with fewer than about a thousand
 * training transitions, which all but switches the level off (the right answer for a level
 * that adds nothing, e.g. order 2 on a first-order process). Log loss is flat in log(a) near
 * its optimum, so half a decade apart costs little against a finer search; 1 is in the grid,
 * so the tuned fit is never worse on validation than the old fixed pseudo-count of 1.
 */
export const SMOOTHING_GRID: readonly number[] = Array.from({ length: 13 }, (_, i) => Number((10 ** (-3 + i / 2)).toPrecision(3)));

export interface GridChoice {
  alphas: number[];
  logLoss: number;
  /** Log-loss with every pseudo-count 1 (the old default). */
  addOneLogLoss: number;
  /** Indices of the levels whose chosen value is an end of the grid. */
  atEdge: number[];
}

/** `fixed[l]` holds level l at a value; undefined levels are searched over the grid. */
export function chooseOnGrid(model: BackoffCounts, counts: Float64Array, trueIdx: Int32Array, fixed: readonly (number | undefined)[]): GridChoice {
  const choices = fixed.map((a) => (a === undefined ? SMOOTHING_GRID : [a]));
  let best: number[] = [];
  let bestLoss = Infinity;
  const alphas = new Array<number>(fixed.length);
  const search = (l: number): void => {
    if (l === fixed.length) {
      const loss = model.meanLogLoss(counts, trueIdx, alphas);
      if (loss < bestLoss) {
        bestLoss = loss;
        best = alphas.slice();
      }
      return;
    }
    for (const a of choices[l]) {
      alphas[l] = a;
      search(l + 1);
    }
  };
  search(0);
  const edges = [SMOOTHING_GRID[0], SMOOTHING_GRID[SMOOTHING_GRID.length - 1]];
  return {
    alphas: best,
    logLoss: bestLoss,
    addOneLogLoss: model.meanLogLoss(counts, trueIdx, fixed.map(() => 1)),
    atEdge: best.flatMap((a, l) => (fixed[l] === undefined && edges.includes(a) ? [l] : [])),
  };
}
