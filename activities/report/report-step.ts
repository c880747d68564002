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

export const REPORT_FILES = { html: 'report.html', markdown: 'summary.md' } as const;

export function buildReport(deps: ActivityDeps) {
  return async (input: StepRunInput): Promise<StepResult> => {
    // Loaded here: vega stays out of the worker's start-up.
    const [{ gatherReportRun }, { renderReport, reportMarkdown }] = await Promise.all([import('../../lib/report/gather'), import('../../lib/report')]);
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
    const report = { title: step.title ?? `${record.experiment}: ${step.name}`, runs: [run], generatedAt: new Date().toISOString() };
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
