/**
 * What each step kind consumes: the config keys that name earlier steps, and the step kinds
 * they may name. The workflow's dependency order and the cache keys both derive from this.
 */
import type { StepConfig, StepKind } from './schema';

export interface StepInput {
  /** The config key holding the reference (also the role name the step's activity sees). */
  key: string;
  step: string;
  kinds: StepKind[];
}

/** The artifact kind (store folder) each step kind writes. */
export const ARTIFACT_KINDS: Record<StepKind, string> = {
  data: 'panel', encode: 'text', finetune: 'model', fit: 'fitted', evaluate: 'evaluation', analyze: 'analysis', report: 'report', compare: 'comparison',
};

/**
 * The roles of a finetune step's texts: `data` for one encode step (as before pooling existed, so
 * its cache key is unchanged), `data.0`, `data.1`, ... for a pooled list, in the list's order.
 */
export function textRoles(data: string | readonly string[]): { role: string; step: string }[] {
  return typeof data === 'string' ? [{ role: 'data', step: data }] : data.map((step, i) => ({ role: `data.${i}`, step }));
}

export function stepInputs(step: StepConfig): StepInput[] {
  switch (step.kind) {
    case 'data':
      return [];
    case 'encode':
      return [{ key: 'input', step: step.input, kinds: ['data'] }];
    case 'finetune':
      return [
        ...textRoles(step.data).map(({ role, step }) => ({ key: role, step, kinds: ['encode'] as StepKind[] })),
        ...('step' in step.base ? [{ key: 'base.step', step: step.base.step, kinds: ['finetune'] as StepKind[] }] : []),
      ];
    case 'fit':
      return [
        { key: 'data', step: step.data, kinds: ['encode'] },
        ...(step.pretrain ? [{ key: 'pretrain', step: step.pretrain, kinds: ['encode'] as StepKind[] }] : []),
      ];
    case 'evaluate':
      return [
        { key: 'data', step: step.data, kinds: ['encode'] },
        ...(typeof step.model === 'string' ? [{ key: 'model', step: step.model, kinds: ['finetune', 'fit'] as StepKind[] }] : []),
      ];
    case 'analyze':
      return step.evaluations.map((e, i) => ({ key: `evaluations.${i}`, step: e, kinds: ['evaluate'] }));
    case 'report':
      return [
        ...(step.analysis ? [{ key: 'analysis', step: step.analysis, kinds: ['analyze'] as StepKind[] }] : []),
        ...step.evaluations.map((e, i) => ({ key: `evaluations.${i}`, step: e, kinds: ['evaluate'] as StepKind[] })),
      ];
    case 'compare':
      return step.evaluations.map((e, i) => ({ key: `evaluations.${i}`, step: e, kinds: ['evaluate'] }));
  }
}

/**
 * Inputs a step reads behind the steps it names, by role -> step name: an evaluation and an
 * analysis read the panel (taxonomy, persons, oracle) behind their encoded text; an analysis also
 * that text (its template, its train and valid points); a report or a comparison, the panel of
 * each evaluation it names (`panels.<i>`), to pair their models' points.
 */
export function derivedInputs(steps: readonly StepConfig[], step: StepConfig): Record<string, string> {
  const byName = (name: string) => steps.find((s) => s.name === name);
  const textOf = (evaluation: string | undefined) => {
    const e = evaluation === undefined ? undefined : byName(evaluation);
    return e?.kind === 'evaluate' ? byName(e.data) : undefined;
  };
  const panelOf = (evaluation: string | undefined) => {
    const text = textOf(evaluation);
    return text?.kind === 'encode' ? text.input : undefined;
  };
  const out: Record<string, string> = {};
  const set = (role: string, name: string | undefined) => {
    if (name !== undefined) out[role] = name;
  };
  switch (step.kind) {
    case 'evaluate':
      set('panel', panelOf(step.name));
      break;
    case 'fit':
      // The taxonomy (states in distribution order) is the panel's.
      set('panel', byName(step.data)?.kind === 'encode' ? (byName(step.data) as { input: string }).input : undefined);
      break;
    case 'analyze':
      set('panel', panelOf(step.evaluations[0]));
      set('text', textOf(step.evaluations[0])?.name);
      break;
    case 'report':
    case 'compare':
      step.evaluations.forEach((e, i) => set(`panels.${i}`, panelOf(e)));
      break;
  }
  return out;
}

/**
 * Every input a step's activity sees, by role: the steps it names and those behind them
 * (derivedInputs), each as `artifactOf` gives it. The workflow and a fully cached rerun
 * (cli/cached-run.ts) build their cache lookups from this one place.
 */
export function inputArtifacts<T>(steps: readonly StepConfig[], step: StepConfig, artifactOf: (name: string) => T): Record<string, T> {
  const inputs: Record<string, T> = Object.fromEntries(stepInputs(step).map((i) => [i.key, artifactOf(i.step)]));
  for (const [role, name] of Object.entries(derivedInputs(steps, step))) inputs[role] = artifactOf(name);
  return inputs;
}
