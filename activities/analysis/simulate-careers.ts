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
import { createScorer, createTorchScorer, torchModelProblems, type Scorer, type TorchCommand } from '../../lib/lm';
import type { Panel } from '../../lib/panel/panel';
import { continuationFor, getTemplate, type TemplateRef } from '../../lib/text';
import {
  baselineSampler, careersFromPanel, compareTrajectories, educationCandidates, educationLevels, educationTransitions, lmSampler, simulateTrajectories,
  truthSampler, type NextStateSampler, type Simulation, type TrajectoryAnalysis,
} from '../../lib/trajectories';
import type { Progress } from '../threads/run-in-thread';
import { baselineData } from '../evaluate/baseline-points';

export interface CareerModels {
  /** Evaluated models: name (the evaluate step) and model folder. */
  models: { name: string; modelDir?: string }[];
  encodedDir: string;
  template: TemplateRef;
  /** How to start the torch scorer, for trajectories.scorer.backend torch. */
  scorerCommand?: TorchCommand;
}

export async function simulateCareers(
  panel: Panel, step: AnalyzeStepConfig, seed: number, sources: CareerModels, groups: ReadonlyMap<string, string>, progress: Progress,
): Promise<TrajectoryAnalysis> {
  const t = step.trajectories!;
  const careers = careersFromPanel(panel);
  // Generated education: samplers without an education model of their own draw it from the training split's transitions.
  const levels = educationLevels(panel.personYears.education);
  const generated = t.education === 'generated';
  const options = {
    prefixYears: t.prefixYears, horizon: t.horizon, draws: t.draws, seed, education: t.education,
    educationModel: generated ? educationTransitions(careersFromPanel(panel, { split: 'train' }), levels) : undefined,
  };
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
    const scorer = await trajectoryScorer(step, m, labels, sources.scorerCommand);
    // The model's own education model: a second scorer over every (level, state) line remainder (lib/trajectories/lm-education.ts).
    const eduCandidates = generated ? educationCandidates(template, panel.taxonomy, levels) : null;
    let eduScorer: Scorer | null = null;
    try {
      if (eduCandidates) eduScorer = await trajectoryScorer(step, m, eduCandidates, sources.scorerCommand);
      await simulate(lmSampler({ scorer, template: sources.template, name: m.name, ...(eduScorer && { education: { scorer: eduScorer, levels } }) }));
    } finally {
      await scorer.release();
      await eduScorer?.release();
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

/** The scorer a model's careers are sampled through (trajectories.scorer): the ONNX fast scorer, or the torch backend. */
async function trajectoryScorer(step: AnalyzeStepConfig, m: { name: string; modelDir?: string }, candidates: string[], command?: TorchCommand): Promise<Scorer> {
  const s = step.trajectories!.scorer;
  const where = `analyze step '${step.name}': trajectories are simulated through the ${s.backend === 'torch' ? 'torch' : 'ONNX'} scorer, and the model evaluated by '${m.name}'`;
  if (s.backend === 'torch') {
    const problems = m.modelDir ? torchModelProblems(m.modelDir) : [];
    if (!m.modelDir || problems.length) {
      throw new InvalidConfig(
        `${where} has no HF weights${m.modelDir ? ` in ${m.modelDir} (${problems.join('; ')})` : ''}: ` +
          'trajectories.scorer.backend torch needs config.json and HF weights or LoRA adapters (as the trainer writes them); use backend onnx for an ONNX-only folder',
      );
    }
    if (!command) throw new Error('simulateCareers: trajectories.scorer.backend torch needs sources.scorerCommand (the python and scorer folder)');
    return createTorchScorer({ command, modelDir: m.modelDir, candidates, device: s.device, dtype: s.dtype });
  }
  if (!m.modelDir || !existsSync(join(m.modelDir, 'onnx', 'model.onnx'))) {
    throw new InvalidConfig(
      `${where} has no onnx/model.onnx${m.modelDir ? ` in ${m.modelDir}` : ''}: export it (export: onnx), use trajectories.scorer.backend torch, or leave out trajectories`,
    );
  }
  return createScorer({ modelDir: m.modelDir, candidates, kind: 'fast' });
}
