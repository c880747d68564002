/** The comparison of finished runs, from their manifests: what `labor-llm compare` prints and a report can embed. */
import { InvalidConfig } from '../errors';
import { compareEvaluations } from './compare-evaluations';
import { evaluationsOfRun, readRunManifest } from './run-evaluations';
import type { CompareOptions, CompareRunInfo, CompareTable } from './types';

/** A run to compare: its short id (how rows name it) and its manifest. */
export interface RunToCompare {
  id: string;
  manifestPath: string;
}

export function compareRuns(runs: readonly RunToCompare[], options: CompareOptions = {}): CompareTable {
  const twice = runs.filter((r, i) => runs.findIndex((o) => o.id === r.id) !== i).map((r) => r.id);
  if (twice.length) throw new InvalidConfig(`run ${twice[0]} is named twice: name each run once`);
  const info: CompareRunInfo[] = [];
  const evaluations = runs.flatMap((r) => {
    const manifest = readRunManifest(r.manifestPath);
    info.push({ id: r.id, workflowId: manifest.workflowId, runId: manifest.runId, experiment: manifest.experiment, manifestPath: r.manifestPath });
    return evaluationsOfRun(r.id, manifest, r.manifestPath);
  });
  return compareEvaluations(evaluations, options, info);
}
