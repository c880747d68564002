/**
 * The comparison table for a terminal: the metrics of every model (its interval on the line
 * below), then the paired figures against the oracle and the reference.
 *
 *   model                       points      perplexity         raw ppl           top-1           top-5
 *   evaluate:model (finetuned)     120           1.920           1.920           0.412           0.830
 *                                        [1.876, 1.952]  [1.876, 1.952]  [0.380, 0.451]  [0.790, 0.861]
 */
import {
  estimateValue, interval, METRIC_COLUMNS, modelName, num, pairedCells, pairedColumns, pairedLegend, severalRuns, type MetricSpec,
} from './format-cells';
import type { CompareRow, CompareTable } from './types';

/** The first column left-aligned, numbers right-aligned. */
function align(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd()).join('\n');
}

/** Header, then per run (a line naming it when several are compared) a line per row and, if any, a line of intervals below it. */
function section(t: CompareTable, header: string[], cells: (r: CompareRow) => { values: string[]; intervals?: string[] }): string {
  const out: string[][] = [header];
  let run: string | undefined;
  for (const r of t.rows) {
    if (severalRuns(t) && r.run !== run) out.push([`run ${r.run}`]);
    run = r.run;
    const { values, intervals } = cells(r);
    out.push([modelName(r), ...values]);
    if (intervals?.some((c) => c)) out.push(['', ...intervals]);
  }
  return align(out.map((r) => (r.length < header.length ? [...r, ...Array(header.length - r.length).fill('')] : r)));
}

/** Metrics in two tables (perplexity and accuracy; calibration and the binary tasks) to keep lines under ~110 characters. */
const MAIN = METRIC_COLUMNS.slice(0, 4);
const MORE = METRIC_COLUMNS.slice(4);

export function formatCompareText(t: CompareTable): string {
  const out: string[] = [];
  for (const r of t.runs) out.push(`run ${r.id}${r.manifestPath ? `  (manifest ${r.manifestPath})` : ''}`);
  out.push(`reference: ${t.reference ?? 'none'}`, '');
  const metricCells = (cols: MetricSpec[]) => (r: CompareRow) => ({
    values: cols.map((c) => estimateValue(r[c.key], c)),
    intervals: cols.map((c) => interval(r[c.key], c.digits)),
  });
  out.push(section(t, ['model', 'points', ...MAIN.map((c) => c.header)], (r) => {
    const m = metricCells(MAIN)(r);
    return { values: [String(r.points), ...m.values], intervals: ['', ...m.intervals] };
  }));
  out.push('', section(t, ['model', ...MORE.map((c) => c.header)], metricCells(MORE)));

  const cols = pairedColumns(t);
  if (cols.length) {
    const notes: string[] = [];
    const header = ['model', ...cols.flatMap((c) => [`${c.header}: excess`, 'ratio'])];
    const body = section(t, header, (r) => {
      const cells = cols.map((c) => {
        const p = r[c.key];
        return pairedCells(p, () => (notes.push(p && !p.comparable ? p.reason : ''), `(${notes.length})`));
      });
      return { values: cells.flatMap((c) => [c.excess, c.ratio]), intervals: cells.flatMap((c) => [c.excessCi, c.ratioCi]) };
    });
    out.push('', pairedLegend(t), body);
    if (notes.length) out.push('');
    notes.forEach((n, i) => out.push(`(${i + 1}) ${n.split('\n').join('\n    ')}`));
  }
  out.push('', `intervals: person bootstrap, percentile (the metrics' from each evaluation's metrics.json); ${num(t.paired.level * 100, 0)}% for the paired columns`);
  return out.join('\n') + '\n';
}

/**
 * One line per model for the end of a run: perplexity with its interval, top-1, and the
 * perplexity ratio to the oracle and to the reference with their paired intervals, best first.
 */
export function formatCompareBrief(t: CompareTable): string {
  const cols = pairedColumns(t);
  const ppl = METRIC_COLUMNS.find((c) => c.key === 'perplexity')!;
  const top1 = METRIC_COLUMNS.find((c) => c.key === 'top1')!;
  const ratio = (p: CompareRow['vs_oracle']) => {
    if (!p) return '';
    if (!p.comparable) return 'not comparable';
    return `${num(p.ratio, 3)} ${interval(p.ratio_ci, 3)}`.trim();
  };
  const rows = [...t.rows].sort((a, b) => (a.perplexity.value ?? Infinity) - (b.perplexity.value ?? Infinity));
  // Labels alone (no merged twins): the line stays readable in a terminal.
  const body = rows.map((r) => [
    modelName({ ...r, also: undefined }), `${estimateValue(r.perplexity, ppl)} ${interval(r.perplexity, ppl.digits)}`.trim(), estimateValue(r.top1, top1),
    ...cols.map((c) => ratio(r[c.key])),
  ]);
  const header = ['model', 'perplexity', 'top-1', ...cols.map((c) => `${c.header} (ratio)`)];
  const level = `${Math.round(t.paired.level * 100)}%`;
  return `${align([header, ...body])}\nreference: ${t.reference ?? 'none'}; ${level} intervals: person bootstrap (perplexity), paired person bootstrap on the same points (ratios)\n`;
}
