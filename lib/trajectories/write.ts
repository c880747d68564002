/**
 * Writes a trajectory comparison into a folder: the JSON form and its Arrow tables, all built
 * in memory first, each file written to a temporary name and renamed (nothing half-written).
 */
import { writeResult } from '../artifacts/result-tables';
import type { TrajectoryAnalysis } from './analysis-types';
import { trajectoryTables, type TrajectoryTableName } from './tables';

export const TRAJECTORY_FILES: Record<'json' | TrajectoryTableName, string> = {
  json: 'trajectories.json',
  trajectory_measures: 'trajectory_measures.arrow',
  trajectory_transitions: 'trajectory_transitions.arrow',
};

/** Writes the comparison into `dir` (created if needed); returns the paths written. */
export function writeTrajectoryAnalysis(dir: string, analysis: TrajectoryAnalysis): string[] {
  return writeResult(dir, TRAJECTORY_FILES, analysis, trajectoryTables(analysis));
}
