/**
 * Writes a trajectory comparison into a folder: the JSON form and its Arrow tables, all built
 * in memory first, each file written to a temporary name and renamed (nothing half-written).
 */
import { join } from 'node:path';
import { tableToIPC } from 'apache-arrow';
import { writeFileAtomic } from '../artifacts/atomic';
import type { TrajectoryAnalysis } from './analysis-types';
import { trajectoryTables, type TrajectoryTableName } from './tables';

export const TRAJECTORY_FILES: Record<'json' | TrajectoryTableName, string> = {
  json: 'trajectories.json',
  trajectory_measures: 'trajectory_measures.arrow',
  trajectory_transitions: 'trajectory_transitions.arrow',
};

/** Writes the comparison into `dir` (created if needed); returns the paths written. */
export function writeTrajectoryAnalysis(dir: string, analysis: TrajectoryAnalysis): string[] {
  const tables = trajectoryTables(analysis);
  const files: [string, string | Uint8Array][] = [
    [TRAJECTORY_FILES.json, JSON.stringify(analysis, null, 2) + '\n'],
    ...(Object.keys(tables) as TrajectoryTableName[]).map((t): [string, Uint8Array] => [TRAJECTORY_FILES[t], tableToIPC(tables[t], 'file')]),
  ];
  return files.map(([name, data]) => {
    const path = join(dir, name);
    writeFileAtomic(path, data);
    return path;
  });
}
