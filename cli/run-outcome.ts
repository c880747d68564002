/**
 * How a run ended and where its manifest is: `status` prints it, `compare` reads the manifest.
 * A succeeded run names its manifest in its result, a failed one at the end of its failure; a
 * cancelled run's manifest is where this store's workers write it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunExperimentResult } from '../temporal/run-types';
import type { FoundRun, Session } from './session';

export interface RunOutcome {
  /** Temporal's execution status name (RUNNING, COMPLETED, FAILED...). */
  state: string;
  result?: RunExperimentResult;
  /** The failure's message, for a run that ended without succeeding. */
  failure?: string;
  manifestPath?: string;
}

const ENDED_BADLY = new Set(['FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT']);

export async function runOutcome(session: Session, run: Pick<FoundRun, 'handle' | 'desc' | 'workflowId'>): Promise<RunOutcome> {
  const state = run.desc.status.name;
  const result = state === 'COMPLETED' ? ((await run.handle.result()) as RunExperimentResult) : undefined;
  const failure = ENDED_BADLY.has(state)
    ? await run.handle.result().then(() => undefined, (err: Error) => (err.cause as Error | undefined)?.message ?? err.message)
    : undefined;
  const written = join(session.settings.LABOR_LLM_HOME, 'runs', run.workflowId, run.desc.runId, 'manifest.json');
  const manifestPath = result?.manifestPath ?? failure?.match(/\nmanifest: (.*)$/)?.[1] ?? (existsSync(written) ? written : undefined);
  return { state, result, failure, manifestPath };
}
