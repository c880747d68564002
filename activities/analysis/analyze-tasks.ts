/**
 * The analyze step's work, run in a worker thread: read each evaluation's predictions, analyse
 * them against the panel's persons, write the analysis tables, and keep a copy of each
 * evaluation's metrics so the report needs nothing but this artifact.
 *
 * Models are named by their evaluate step (the fine-tuned or foundation model it scored); the
 * baselines and the oracle, the same in every evaluation of the same points, come from the first
 * evaluation that has them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../lib/artifacts/atomic';
import { FILES, type PersonRow } from '../../lib/artifacts/contracts';
import { analyzeOneStep, codePrefixGroups, writeOneStepAnalysis, type AnalysisModel, type OneStepAnalysis } from '../../lib/analysis';
import type { AnalyzeStepConfig } from '../../lib/config/schema';
import { InvalidData } from '../../lib/errors';
import type { TorchCommand } from '../../lib/lm';
import { readPanel } from '../../lib/panel/panel-io';
import { readPredictions } from '../../lib/predict';
import { EVALUATIONS_FILE, type EvaluationRecord } from '../../lib/report/gather';
import type { TemplateRef } from '../../lib/text';
import { writeTrajectoryAnalysis } from '../../lib/trajectories';
import type { Progress } from '../threads/run-in-thread';
import { simulateCareers } from './simulate-careers';

export interface AnalyzeTask {
  dir: string;
  panelDir: string;
  /** The evaluations' encoded text: its template and its train/valid points (careers, baselines). */
  encodedDir: string;
  template: TemplateRef;
  /** `panel/<key>`: recorded with each evaluation, so a report can pair their points. */
  panelArtifact: string;
  step: AnalyzeStepConfig;
  seed: number;
  /** How to start the torch scorer (trajectories.scorer.backend torch); plain strings, as the task runs in a worker thread. */
  scorerCommand: TorchCommand;
  /** `fitted`: a fit step's baseline, which has distributions at the points but no sampler for whole careers. */
  evaluations: { step: string; dir: string; artifact: string; sha256: string; modelDir?: string; fitted?: boolean }[];
}


export async function analyzeTask(task: AnalyzeTask, progress: Progress): Promise<Record<string, unknown>> {
  const panel = readPanel(task.panelDir);
  const models: AnalysisModel[] = [];
  const records: EvaluationRecord[] = [];
  for (const e of task.evaluations) {
    const metrics = readMetricsJson(e.dir, e.step);
    const record: EvaluationRecord = { step: e.step, artifact: e.artifact, panel: task.panelArtifact, sha256: e.sha256, models: {}, metrics };
    for (const folder of Object.keys(metrics.models)) {
      const name = folder === 'model' ? e.step : folder;
      if (models.some((m) => m.name === name)) continue;
      progress({ phase: 'reading', model: name });
      models.push({ name, predictions: readPredictions(join(e.dir, folder)), taxonomy: panel.taxonomy, oracle: folder === 'oracle' });
      record.models[name] = folder;
    }
    records.push(record);
  }
  // The fine-tuned models first: their points are the ones every model is lined up on.
  models.sort((a, b) => rank(a, task) - rank(b, task));

  progress({ phase: 'analysis' });
  const { step } = task;
  const groups = codePrefixGroups(panel.taxonomy, step.groupDigits);
  const analysis: OneStepAnalysis = analyzeOneStep(
    { taxonomy: panel.taxonomy, persons: panel.persons, personYears: panel.personYears, models, groups },
    {
      subgroups: step.subgroups, minPersons: step.minPersons, minPoints: step.minPoints, bootstrap: step.bootstrap, seed: task.seed,
      // Survey weights where the panel has them (an imported table's weight column).
      weightColumn: panel.persons.some((p) => (p as PersonRow & { weight?: number }).weight !== undefined) ? 'weight' : undefined,
    },
  );
  const trajectories = step.trajectories
    ? await simulateCareers(panel, step, task.seed, {
        models: task.evaluations.filter((e) => !e.fitted).map((e) => ({ name: e.step, modelDir: e.modelDir })), encodedDir: task.encodedDir, template: task.template,
        scorerCommand: task.scorerCommand,
      }, groups, progress)
    : undefined;
  progress({ phase: 'writing' });
  writeOneStepAnalysis(task.dir, analysis);
  if (trajectories) writeTrajectoryAnalysis(task.dir, trajectories);
  writeJsonAtomic(join(task.dir, EVALUATIONS_FILE), records);
  return { ...summarize(analysis), ...(trajectories ? { trajectoryModels: trajectories.models.length } : {}) };
}

const rank = (m: AnalysisModel, task: AnalyzeTask) => {
  const i = task.evaluations.findIndex((e) => e.step === m.name);
  return i >= 0 ? i : task.evaluations.length + (m.oracle ? 1 : 0);
};

function readMetricsJson(dir: string, step: string): EvaluationRecord['metrics'] {
  const file = join(dir, FILES.metrics);
  if (!existsSync(file)) throw new InvalidData(`evaluation '${step}': ${file} is missing; rerun the evaluate step`);
  const metrics = JSON.parse(readFileSync(file, 'utf8')) as EvaluationRecord['metrics'];
  if (!metrics?.models || typeof metrics.models !== 'object') throw new InvalidData(`evaluation '${step}': ${file} has no 'models' object`);
  return metrics;
}

/** The step's summary: how many subgroups were analysed, and which model/subgroup pairs were flagged. */
function summarize(a: OneStepAnalysis): Record<string, unknown> {
  const ok = a.subgroups.filter((g) => g.status === 'ok').length;
  const flagged = a.results.filter((r) => r.rates && (r.rates.change.flagged || r.rates.nonemployment.flagged)).map((r) => `${r.model}@${r.subgroup}`);
  const exceeds = a.results.filter((r) => r.distances?.state.tv.exceeds_oracle).map((r) => `${r.model}@${r.subgroup}`);
  return { models: a.models, subgroups: a.subgroups.length, tooSmall: a.subgroups.length - ok, flaggedRates: flagged.length, exceedsOracle: exceeds.length };
}
