/**
 * Row i of point_features.arrow describes row i of points.arrow: the same person, year and
 * previous state. Checked where the two are written together and where they are read together,
 * so a stale or reordered features file fails loudly instead of mislabelling points.
 */
import { InvalidData, ProblemList } from '../errors';
import type { PointFeatures } from './point-features';

export interface PointKeys {
  person_id: readonly string[];
  year: ArrayLike<number>;
  prev_code: readonly (string | null)[];
}

/** Throws InvalidData naming the rows whose features are missing or describe another point. */
export function checkFeaturesAlign(
  points: PointKeys, features: Pick<PointFeatures, 'person_id' | 'year' | 'prev_state'>, where: { points: string; features: string },
): void {
  const problems = new ProblemList();
  const n = points.person_id.length;
  const m = features.person_id.length;
  if (m !== n) problems.add('row counts differ', `${where.points}: ${n} points, ${where.features}: ${m} rows`);
  for (let i = 0; i < n; i++) {
    const at = `row ${i + 1}: point person '${points.person_id[i]}' year ${points.year[i]}`;
    if (i >= m) problems.add('point without its features row', at);
    else if (features.person_id[i] !== points.person_id[i] || features.year[i] !== points.year[i]) {
      problems.add('features row describes another point', `${at}, features person '${features.person_id[i]}' year ${features.year[i]}`);
    } else if (features.prev_state[i] !== points.prev_code[i]) {
      problems.add('previous state differs', `${at}: points prev_code '${points.prev_code[i]}', features prev_state '${features.prev_state[i]}'`);
    }
  }
  problems.throwIfAny((msg, d) => new InvalidData(msg, d), `${where.features} does not match ${where.points} row for row`);
}
