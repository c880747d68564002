/**
 * Concatenates prediction shards (evaluation is sharded) in the order given: the caller passes
 * them in shard order so the merged file is the same whichever shard finished first.
 */
import { InvalidData, ProblemList } from '../errors';
import type { Predictions } from './types';

export function mergePredictions(shards: readonly Predictions[]): Predictions {
  if (shards.length === 0) throw new InvalidData('mergePredictions: no shards to merge');
  const withRows = shards.filter((s) => s.person_id.length > 0);
  const K = (withRows[0] ?? shards[0]).n_states;
  const bad = withRows.flatMap((s, i) => (s.n_states === K ? [] : [`shard ${shards.indexOf(s)} has ${s.n_states} states, expected ${K} (shard ${shards.indexOf(withRows[0])})`]));
  if (bad.length) throw new InvalidData('mergePredictions: shards disagree on the number of states', bad);

  // The same point in two shards means the shards overlap: refuse rather than double-count.
  const seen = new Map<string, number>();
  const problems = new ProblemList();
  shards.forEach((s, si) => {
    for (let i = 0; i < s.person_id.length; i++) {
      const key = `${s.person_id[i]}\u0000${s.year[i]}`;
      const first = seen.get(key);
      if (first !== undefined) problems.add('prediction point in two shards', `person ${s.person_id[i]} year ${s.year[i]} (shards ${first} and ${si})`);
      else seen.set(key, si);
    }
  });
  problems.throwIfAny((m, d) => new InvalidData(m, d), 'mergePredictions: shards overlap');

  const n = shards.reduce((a, s) => a + s.person_id.length, 0);
  const out: Predictions = {
    n_states: K,
    person_id: shards.flatMap((s) => s.person_id),
    year: new Int32Array(n),
    true_code: shards.flatMap((s) => s.true_code),
    prev_code: shards.flatMap((s) => s.prev_code),
    logp_true_raw: new Float64Array(n),
    logp_true: new Float64Array(n),
    valid_mass: new Float64Array(n),
    top_codes: shards.flatMap((s) => s.top_codes),
    top_probs: shards.flatMap((s) => s.top_probs),
    p_change: new Float64Array(n),
    p_nonemployment: new Float64Array(n),
    probs: new Float32Array(n * K),
  };
  let at = 0;
  for (const s of shards) {
    for (const col of ['year', 'logp_true_raw', 'logp_true', 'valid_mass', 'p_change', 'p_nonemployment'] as const) {
      (out[col] as Float64Array | Int32Array).set(s[col] as never, at);
    }
    out.probs.set(s.probs, at * K);
    at += s.person_id.length;
  }
  return out;
}
