/** Shared tiny fixtures for the predictions, metrics and baselines tests. */
import { makeTaxonomy, type Taxonomy } from '../../lib/panel/taxonomy';
import type { PredictionPoints } from '../../lib/predict/types';

/** Two occupations + the three special states appended by makeTaxonomy: K = 5. */
export function tinyTaxonomy(): Taxonomy {
  return makeTaxonomy([
    { code: 'a', title: 'Alpha worker', kind: 'occupation' },
    { code: 'b', title: 'Beta worker', kind: 'occupation' },
  ]);
}

export function points(rows: [string, number, string, string | null][]): PredictionPoints {
  return {
    person_id: rows.map((r) => r[0]),
    year: Int32Array.from(rows.map((r) => r[1])),
    true_code: rows.map((r) => r[2]),
    prev_code: rows.map((r) => r[3]),
  };
}
