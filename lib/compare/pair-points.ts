/**
 * Pairs a model's points with those of another model: the same (person_id, year) and the same
 * true state. Every point of the model must be a point of the other (the other may have more):
 * otherwise the two were not evaluated on the same data and a paired figure would mislead.
 */
import { InvalidData, ProblemList } from '../errors';
import type { PointLosses } from './point-losses';

/** The two models' points do not pair; the message names both. */
export class PointsMismatch extends InvalidData {}

const keyOf = (p: PointLosses, i: number) => `${p.person_id[i]}\u0000${p.year[i]}`;
const show = (p: PointLosses, i: number) => `person ${p.person_id[i]} year ${p.year[i]}`;

/** For each point of `model`, its row in `other`. Throws PointsMismatch listing what does not pair. */
export function pairPoints(model: PointLosses, other: PointLosses, names: { model: string; other: string }): Int32Array {
  const rowOf = new Map<string, number>();
  const problems = new ProblemList(3);
  for (let j = 0; j < other.person_id.length; j++) {
    const k = keyOf(other, j);
    if (rowOf.has(k)) problems.add(`${names.other} has a point twice`, show(other, j));
    rowOf.set(k, j);
  }
  const seen = new Set<string>();
  const idx = new Int32Array(model.person_id.length);
  let missing = 0;
  for (let i = 0; i < idx.length; i++) {
    const k = keyOf(model, i);
    if (seen.has(k)) problems.add(`${names.model} has a point twice`, show(model, i));
    seen.add(k);
    const j = rowOf.get(k);
    if (j === undefined) {
      missing++;
      problems.add(`points of ${names.model} that are not points of ${names.other}`, show(model, i));
    } else if (other.true_code[j] !== model.true_code[i]) {
      problems.add('same person-year, different true state (different data)', `${show(model, i)}: '${model.true_code[i]}' vs '${other.true_code[j]}'`);
    }
    idx[i] = j ?? -1;
  }
  const what = missing ? `${missing} of its ${idx.length} points are not points of ${names.other}` : 'its points do not match';
  problems.throwIfAny((m, d) => new PointsMismatch(m, d), `${names.model} cannot be paired with ${names.other}: ${what}`);
  return idx;
}
