/**
 * The compare step's work, run in a worker thread: read each evaluation's metrics and
 * predictions, build the comparison table (lib/compare) and write it as JSON and Markdown.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../lib/artifacts/atomic';
import { FILES } from '../../lib/artifacts/contracts';
import { compareEvaluations, formatCompareBrief, formatCompareMarkdown, type CompareRow, type CompareRunInfo, type CompareTable, type EvaluationSource } from '../../lib/compare';
import type { CompareStepConfig } from '../../lib/config/schema';
import { InvalidConfig } from '../../lib/errors';
import type { Progress } from '../threads/run-in-thread';

export const COMPARE_FILES = { json: 'compare.json', markdown: 'compare.md' } as const;

export interface CompareTask {
  dir: string;
  /** The run the rows name. */
  run: CompareRunInfo;
  step: CompareStepConfig;
  seed: number;
  /** Each evaluate step's folder and the panel behind its text (its taxonomy). */
  evaluations: { step: string; dir: string; panelDir?: string }[];
}

export async function compareTask(task: CompareTask, progress: Progress): Promise<Record<string, unknown>> {
  progress({ phase: 'reading' });
  const heads = task.evaluations.map((e) => readMetrics(e.dir));
  const sources: EvaluationSource[] = task.evaluations.map((e, i) => {
    const model = heads[i]?.scorer?.model;
    return { run: task.run.id, step: e.step, scored: model?.step ?? model?.path, dir: e.dir, panelDir: e.panelDir };
  });
  const { step } = task;
  checkReference(step, task.evaluations.map((e, i) => ({ step: e.step, models: Object.keys(heads[i]?.models ?? {}) })));
  progress({ phase: 'pairing' });
  const reference = step.reference === 'none' ? null : step.reference;
  const table = compareEvaluations(sources, { reference, bootstrap: step.bootstrap, seed: task.seed }, [task.run]);
  progress({ phase: 'writing' });
  writeJsonAtomic(join(task.dir, COMPARE_FILES.json), table);
  writeFileAtomic(join(task.dir, COMPARE_FILES.markdown), formatCompareMarkdown(table));
  return summarize(table);
}

interface MetricsHead {
  scorer?: { model?: { step?: string; path?: string } };
  models?: Record<string, unknown>;
}

/** metrics.json's head, or undefined where it is unreadable (compareEvaluations then says why, naming the file). */
function readMetrics(dir: string): MetricsHead | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, FILES.metrics), 'utf8')) as MetricsHead;
  } catch {
    return undefined;
  }
}

/** The reference's step is checked at config load; its model only here, once the evaluations say which models they have. */
function checkReference(step: CompareStepConfig, evaluations: { step: string; models: string[] }[]): void {
  if (!step.reference || step.reference === 'none') return;
  const [refStep, model] = step.reference.split(':');
  const evaluation = evaluations.find((e) => e.step === refStep);
  if (!evaluation || evaluation.models.length === 0 || evaluation.models.includes(model)) return;
  throw new InvalidConfig(`compare step '${step.name}': reference '${step.reference}' names no model of evaluation '${refStep}'`, [
    `its models: ${evaluation.models.map((m) => `${refStep}:${m}`).join(', ')}`,
  ]);
}

/** What `run` prints: the rows, the reference and the best model other than the oracle by perplexity (null: infinite). */
function summarize(table: CompareTable): Record<string, unknown> {
  const reference = table.rows.find((r) => `${r.run}/${r.label}` === table.reference);
  const finite = table.rows.filter((r) => r.model !== 'oracle' && r.perplexity.value !== null);
  const best = finite.reduce<CompareRow | undefined>((b, r) => (!b || r.perplexity.value! < b.perplexity.value! ? r : b), undefined);
  return {
    models: table.rows.length,
    reference: reference?.label ?? 'none',
    best: best?.label ?? 'none',
    ...(best ? { bestPerplexity: best.perplexity.value } : {}),
    // Printed at the end of a run (cli/watch.ts), in place of each evaluation's own table.
    table: formatCompareBrief(table),
  };
}
