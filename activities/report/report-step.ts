/**
 * The report step: one self-contained HTML page (report.html) and a Markdown summary
 * (summary.md) of the run's evaluations and analysis. The run's provenance is the run so far,
 * as its manifest will record it; a cached report keeps the provenance of the run of this
 * experiment that built it.
 * The work runs in a worker thread (report-tasks.ts).
 */
import type { ReportStepConfig } from '../../lib/config/schema';
import { runUrl } from '../../lib/env';
import { InvalidConfig } from '../../lib/errors';
import type { StepResult, StepRunInput } from '../../temporal/run-types';
import type { ActivityDeps } from '../deps';
import { runManifest } from '../run/write-manifest';
import type { EvaluationSource } from '../../lib/compare/run-evaluations';
import { readEvaluationRecords, scoredBy, type RunRecord } from '../../lib/report/gather';
import { runInThread } from '../threads/run-in-thread';
import type { ReportTask } from './report-tasks';

const TASKS = new URL('./report-tasks.ts', import.meta.url).href;

export function buildReport(deps: ActivityDeps) {
  return async (input: StepRunInput): Promise<StepResult> => {
    const step = input.step as ReportStepConfig;
    if (!input.run) throw new InvalidConfig(`report step '${step.name}': started without the run's record`);
    const record = runManifest({ ...input.run, status: 'running', finishedAt: Date.now() });
    const id = record.workflowId.split('@')[0];
    let summary: Record<string, unknown> = {};
    const artifact = await deps.store.create('report', input.key, async (dir) => {
      const task: ReportTask = {
        dir,
        title: step.title ?? `${record.experiment}: ${step.name}`,
        gather: {
          id,
          record,
          analysis: step.analysis ? { step: step.analysis, dir: input.inputs.analysis.path } : undefined,
          evaluations: step.evaluations.map((e, i) => ({ step: e, dir: input.inputs[`evaluations.${i}`].path })),
          webUrl: deps.settings.embedded ? runUrl(deps.settings, record.workflowId, record.runId) : undefined,
        },
        sources: evaluationSources(deps, input, id, record),
        seed: input.seed,
      };
      summary = await runInThread<Record<string, unknown>>(TASKS, 'reportTask', [task]);
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
