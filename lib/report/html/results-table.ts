/**
 * The results table: every evaluation x model with perplexity (and its bootstrap interval),
 * raw perplexity, valid mass, top-1, top-5, ECE, Brier and the two binary tasks' AUC. The lowest
 * perplexity of each evaluation (the oracle aside) is bold.
 */
import type { Interval } from '../../metrics/bootstrap';
import { html, type SafeHtml } from '../escape';
import { formatInterval, formatNumber, formatPerplexity } from '../format';
import type { ResultRow } from '../rows';
import { table, type Cell } from './table';

function withCi(value: string, ci: Interval | undefined, className?: string): Cell {
  const interval = formatInterval(ci);
  return { num: true, className, content: interval ? html`${value}<span class="ci">${interval}</span>` : value };
}

export function resultsTable(rows: readonly ResultRow[], options: { multiRun: boolean; multiStep: boolean }): SafeHtml {
  const best = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.run}\u0000${r.step}`;
    const p = r.metrics.perplexity;
    if (!r.oracle && p !== null && p < (best.get(key) ?? Infinity)) best.set(key, p);
  }
  const level = rows.find((r) => r.metrics.ci)?.metrics.ci?.level;
  const ciNote = level ? ` (${Math.round(level * 100)}% interval)` : '';
  const header = [
    ...(options.multiRun ? ['run'] : []),
    ...(options.multiStep ? ['evaluation'] : []),
    'model',
    { num: true, content: `perplexity${ciNote}` },
    { num: true, content: 'raw perplexity' },
    { num: true, content: 'valid mass' },
    { num: true, content: 'top-1' },
    { num: true, content: 'top-5' },
    { num: true, content: 'ECE' },
    { num: true, content: 'Brier' },
    { num: true, content: 'change AUC' },
    { num: true, content: 'labor-force AUC' },
    { num: true, content: 'points' },
  ];
  const body = rows.map((r) => {
    const m = r.metrics;
    const isBest = m.perplexity !== null && best.get(`${r.run}\u0000${r.step}`) === m.perplexity && !r.oracle;
    return {
      className: r.oracle ? 'oracle' : undefined,
      cells: [
        ...(options.multiRun ? [r.run] : []),
        ...(options.multiStep ? [r.step] : []),
        r.model,
        withCi(formatPerplexity(m.perplexity), m.ci?.perplexity, isBest ? 'best' : undefined),
        withCi(formatPerplexity(m.raw_perplexity), m.ci?.raw_perplexity),
        { num: true, content: formatNumber(m.valid_mass) },
        withCi(formatNumber(m.top1), m.ci?.top1),
        withCi(formatNumber(m.top5), m.ci?.top5),
        { num: true, content: formatNumber(m.ece) },
        { num: true, content: formatNumber(m.brier) },
        withCi(formatNumber(m.change.auc), m.ci?.change_auc),
        withCi(formatNumber(m.labor_force.auc), m.ci?.labor_force_auc),
        { num: true, content: m.n_points.toLocaleString('en-US') },
      ],
    };
  });
  return table(header, body, 'results');
}
