/** A run's provenance: ids (with the Temporal Web UI link), code, packages, seeds, artifact digests, config. */
import { stringify } from 'yaml';
import { html, safeUrl, type SafeHtml } from '../escape';
import type { ReportRun } from '../types';
import { table } from './table';

export function provenanceBlock(run: ReportRun): SafeHtml {
  const p = run.provenance;
  const url = safeUrl(p.webUrl);
  const facts: [string, SafeHtml | string][] = [
    ['experiment', run.experiment],
    ['workflow id', html`<span class="mono">${p.workflowId}</span>`],
    ['run id', url ? html`<a class="mono" href="${url}">${p.runId}</a>` : html`<span class="mono">${p.runId}</span>`],
    ...(p.configFile ? [['config file', html`<span class="mono">${p.configFile}</span>`] as [string, SafeHtml]] : []),
    ['config hash', html`<span class="mono">${p.configHash}</span>`],
    ['code commit', html`<span class="mono">${p.codeCommit ?? 'not a git checkout'}</span>`],
    ...(p.startedAt ? [['started', p.startedAt] as [string, string]] : []),
    ...(p.finishedAt ? [['finished', p.finishedAt] as [string, string]] : []),
  ];
  const packages = Object.entries(p.packages).sort(([a], [b]) => a.localeCompare(b));
  const seeds = Object.entries(p.seeds);
  return html`<div class="run-block" data-run="${run.id}">
<h3>${run.id}</h3>
${run.description ? html`<p>${run.description}</p>` : ''}
<dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
<div class="columns">
<div><h4>Packages</h4>${packages.length ? table(['package', 'version'], packages.map(([k, v]) => ({ cells: [k, { content: v, className: 'mono' }] }))) : html`<p class="note">none recorded</p>`}</div>
<div><h4>Seeds</h4>${seeds.length ? table(['step', { num: true, content: 'seed' }], seeds.map(([k, v]) => ({ cells: [k, { num: true, content: v === undefined ? 'none' : String(v) }] }))) : html`<p class="note">none recorded</p>`}</div>
</div>
<h4>Artifacts</h4>
${table(
  ['step', 'kind', 'artifact', 'sha256', 'cached'],
  p.artifacts.map((a) => ({ cells: [a.step, a.kind, { content: a.artifact ?? '', className: 'digest' }, { content: a.sha256 ?? '', className: 'digest' }, a.cached === undefined ? '' : a.cached ? 'yes' : 'no'] })),
  'artifacts',
)}
<details class="config"><summary>Resolved config (YAML)</summary><pre>${p.config === undefined ? '# not recorded' : stringify(p.config)}</pre></details>
</div>`;
}
