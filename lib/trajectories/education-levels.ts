/**
 * The education levels of a panel: the distinct values of its education column, the standard
 * ones (EDUCATION_LEVELS) first in their order, any others after them in sorted order.
 */
import { EDUCATION_LEVELS } from '../panel/panel';

export function educationLevels(values: Iterable<string>): string[] {
  const seen = new Set(values);
  const standard: string[] = EDUCATION_LEVELS.filter((e) => seen.has(e));
  const known = new Set(standard);
  return [...standard, ...[...seen].filter((e) => !known.has(e)).sort()];
}
