/**
 * Writes an analysis into a folder: the JSON form and one Arrow table per analysis. Everything
 * is built in memory first, then each file is written to a temporary name and renamed, so a
 * failure leaves no half-written file.
 */
import { writeResult } from '../artifacts/result-tables';
import { analysisTables, type AnalysisTableName } from './tables';
import type { OneStepAnalysis } from './types';

export const ANALYSIS_FILES: Record<'json' | AnalysisTableName, string> = {
  json: 'one_step.json',
  subgroup_distances: 'subgroup_distances.arrow',
  subgroup_rates: 'subgroup_rates.arrow',
  subgroup_calibration: 'subgroup_calibration.arrow',
};

/** Writes the analysis into `dir` (created if needed); returns the paths written. */
export function writeOneStepAnalysis(dir: string, analysis: OneStepAnalysis): string[] {
  return writeResult(dir, ANALYSIS_FILES, analysis, analysisTables(analysis));
}
