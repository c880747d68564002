/**
 * Binary-task scores: AUC (Mann-Whitney, ties count one half) and log loss. The AUC takes
 * optional weights so the person bootstrap can reuse one sort for every replicate.
 */

export const LOG_LOSS_CLIP = 1e-12;

/** Indices of `scores` in ascending order (stable). */
export function ascendingOrder(scores: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((a, b) => scores[a] - scores[b] || a - b);
}

/**
 * AUC = P(score of a random positive > score of a random negative) + 0.5 P(tie), with each
 * point weighted by `weights[i]` (1 if omitted). `order` must sort `scores` ascending.
 * Null when either class has no weight.
 */
export function aucSorted(
  order: Int32Array,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number | null {
  let negBelow = 0;
  let pos = 0;
  let num = 0;
  let g = 0;
  while (g < order.length) {
    const s = scores[order[g]];
    let gp = 0;
    let gn = 0;
    let j = g;
    for (; j < order.length && scores[order[j]] === s; j++) {
      const i = order[j];
      const w = weights ? weights[i] : 1;
      if (labels[i]) gp += w;
      else gn += w;
    }
    num += gp * negBelow + 0.5 * gp * gn;
    negBelow += gn;
    pos += gp;
    g = j;
  }
  return pos > 0 && negBelow > 0 ? num / (pos * negBelow) : null;
}

export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>, weights?: ArrayLike<number>): number | null {
  return aucSorted(ascendingOrder(scores), scores, labels, weights);
}

/** Mean binary cross-entropy, scores clipped to [1e-12, 1 - 1e-12]; null for no points. */
export function logLoss(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  if (scores.length === 0) return null;
  let s = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(1 - LOG_LOSS_CLIP, Math.max(LOG_LOSS_CLIP, scores[i]));
    s -= labels[i] ? Math.log(p) : Math.log(1 - p);
  }
  return s / scores.length;
}
