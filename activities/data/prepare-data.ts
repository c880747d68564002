/** The data step: a synthetic panel with its known truth, or an imported survey extract. */
import type { DataStepConfig } from '../../lib/config/schema';
import type { StepResult, StepRunInput } from '../../temporal/run-types';
import type { ActivityDeps } from '../deps';
import { runInThread } from '../threads/run-in-thread';

const TASKS = new URL('./panel-tasks.ts', import.meta.url).href;

export function prepareData(deps: ActivityDeps) {
  return async (input: StepRunInput): Promise<StepResult> => {
    const step = input.step as DataStepConfig;
    let summary: Record<string, unknown> = {};
    const artifact = await deps.store.create('panel', input.key, async (dir) => {
      summary = await runInThread(TASKS, 'writePanelStep', [dir, step, input.seed]);
      return { summary, source: step.source };
    });
    return { artifact, summary };
  };
}
