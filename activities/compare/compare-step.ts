/**
 * The compare step: one table of every model of the named evaluations (the evaluated models,
 * their baselines, their oracles), paired against the oracle and a reference, run in a worker
 * thread. The rows name this run; a cached comparison, like a cached report, names the run of
 * this experiment that built it (their cache keys name the experiment: resolve-step.ts).
 */
import type { CompareStepConfig } from '../../lib/config/schema';
import type { StepResult, StepRunInput } from '../../temporal/run-types';
import type { ActivityDeps } from '../deps';
import { runInThread } from '../threads/run-in-thread';
import type { CompareTask } from './compare-tasks';

const TASKS = new URL('./compare-tasks.ts', import.meta.url).href;

export function compareModels(deps: ActivityDeps) {
  return async (input: StepRunInput): Promise<StepResult> => {
    const step = input.step as CompareStepConfig;
    let summary: Record<string, unknown> = {};
    const artifact = await deps.store.create('comparison', input.key, async (dir) => {
      const task: CompareTask = {
        dir,
        run: { id: input.runId.split('@')[0], workflowId: input.runId, experiment: input.experiment },
        step,
        seed: step.seed ?? input.seed,
        evaluations: step.evaluations.map((name, i) => ({
          step: name,
          dir: input.inputs[`evaluations.${i}`].path,
          panelDir: input.inputs[`panels.${i}`]?.path,
        })),
      };
      summary = await runInThread<Record<string, unknown>>(TASKS, 'compareTask', [task]);
      return { summary };
    });
    return { artifact, summary };
  };
}
