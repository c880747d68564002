/** A plain-text comparison table of models (rows) by their headline metrics (columns). */
import type { EvalMetrics } from './evaluate';
import type { Interval } from './bootstrap';

interface Column {
  header: string;
  value: (m: EvalMetrics) => number | null;
  digits: number;
  ci?: (m: EvalMetrics) => Interval | undefined;
}

const COLUMNS: Column[] = [
  { header: 'perplexity', value: (m) => m.perplexity, digits: 3, ci: (m) => m.ci?.perplexity },
  { header: 'raw ppl', value: (m) => m.raw_perplexity, digits: 3, ci: (m) => m.ci?.raw_perplexity },
  { header: 'top-1', value: (m) => m.top1, digits: 3, ci: (m) => m.ci?.top1 },
  { header: 'top-5', value: (m) => m.top5, digits: 3, ci: (m) => m.ci?.top5 },
  { header: 'ECE', value: (m) => m.ece, digits: 4 },
  { header: 'change AUC', value: (m) => m.change.auc, digits: 3, ci: (m) => m.ci?.change_auc },
  { header: 'LF AUC', value: (m) => m.labor_force.auc, digits: 3, ci: (m) => m.ci?.labor_force_auc },
];

export interface FormatOptions {
  /** Append the bootstrap interval, e.g. "12.345 [12.1, 12.6]". */
  ci?: boolean;
}

/**
 * Example:
 *   model     perplexity  raw ppl  top-1  top-5     ECE  change AUC  LF AUC
 *   oracle        11.024   11.024  0.412  0.702  0.0061       0.801   0.874
 *   markov        13.561   13.561  0.398  0.655  0.0112       0.742   0.851
 */
export function formatMetricsTable(rows: { name: string; metrics: EvalMetrics }[], options: FormatOptions = {}): string {
  const header = ['model', ...COLUMNS.map((c) => c.header)];
  const body = rows.map(({ name, metrics }) => [
    name,
    ...COLUMNS.map((c) => {
      const v = fmt(c.value(metrics), c.digits);
      const ci = options.ci ? c.ci?.(metrics) : undefined;
      return ci ? `${v} [${fmt(ci.lo, c.digits)}, ${fmt(ci.hi, c.digits)}]` : v;
    }),
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...body.map((r) => r[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ').trimEnd();
  return [line(header), ...body.map(line)].join('\n') + '\n';
}

function fmt(v: number | null, digits: number): string {
  if (v === null || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  // An untrained model's perplexity can be astronomically large: keep the column readable.
  return Math.abs(v) >= 1e6 ? v.toExponential(2) : v.toFixed(digits);
}
