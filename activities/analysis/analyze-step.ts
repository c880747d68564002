/**
 * The analyze step: the one-step representativeness analysis of every model in the named
 * evaluations (the fine-tuned models, the baselines, the oracle), run in a worker thread.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FILES } from '../../lib/artifacts/contracts';
import type { AnalyzeStepConfig } from '../../lib/config/schema';
import { PROJECT_ROOT } from '../../lib/env';
import type { StepResult, StepRunInput } from '../../temporal/run-types';
import type { ActivityDeps } from '../deps';
import { runInThread } from '../threads/run-in-thread';
import type { AnalyzeTask } from './analyze-tasks';

const TASKS = new URL('./analyze-tasks.ts', import.meta.url).href;

export function analyzeEvaluations(deps: ActivityDeps) {
  return async (input: StepRunInput): Promise<StepResult> => {
    const step = input.step as AnalyzeStepConfig;
    let summary: Record<string, unknown> = {};
    const artifact = await deps.store.create('analysis', input.key, async (dir) => {
      const task: AnalyzeTask = {
        dir,
        panelDir: input.inputs.panel.path,
        encodedDir: input.inputs.text.path,
        template: deps.store.readManifest(input.inputs.text).meta.template as AnalyzeTask['template'],
        panelArtifact: `${input.inputs.panel.kind}/${input.inputs.panel.key}`,
        step,
        seed: step.seed ?? input.seed,
        scorerCommand: { python: deps.settings.LABOR_LLM_PYTHON, scorerPath: join(PROJECT_ROOT, 'scorer') },
        evaluations: step.evaluations.map((name, i) => {
          const ref = input.inputs[`evaluations.${i}`];
          return { step: name, dir: ref.path, artifact: `${ref.kind}/${ref.key}`, sha256: ref.sha256, ...scoredModel(deps, ref.path) };
        }),
      };
      summary = await runInThread<Record<string, unknown>>(TASKS, 'analyzeTask', [task]);
      return { summary };
    });
    return { artifact, summary };
  };
}

/**
 * The model folder an evaluation scored, as its metrics.json names it (a store artifact or the
 * user's folder), and whether it is a fit step's baseline (read, not scored).
 */
function scoredModel(deps: ActivityDeps, evaluationDir: string): { modelDir?: string; fitted: boolean } {
  const metrics = JSON.parse(readFileSync(join(evaluationDir, FILES.metrics), 'utf8')) as { scorer?: { kind?: string; model?: { artifact?: string; path?: string } } };
  const model = metrics.scorer?.model;
  const fitted = metrics.scorer?.kind === 'fitted';
  if (model?.path) return { modelDir: model.path, fitted };
  return { modelDir: model?.artifact ? deps.store.dirOf(...(model.artifact.split('/') as [string, string])) : undefined, fitted };
}
