/** The oracle's predictions: the generator's true distribution at each prediction point. */
import { InvalidData } from '../errors';
import type { Oracle } from '../panel/panel';
import type { Taxonomy } from '../panel/taxonomy';
import { getTemplate, type TemplateRef } from '../text/templates';
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

/**
 * Why the oracle is a bound, where the text hides what the truth conditions on: it is the exact
 * distribution given everything the generator used, and no model of this text sees all of it.
 */
export function oracleBound(template: TemplateRef): string | undefined {
  const t = getTemplate(template);
  if (t.hides.length === 0) return undefined;
  return `a bound, not the best achievable: the truth conditions on ${t.hides.join(' and ')}, which template '${t.name}' leaves out of the text`;
}
