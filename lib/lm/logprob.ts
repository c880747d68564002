/** Log-softmax pieces over rows of a logits buffer [rows, vocab], in double precision. */

/** logsumexp of row `row` of `logits` (row-major, `vocab` columns). */
export function logsumexpRow(logits: Float32Array, row: number, vocab: number): number {
  const start = row * vocab;
  const end = start + vocab;
  let max = -Infinity;
  for (let i = start; i < end; i++) if (logits[i] > max) max = logits[i];
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = start; i < end; i++) sum += Math.exp(logits[i] - max);
  return max + Math.log(sum);
}

/**
 * log P(token) at a row: logits[row, token] - logsumexp(row). `lse` may come from the graph's
 * `logsumexp` output (float32) or from logsumexpRow.
 */
export function tokenLogprob(logits: Float32Array, row: number, vocab: number, token: number, lse: number): number {
  return logits[row * vocab + token] - lse;
}
