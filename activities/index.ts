/**
 * All activities, built by one factory with injected dependencies (tests pass their own).
 * Each is wrapped so the project's errors reach Temporal as typed, non-retryable failures.
 */
import { Context } from '@temporalio/activity';
import type { Settings } from '../lib/env';
import { activityDeps, type ActivityDeps } from './deps';
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

/**
 * Hashing a large artifact is progress: it heartbeats the activity doing it, so an activity
 * whose thread work is done does not time out while its files are hashed (none of these
 * activities resumes from heartbeat details). Outside an activity it does nothing.
 */
function heartbeatWhileHashing(): void {
  try {
    Context.current().heartbeat();
  } catch {
    /* not inside an activity (the CLI, a test) */
  }
}

/** The store of these settings, with hashing heartbeating the activity that does it. */
export function defaultDeps(settings: Settings): ActivityDeps {
  return activityDeps(settings, heartbeatWhileHashing);
}
