/**
 * The HTML report: one self-contained page (inline CSS and SVG, no scripts, nothing fetched)
 * for one run, or comparing several runs (a run column in the tables, charts by run).
 */
import { InvalidData } from '../errors';
import { planCharts } from './charts';
import { modelColors } from './charts/theme';
import { renderSvg } from './charts/to-svg';
import { html, type SafeHtml } from './escape';
import { flaggedTable, methodList, tooSmallTable } from './html/analysis-tables';
import { figure } from './html/figure';
import { page } from './html/page';
import { provenanceBlock } from './html/provenance';
import { pairedTable } from './html/paired-table';
import { resultsTable } from './html/results-table';
import { analysedRuns, flaggedRows, isMultiRun, oracleNames, resultRows, tooSmallRows } from './rows';
import type { ReportInput } from './types';

export async function renderReport(input: ReportInput): Promise<string> {
  checkInput(input);
  const multiRun = isMultiRun(input);
  const results = resultRows(input);
  const analysed = analysedRuns(input);
  const careerModels = input.runs.flatMap((r) => r.analysis?.trajectories?.models ?? []);
  const colors = modelColors([...results.map((r) => r.series), ...analysed.flatMap(({ a }) => a.models), ...careerModels], new Set([...oracleNames(input), 'truth']));
  const charts = planCharts(input, colors);
  const svgs = new Map<string, SafeHtml>();
  for (const c of charts) svgs.set(c.name, figure(c.name, await renderSvg(c.spec, `${c.name}-chart`), c.caption));

  const results_ = html`<section id="results"><h2>Results</h2>
${evaluationNote(input)}
${results.length ? resultsTable(results, { multiRun, multiStep: input.runs.some((r) => r.evaluations.length > 1) }) : html`<p class="note">No evaluation in ${multiRun ? 'these runs' : 'this run'}.</p>`}
${svgs.get('perplexity')}
${input.comparison ? pairedTable(input.comparison, multiRun) : html``}
</section>`;

  const flagged = flaggedRows(input);
  const representativeness = html`<section id="representativeness"><h2>Representativeness by subgroup</h2>
${analysed.length === 0
    ? html`<p class="note">No analyze step in ${multiRun ? 'these runs' : 'this run'}: no per-subgroup results.</p>`
    : html`<p>One step ahead, per subgroup: how far each model’s mean predicted next-state distribution is from the empirical one, its predicted against the actual rates, and its calibration.</p>
${svgs.get('distance')}${svgs.get('rates')}${svgs.get('calibration')}
${svgs.get('trajectories') ? html`<h3 id="careers">Whole careers</h3>${svgs.get('trajectories')}${svgs.get('transitions')}` : html``}
<h3 id="flagged">Flagged (${flagged.length})</h3>
${flaggedTable(flagged, multiRun)}
${analysed.map(({ run, a }) => html`<details class="method"><summary>How these were computed${multiRun ? ` (${run.id})` : ''}</summary>${methodList(a.method)}</details>`)}`}
</section>`;

  const small = tooSmallRows(input);
  const tooSmall = html`<section id="too-small"><h2>Subgroups too small to analyse (${small.length})</h2>
<p class="note">Below the minimum size a subgroup’s statistics are too noisy to read: they are listed here, not plotted.</p>
${analysed.length ? tooSmallTable(small, multiRun) : html`<p class="note">No analysis.</p>`}
</section>`;

  const provenance = html`<section id="provenance"><h2>Provenance</h2>${input.runs.map(provenanceBlock)}</section>`;

  return page({
    title: input.title,
    subtitle: `${multiRun ? `${input.runs.length} runs compared: ` : 'Run '}${input.runs.map((r) => r.id).join(', ')} · generated ${input.generatedAt}`,
    nav: [
      { id: 'results', label: 'Results' },
      { id: 'representativeness', label: 'Subgroups' },
      { id: 'too-small', label: 'Too small' },
      { id: 'provenance', label: 'Provenance' },
    ],
    sections: [results_, representativeness, tooSmall, provenance],
    footer: `labor-llm report · ${input.generatedAt}`,
  });
}

/** Which model each evaluation scored and on how many points. */
function evaluationNote(input: ReportInput): SafeHtml {
  const items = input.runs.flatMap((run) =>
    run.evaluations.map((e) => html`<li>${input.runs.length > 1 ? `${run.id}: ` : ''}evaluation <code>${e.step}</code> of <code>${e.model}</code>: ${Object.keys(e.models).length} models on ${e.points.toLocaleString('en-US')} points</li>`),
  );
  return items.length ? html`<ul class="note">${items}</ul>` : html``;
}

function checkInput(input: ReportInput): void {
  if (!input.runs?.length) throw new InvalidData('report: no runs to report');
  const ids = input.runs.map((r) => r.id);
  const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dup.length) throw new InvalidData(`report: run ids must differ, found ${[...new Set(dup)].join(', ')} more than once`);
}
