/**
 * Writes an analysis into a folder: the JSON form and one Arrow table per analysis. Everything
 * is built in memory first, then each file is written to a temporary name and renamed, so a
 * failure leaves no half-written file.
 */
import { join } from 'node:path';
import { tableToIPC } from 'apache-arrow';
import { writeFileAtomic } from '../artifacts/atomic';
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
  const tables = analysisTables(analysis);
  const files: [string, string | Uint8Array][] = [
    [ANALYSIS_FILES.json, JSON.stringify(analysis, null, 2) + '\n'],
    ...(Object.keys(tables) as AnalysisTableName[]).map((t): [string, Uint8Array] => [ANALYSIS_FILES[t], tableToIPC(tables[t], 'file')]),
  ];
  return files.map(([name, data]) => {
    const path = join(dir, name);
    writeFileAtomic(path, data);
    return path;
  });
}
