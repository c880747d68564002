/**
 * The report step: one self-contained HTML page (report.html) and a Markdown summary
 * (summary.md) of the run's evaluations and analysis. The run's provenance is the run so far,
 * as its manifest will record it; a cached report keeps the provenance of the run that built it.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/artifacts/atomic';
import type { ReportStepConfig } from '../../lib/config/schema';
import { runUrl } from '../../lib/env';
import { InvalidConfig } from '../../lib/errors';
import type { StepResult, StepRunInput } from '../../temporal/run-types';
import type { ActivityDeps } from '../deps';
import { runManifest } from '../run/write-manifest';
import type { EvaluationSource } from '../../lib/compare/run-evaluations';
import { gatherReportRun, readEvaluationRecords, scoredBy, type RunRecord } from '../../lib/report/gather';

export const REPORT_FILES = { html: 'report.html', markdown: 'summary.md' } as const;

export function buildReport(deps: ActivityDeps) {
  return async (input: StepRunInput): Promise<StepResult> => {
    // Loaded here: vega stays out of the worker's start-up.
    const [{ renderReport, reportMarkdown }, { compareEvaluations }] = await Promise.all([import('../../lib/report'), import('../../lib/compare')]);
    const step = input.step as ReportStepConfig;
    if (!input.run) throw new InvalidConfig(`report step '${step.name}': started without the run's record`);
    const record = runManifest({ ...input.run, status: 'running', finishedAt: Date.now() });
    const run = gatherReportRun({
      id: record.workflowId.split('@')[0],
      record,
      analysis: step.analysis ? { step: step.analysis, dir: input.inputs.analysis.path } : undefined,
      evaluations: step.evaluations.map((e, i) => ({ step: e, dir: input.inputs[`evaluations.${i}`].path })),
      webUrl: deps.settings.embedded ? runUrl(deps.settings, record.workflowId, record.runId) : undefined,
    });
    const comparison = compareEvaluations(evaluationSources(deps, input, run.id, record), { seed: input.seed });
    const report = { title: step.title ?? `${record.experiment}: ${step.name}`, runs: [run], comparison, generatedAt: new Date().toISOString() };
    const html = await renderReport(report);
    const markdown = reportMarkdown(report);
    const summary = { report: REPORT_FILES.html, evaluations: run.evaluations.length, analysis: !!run.analysis };
    const artifact = await deps.store.create('report', input.key, async (dir) => {
      writeFileAtomic(join(dir, REPORT_FILES.html), html);
      writeFileAtomic(join(dir, REPORT_FILES.markdown), markdown);
      return { summary };
    });
    return { artifact, summary };
  };
}

/**
 * The evaluations the report pairs: those the analysis drew on (found in the store by the keys it
 * recorded) and the step's own, each with the panel its points come from.
 */
function evaluationSources(deps: ActivityDeps, input: StepRunInput, run: string, record: RunRecord): EvaluationSource[] {
  const step = input.step as ReportStepConfig;
  const inStore = (artifact: string) => deps.store.dirOf(...(artifact.split('/') as [string, string]));
  const sources: EvaluationSource[] = step.analysis
    ? readEvaluationRecords(input.inputs.analysis.path, step.analysis).map((e) => ({
        run, step: e.step, scored: scoredBy(record, e.step), dir: inStore(e.artifact), panelDir: inStore(e.panel),
      }))
    : [];
  step.evaluations.forEach((e, i) => {
    if (sources.some((s) => s.step === e)) return;
    sources.push({ run, step: e, scored: scoredBy(record, e), dir: input.inputs[`evaluations.${i}`].path, panelDir: input.inputs[`panels.${i}`]?.path });
  });
  return sources;
}
