/** The oracle's predictions: the generator's true distribution at each prediction point. */
import { InvalidData } from '../errors';
import type { Oracle } from '../panel/panel';
import type { Taxonomy } from '../panel/taxonomy';
import { predictionsFromProbs } from '../predict/build-predictions';
import type { PredictionPoints, Predictions } from '../predict/types';

export function oraclePredictions(oracle: Oracle, points: PredictionPoints, taxonomy: Taxonomy, topK?: number): Predictions {
  const K = taxonomy.size;
  const rows = oracle.person_id.length;
  if (oracle.year.length !== rows || oracle.probs.length !== rows * K) {
    throw new InvalidData(`oracle: ${rows} person ids, ${oracle.year.length} years and ${oracle.probs.length} probabilities; expected ${rows} x ${K} states`);
  }
  const rowOf = new Map<string, number>();
  for (let r = 0; r < rows; r++) rowOf.set(key(oracle.person_id[r], oracle.year[r]), r);

  const n = points.person_id.length;
  const probs = new Float32Array(n * K);
  const missing: string[] = [];
  let nMissing = 0;
  for (let i = 0; i < n; i++) {
    const r = rowOf.get(key(points.person_id[i], points.year[i]));
    if (r === undefined) {
      if (nMissing++ < 5) missing.push(`person ${points.person_id[i]} year ${points.year[i]}`);
      continue;
    }
    probs.set(oracle.probs.subarray(r * K, (r + 1) * K), i * K);
  }
  if (nMissing) {
    throw new InvalidData(`oracle has no row for ${nMissing} of ${n} prediction points; first: ${missing.join('; ')}`);
  }
  return predictionsFromProbs({ taxonomy, points, probs, topK });
}

function key(person: string, year: number): string {
  return `${person}\u0000${year}`;
}
