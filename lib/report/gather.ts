/**
 * Gathers one run's report input from its files: the run's record (a run manifest, or the run so
 * far for the report step), the analyze step's folder (one_step.json and the evaluations' metrics
 * it kept) and any further evaluate step folders (metrics.json).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANALYSIS_FILES } from '../analysis/write';
import { scoredModel } from '../compare/run-evaluations';
import { FILES } from '../artifacts/contracts';
import type { StepKind } from '../config/schema';
import { ARTIFACT_KINDS } from '../config/steps';
import { InvalidData } from '../errors';
import type { EvalMetrics } from '../metrics/evaluate';
import type { OneStepAnalysis } from '../analysis/types';
import type { TrajectoryAnalysis } from '../trajectories/analysis-types';
import { TRAJECTORY_FILES } from '../trajectories/write';
import type { ReportEvaluation, ReportProvenance, ReportRun } from './types';

/** The parts of a run manifest (temporal/run-types.ts RunManifest) a report reads. */
export interface RunRecord {
  workflowId: string;
  runId: string;
  experiment: string;
  configFile?: string;
  configHash: string;
  codeCommit: string | null;
  packages: Record<string, string>;
  seeds: Record<string, number | undefined>;
  startedAt?: string;
  finishedAt?: string;
  steps: { name: string; kind: string; cached?: boolean; key?: string; output?: { path: string; sha256: string } }[];
  config: { name: string; description?: string; steps: { name: string; kind: string; model?: unknown }[] };
}

export interface GatherInput {
  id: string;
  record: RunRecord;
  analysis?: { step: string; dir: string };
  evaluations: { step: string; dir: string }[];
  webUrl?: string;
}

/** In an analysis folder, beside the analysis: the evaluations it drew on, each with its metrics.json. */
export const EVALUATIONS_FILE = 'evaluations.json';

/** One entry of evaluations.json. */
export interface EvaluationRecord {
  step: string;
  /** `evaluation/<key>` and `panel/<key>` in the store. */
  artifact: string;
  panel: string;
  sha256: string;
  /** Analysis model name -> the evaluation's model folder it was read from. */
  models: Record<string, string>;
  metrics: { points: number; models: Record<string, unknown>; [key: string]: unknown };
}

export function readEvaluationRecords(analysisDir: string, step: string): EvaluationRecord[] {
  return readJson<EvaluationRecord[]>(join(analysisDir, EVALUATIONS_FILE), `analysis '${step}'`);
}

export function gatherReportRun(input: GatherInput): ReportRun {
  const { record } = input;
  const evaluations: ReportEvaluation[] = [];
  let analysis: ReportRun['analysis'];
  if (input.analysis) {
    const { step, dir } = input.analysis;
    const careers = join(dir, TRAJECTORY_FILES.json);
    analysis = {
      step,
      oneStep: readJson<OneStepAnalysis>(join(dir, ANALYSIS_FILES.json), `analysis '${step}'`),
      trajectories: existsSync(careers) ? readJson<TrajectoryAnalysis>(careers, `analysis '${step}'`) : undefined,
    };
    for (const e of readEvaluationRecords(dir, step)) evaluations.push(evaluationOf(e.step, e.metrics as unknown as MetricsFile, record));
  }
  for (const { step, dir } of input.evaluations) {
    if (evaluations.some((e) => e.step === step)) continue;
    evaluations.push(evaluationOf(step, readJson<MetricsFile>(join(dir, FILES.metrics), `evaluation '${step}'`), record));
  }
  return {
    id: input.id,
    experiment: record.experiment,
    description: record.config.description,
    provenance: provenanceOf(input),
    evaluations,
    analysis,
  };
}

interface MetricsFile {
  points: number;
  models: Record<string, EvalMetrics>;
}

function evaluationOf(step: string, metrics: MetricsFile, record: RunRecord): ReportEvaluation {
  return { step, model: scoredBy(record, step) ?? step, models: metrics.models, points: metrics.points };
}

/** What an evaluate step of the run scored: its finetune step, or the model folder. */
export function scoredBy(record: Pick<RunRecord, 'config'>, step: string): string | undefined {
  return scoredModel(record.config.steps.find((s) => s.name === step));
}

function provenanceOf({ record, webUrl }: GatherInput): ReportProvenance {
  return {
    workflowId: record.workflowId,
    runId: record.runId,
    webUrl,
    configFile: record.configFile,
    configHash: record.configHash,
    codeCommit: record.codeCommit,
    packages: record.packages,
    seeds: record.seeds,
    artifacts: record.steps.map((s) => ({
      step: s.name,
      kind: s.kind,
      artifact: s.key ? `${ARTIFACT_KINDS[s.kind as StepKind] ?? s.kind}/${s.key}` : undefined,
      sha256: s.output?.sha256,
      cached: s.cached,
    })),
    config: record.config,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
  };
}

function readJson<T>(file: string, what: string): T {
  if (!existsSync(file)) throw new InvalidData(`${what}: ${file} is missing`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new InvalidData(`${what}: ${file} is not valid JSON (${(err as Error).message})`);
  }
}
