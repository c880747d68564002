/**
 * All activities, built by one factory with injected dependencies (tests pass their own).
 * Each is wrapped so the project's errors reach Temporal as typed, non-retryable failures.
 */
import type { ActivityDeps } from './deps';
import { typed } from './failures';
import { prepareData } from './data/prepare-data';
import { encodeText } from './data/encode-text';
import { resolveStep } from './run/resolve-step';
import { writeRunManifest } from './run/write-manifest';
import { fineTuneActivities } from './finetune/fine-tune-job';
import { evaluateActivities } from './evaluate/evaluate-activities';
import { analyzeEvaluations } from './analysis/analyze-step';
import { buildReport } from './report/report-step';
import { compareModels } from './compare/compare-step';

export function createActivities(deps: ActivityDeps) {
  const raw = {
    resolveStep: resolveStep(deps),
    writeRunManifest: writeRunManifest(deps),
    prepareData: prepareData(deps),
    encodeText: encodeText(deps),
    ...fineTuneActivities(deps),
    ...evaluateActivities(deps),
    analyzeEvaluations: analyzeEvaluations(deps),
    buildReport: buildReport(deps),
    compareModels: compareModels(deps),
  };
  return Object.fromEntries(Object.entries(raw).map(([name, fn]) => [name, typed(fn as (...a: unknown[]) => Promise<unknown>)])) as typeof raw;
}

export type { ActivityDeps } from './deps';
export { defaultDeps } from './deps';
