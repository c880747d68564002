/** Log-probability helpers of the language model's samplers. */
import { InvalidModel } from '../errors';

/** Renormalises log-probabilities over the candidates (`what` names them in the error: "valid title"). */
export function renormalise(lp: Float64Array, where: string, what: string): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < lp.length; k++) if (lp[k] > max) max = lp[k];
  if (!Number.isFinite(max)) throw new InvalidModel(`${where}: no ${what} has a finite log-probability (max ${max})`);
  const p = new Float64Array(lp.length);
  let sum = 0;
  for (let k = 0; k < lp.length; k++) sum += p[k] = Math.exp(lp[k] - max);
  for (let k = 0; k < lp.length; k++) p[k] /= sum;
  return p;
}

/** log(sum(exp(lp))), -Infinity for no finite value. */
export function logSumExp(lp: Float64Array): number {
  let max = -Infinity;
  for (let k = 0; k < lp.length; k++) if (lp[k] > max) max = lp[k];
  if (!Number.isFinite(max)) return max;
  let sum = 0;
  for (let k = 0; k < lp.length; k++) sum += Math.exp(lp[k] - max);
  return max + Math.log(sum);
}
