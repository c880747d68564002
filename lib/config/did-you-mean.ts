/**
 * The closest candidate by edit distance, if it is close enough to be a plausible typo. Never
 * the input itself: a name that is unknown where it stands is not its own fix.
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === input) continue;
    const d = editDistance(input.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  const close = bestDistance <= Math.max(2, Math.floor(input.length / 3));
  // A prefix is a likely abbreviation ("slu" for "slurm") even when the distance is large.
  return best !== undefined && (close || best.toLowerCase().startsWith(input.toLowerCase())) ? best : undefined;
}

/** " (did you mean 'x'?)" or "". */
export function didYouMeanSuffix(input: string, candidates: Iterable<string>): string {
  const s = didYouMean(input, candidates);
  return s ? ` (did you mean '${s}'?)` : '';
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
