/**
 * Distances between two distributions over the same states (each sums to 1). `e` is the
 * empirical distribution, `q` the mean predicted one.
 */

/** Total variation: half the L1 distance, in [0, 1]. */
export function totalVariation(e: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < e.length; k++) s += Math.abs(e[k] - q[k]);
  return s / 2;
}

/** Jensen-Shannon divergence with log base 2 (bits), in [0, 1]; 0 log 0 = 0, no smoothing needed. */
export function jensenShannon(e: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < e.length; k++) {
    const a = e[k];
    const b = q[k];
    const m = (a + b) / 2;
    if (a > 0) s += a * Math.log(a / m);
    if (b > 0) s += b * Math.log(b / m);
  }
  return s / 2 / Math.LN2;
}

/**
 * KL(e || q) in nats, with additive smoothing: `epsilon` is added to every state of both
 * distributions, which are then renormalised (divided by 1 + K * epsilon), so a state the model
 * gives no mass costs a large but finite amount.
 */
export function klSmoothed(e: ArrayLike<number>, q: ArrayLike<number>, epsilon: number): number {
  const z = 1 + e.length * epsilon;
  let s = 0;
  for (let k = 0; k < e.length; k++) {
    const a = (e[k] + epsilon) / z;
    if (a > 0) s += a * Math.log(a / ((q[k] + epsilon) / z));
  }
  return s;
}
