/** The encode step: panel -> one resume-like text per person plus the prediction points. */
import { heartbeat } from '@temporalio/activity';
import { readPanel } from '../../lib/panel/panel-io';
import { encodePanel, writeEncoded } from '../../lib/text';
import type { EncodeStepConfig } from '../../lib/config/schema';
import type { StepResult, StepRunInput } from '../../workflows/types';
import type { ActivityDeps } from '../deps';

export function encodeText(deps: ActivityDeps) {
  return async (input: StepRunInput): Promise<StepResult> => {
    const step = input.step as EncodeStepConfig;
    heartbeat({ phase: 'reading panel' });
    const panel = readPanel(input.inputs.input.path);
    heartbeat({ phase: 'encoding' });
    const encoded = encodePanel(panel, step.template);
    const summary = {
      template: `${encoded.template.name}@${encoded.template.version}`,
      texts: encoded.texts.text.length,
      points: encoded.points.year.length,
    };
    const artifact = await deps.store.create('text', input.key, (dir) => {
      writeEncoded(dir, encoded);
      return { summary, template: encoded.template, continuation: encoded.continuation };
    });
    return { artifact, summary };
  };
}
