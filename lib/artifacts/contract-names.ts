/**
 * The contracts' names and enumerations (contracts.ts re-exports them), apart from its Arrow
 * code: the store, the taxonomy and a fully cached rerun load no Arrow.
 */

export type Split = 'train' | 'valid' | 'test';
export const SPLITS: readonly Split[] = ['train', 'valid', 'test'];

export type StateKind = 'occupation' | 'unemployed' | 'not_in_labor_force' | 'in_education';
export const STATE_KINDS: readonly StateKind[] = ['occupation', 'unemployed', 'not_in_labor_force', 'in_education'];
/** States that count as "not employed" for the P(non-employment) task. */
export const NONEMPLOYMENT_KINDS: readonly StateKind[] = ['unemployed', 'not_in_labor_force', 'in_education'];

/** File names inside each artifact folder. */
export const FILES = {
  persons: 'persons.arrow',
  personYears: 'person_years.arrow',
  taxonomy: 'taxonomy.arrow',
  oracle: 'oracle.arrow',
  texts: 'texts.arrow',
  points: 'points.arrow',
  pointFeatures: 'point_features.arrow',
  predictions: 'predictions.arrow',
  metrics: 'metrics.json',
  manifest: 'manifest.json',
} as const;
