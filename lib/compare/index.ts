/** Comparing the models of finished runs: the table, its paired figures and its renderings. */
export { compareRuns, type RunToCompare } from './compare-runs';
export { compareEvaluations } from './compare-evaluations';
export { evaluationsOfRun, readRunManifest, type EvaluationSource, type ManifestForCompare } from './run-evaluations';
export { pairPoints, PointsMismatch } from './pair-points';
export { pairedExcess, type PairedExcess, type PairedOptions } from './paired-excess';
export { readPointLosses, pointLossesOf, type PointLosses } from './point-losses';
export { formatCompareBrief, formatCompareText } from './format-text';
export { formatCompareMarkdown } from './format-markdown';
export type { CompareOptions, CompareRow, CompareRunInfo, CompareTable, Estimate, Paired } from './types';
