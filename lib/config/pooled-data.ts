/**
 * Checks of a finetune step that pools several encode steps' texts (`data: [a, b]`), beyond the
 * reference checks every input gets: each step once, and one text template for all, since a model
 * trained on two formats would be scored on one of them.
 */
import { getTemplate } from '../text/templates';
import type { FinetuneStepConfig, StepConfig } from './schema';
import { textRoles } from './steps';

/** Problems by key (`data.1`), for the caller to place at `steps[i].data[1]`. */
export function pooledDataProblems(step: FinetuneStepConfig, byName: ReadonlyMap<string, StepConfig>): { key: string; message: string }[] {
  if (typeof step.data === 'string') return [];
  const problems: { key: string; message: string }[] = [];
  let first: { index: number; step: string; template: string } | undefined;
  textRoles(step.data).forEach(({ role, step: name }, i) => {
    const earlier = step.data.indexOf(name);
    if (earlier !== i) {
      problems.push({ key: role, message: `'${name}' is listed twice (also data[${earlier}]); pool each encode step once` });
      return;
    }
    const encode = byName.get(name);
    if (encode?.kind !== 'encode') return; // reported by the reference check
    let template: string;
    try {
      const t = getTemplate(encode.template);
      template = `${t.name}@${t.version}`;
    } catch {
      return; // an unknown template is reported at the encode step
    }
    if (!first) first = { index: i, step: name, template };
    else if (template !== first.template) {
      problems.push({
        key: role,
        message: `step '${name}' encodes with template ${template}, but '${first.step}' (data[${first.index}]) with ${first.template}; pooled texts must share one template`,
      });
    }
  });
  return problems;
}
