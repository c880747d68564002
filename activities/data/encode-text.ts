/** The encode step: panel -> one resume-like text per person plus the prediction points. */
import type { EncodeStepConfig } from '../../lib/config/schema';
import type { StepResult, StepRunInput } from '../../temporal/run-types';
import type { ActivityDeps } from '../deps';
import { runInThread } from '../threads/run-in-thread';

const TASKS = new URL('./encode-tasks.ts', import.meta.url).href;

export function encodeText(deps: ActivityDeps) {
  return async (input: StepRunInput): Promise<StepResult> => {
    const step = input.step as EncodeStepConfig;
    let summary: Record<string, unknown> = {};
    const artifact = await deps.store.create('text', input.key, async (dir) => {
      const { templateRef, continuation, ...rest } = await runInThread<Record<string, unknown>>(TASKS, 'writeEncodedStep', [dir, input.inputs.input.path, step]);
      summary = rest;
      return { summary, template: templateRef, continuation };
    });
    return { artifact, summary };
  };
}
