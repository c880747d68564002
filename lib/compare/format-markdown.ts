/** The comparison table as Markdown: one table of metrics, one of paired figures; intervals inline. */
import {
  estimateValue, interval, METRIC_COLUMNS, modelName, pairedCells, pairedColumns, pairedLegend, severalRuns,
} from './format-cells';
import type { CompareTable } from './types';

const escape = (s: string) => s.replace(/\|/g, '\\|');
const cell = (value: string, ci: string) => escape(ci ? `${value} ${ci}` : value);

function table(header: string[], rows: string[][], leftCols: number): string {
  const rule = header.map((_, c) => (c < leftCols ? '---' : '---:'));
  return [header, rule, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export function formatCompareMarkdown(t: CompareTable): string {
  const runCol = severalRuns(t);
  const lead = (run: string, name: string) => (runCol ? [escape(run), escape(name)] : [escape(name)]);
  const leadHeader = runCol ? ['run', 'model'] : ['model'];
  const out: string[] = ['# Model comparison', ''];
  for (const r of t.runs) out.push(`- run \`${r.id}\`${r.manifestPath ? ` (manifest \`${r.manifestPath}\`)` : ''}`);
  out.push(`- reference: ${t.reference ? `\`${t.reference}\`` : 'none'}`, '', '## Metrics', '');
  out.push(table(
    [...leadHeader, 'points', ...METRIC_COLUMNS.map((c) => c.header)],
    t.rows.map((r) => [...lead(r.run, modelName(r)), String(r.points), ...METRIC_COLUMNS.map((c) => cell(estimateValue(r[c.key], c), interval(r[c.key], c.digits)))]),
    leadHeader.length,
  ));
  out.push('', 'Intervals: person bootstrap, percentile, from each evaluation\'s metrics.json.');
  for (const r of t.rows) if (r.bound) out.push('', `\`${r.label}\` (bound): ${r.bound}.`);

  const cols = pairedColumns(t);
  if (cols.length) {
    const notes: string[] = [];
    const rows = t.rows.map((r) => [
      ...lead(r.run, modelName(r)),
      ...cols.flatMap((c) => {
        const p = r[c.key];
        const cells = pairedCells(p, () => (notes.push(p && !p.comparable ? p.reason : ''), `(${notes.length})`));
        return [cell(cells.excess, cells.excessCi), cell(cells.ratio, cells.ratioCi)];
      }),
    ]);
    out.push('', '## Paired', '', pairedLegend(t) + '.', '');
    out.push(table([...leadHeader, ...cols.flatMap((c) => [`${c.header}: excess`, `${c.header}: ratio`])], rows, leadHeader.length));
    if (notes.length) out.push('', ...notes.map((n, i) => `${i + 1}. ${escape(n.split('\n').join(' '))}`));
  }
  return out.join('\n') + '\n';
}
