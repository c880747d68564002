/**
 * The analyze step's whole-career part: every evaluated model (through the ONNX scorer, in the
 * text template its data was encoded with), the chosen baselines and, on synthetic data, the
 * truth simulate the test persons' careers after their first `prefixYears` observed years; the
 * simulations are compared with the observed careers and the truth's, per subgroup and horizon.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fitBaseline } from '../../lib/baselines';
import type { AnalyzeStepConfig } from '../../lib/config/schema';
import { InvalidConfig } from '../../lib/errors';
import { createScorer } from '../../lib/lm';
import type { Panel } from '../../lib/panel/panel';
import { continuationFor, getTemplate, type TemplateRef } from '../../lib/text';
import {
  baselineSampler, careersFromPanel, compareTrajectories, lmSampler, simulateTrajectories, truthSampler, type NextStateSampler, type Simulation,
  type TrajectoryAnalysis,
} from '../../lib/trajectories';
import type { Progress } from '../threads/run-in-thread';
import { baselineData } from '../evaluate/baseline-points';

export interface CareerModels {
  /** Evaluated models: name (the evaluate step) and model folder. */
  models: { name: string; modelDir?: string }[];
  encodedDir: string;
  template: TemplateRef;
}

export async function simulateCareers(
  panel: Panel, step: AnalyzeStepConfig, seed: number, sources: CareerModels, groups: ReadonlyMap<string, string>, progress: Progress,
): Promise<TrajectoryAnalysis> {
  const t = step.trajectories!;
  const careers = careersFromPanel(panel);
  const options = { prefixYears: t.prefixYears, horizon: t.horizon, draws: t.draws, seed };
  const simulations: Simulation[] = [];
  const simulate = async (sampler: NextStateSampler) => {
    progress({ phase: 'simulating', model: sampler.name });
    simulations.push(await simulateTrajectories(careers, sampler, {
      ...options,
      onProgress: (year, years) => progress({ phase: 'simulating', model: sampler.name, year, years }),
    }));
  };

  const template = getTemplate(sources.template);
  const labels = panel.taxonomy.rows.map((row) => continuationFor(template, row).slice(1, -1));
  for (const m of sources.models) {
    if (!m.modelDir || !existsSync(join(m.modelDir, 'onnx', 'model.onnx'))) {
      throw new InvalidConfig(
        `analyze step '${step.name}': trajectories are simulated through the ONNX scorer, and the model evaluated by '${m.name}' has no onnx/model.onnx` +
          `${m.modelDir ? ` in ${m.modelDir}` : ''}: export it (export: onnx) or leave out trajectories`,
      );
    }
    const scorer = await createScorer({ modelDir: m.modelDir, candidates: labels, kind: 'fast' });
    try {
      await simulate(lmSampler({ scorer, template: sources.template, name: m.name }));
    } finally {
      await scorer.release();
    }
  }
  if (t.baselines.length) {
    const data = baselineData(sources.encodedDir, t.baselines);
    for (const name of t.baselines) await simulate(baselineSampler(fitBaseline(name, data.train, panel.taxonomy, {}, data.valid), name));
  }
  if (panel.oracle) await simulate(truthSampler(panel.taxonomy));

  progress({ phase: 'comparing careers' });
  return compareTrajectories(
    { careers, simulations, truth: panel.oracle ? 'truth' : undefined, groups },
    // Person-bootstrap intervals as the one-step analysis has them; survey weights where persons carry them.
    { subgroups: step.subgroups, minPersons: step.minPersons, bootstrap: step.bootstrap, seed },
  );
}
