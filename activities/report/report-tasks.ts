/**
 * The report step's work, run in a worker thread (reading every model's predictions to pair them,
 * the bootstrap, rendering the charts): gather the run's evaluations and analysis, pair the
 * models, render report.html and summary.md into the artifact's folder.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/artifacts/atomic';
import { compareEvaluations } from '../../lib/compare';
import type { EvaluationSource } from '../../lib/compare/run-evaluations';
import { renderReport, reportMarkdown } from '../../lib/report';
import { gatherReportRun, type GatherInput } from '../../lib/report/gather';
import type { Progress } from '../threads/run-in-thread';

export const REPORT_FILES = { html: 'report.html', markdown: 'summary.md' } as const;

export interface ReportTask {
  dir: string;
  title: string;
  gather: GatherInput;
  /** The evaluations to pair, each with the panel its points come from. */
  sources: EvaluationSource[];
  seed: number;
}

export async function reportTask(task: ReportTask, progress: Progress): Promise<Record<string, unknown>> {
  const run = gatherReportRun(task.gather);
  progress({ phase: 'pairing models' });
  const comparison = compareEvaluations(task.sources, { seed: task.seed });
  progress({ phase: 'rendering' });
  const report = { title: task.title, runs: [run], comparison, generatedAt: new Date().toISOString() };
  writeFileAtomic(join(task.dir, REPORT_FILES.html), await renderReport(report));
  writeFileAtomic(join(task.dir, REPORT_FILES.markdown), reportMarkdown(report));
  return { report: REPORT_FILES.html, evaluations: run.evaluations.length, analysis: !!run.analysis };
}
