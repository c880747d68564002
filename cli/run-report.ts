/**
 * `labor-llm report`: finds each run's manifest, gathers its evaluations and analysis, and writes
 * one HTML page (atomically: a failure leaves no file) with its Markdown summary.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../lib/artifacts/atomic';
import { runUrl } from '../lib/env';
import { evaluationsOfRun, readRunManifest, type EvaluationSource } from '../lib/compare/run-evaluations';
import { gatherReportRun, type RunRecord } from '../lib/report/gather';
import type { ReportRun } from '../lib/report/types';
import { UsageError } from './output';
import { runOutcome } from './run-outcome';
import { findRun, type Session } from './session';

export interface GatheredRun {
  run: ReportRun;
  /** Its evaluations, with their panels: the report pairs their models' points. */
  evaluations: EvaluationSource[];
  manifestPath: string;
}

export async function gatherRunReport(session: Session, typed: string): Promise<GatheredRun> {
  const found = await findRun(session, typed);
  const { manifestPath, state } = await runOutcome(session, found);
  if (!manifestPath) throw new UsageError(`run ${found.name} has no manifest yet (it is ${state.toLowerCase()}): report it when it has finished`);
  const manifest = readRunManifest(manifestPath);
  const evaluations = evaluationsOfRun(found.name, manifest, manifestPath);
  const record = JSON.parse(readFileSync(manifestPath, 'utf8')) as RunRecord;
  const analyses = manifest.config.steps.filter((s) => s.kind === 'analyze');
  const analysis = analyses.at(-1);
  const analysisDir = analysis && manifest.steps.find((s) => s.name === analysis.name)?.output?.path;
  const run = gatherReportRun({
    id: found.name,
    record,
    analysis: analysis && analysisDir ? { step: analysis.name, dir: analysisDir } : undefined,
    evaluations: evaluations.map((e) => ({ step: e.step, dir: e.dir })),
    webUrl: session.settings.embedded ? runUrl(session.settings, found.workflowId, found.desc.runId) : undefined,
  });
  return { run, evaluations, manifestPath };
}

export async function writeReport(session: Session, gathered: GatheredRun[], out?: string): Promise<{ path: string; markdown: string }> {
  const [{ renderReport, reportMarkdown }, { compareEvaluations }] = await Promise.all([import('../lib/report'), import('../lib/compare')]);
  const runs = gathered.map((g) => g.run);
  // Pairs every model's points with its oracle's and the reference's; checks that every
  // evaluation follows one taxonomy (perplexities compare only over one set of states).
  const comparison = compareEvaluations(
    gathered.flatMap((g) => g.evaluations),
    {},
    gathered.map((g) => ({ id: g.run.id, workflowId: g.run.provenance.workflowId, runId: g.run.provenance.runId, experiment: g.run.experiment, manifestPath: g.manifestPath })),
  );
  const input = {
    title: runs.length === 1 ? `${runs[0].experiment} (${runs[0].id})` : `Comparison of ${runs.map((r) => r.id).join(', ')}`,
    runs,
    comparison,
    generatedAt: new Date().toISOString(),
  };
  const html = await renderReport(input);
  const path = out ?? join(session.settings.LABOR_LLM_HOME, 'reports', `${runs.map((r) => r.id).join('+')}.html`);
  writeFileAtomic(path, html);
  return { path, markdown: reportMarkdown(input) };
}
