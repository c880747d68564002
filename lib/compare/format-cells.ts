/** Cells of the comparison table as text, shared by the terminal and the Markdown renderings. */
import type { Interval } from '../metrics/bootstrap';
import type { MetricColumn } from './metric-estimates';
import type { CompareRow, CompareTable, Estimate, Paired } from './types';

export interface MetricSpec {
  key: MetricColumn;
  header: string;
  digits: number;
  /** metrics.json writes an infinite perplexity as null. */
  nullIsInfinite?: boolean;
}

export const METRIC_COLUMNS: MetricSpec[] = [
  { key: 'perplexity', header: 'perplexity', digits: 3, nullIsInfinite: true },
  { key: 'raw_perplexity', header: 'raw ppl', digits: 3, nullIsInfinite: true },
  { key: 'top1', header: 'top-1', digits: 3 },
  { key: 'top5', header: 'top-5', digits: 3 },
  { key: 'ece', header: 'ECE', digits: 4 },
  { key: 'brier', header: 'Brier', digits: 4 },
  { key: 'change_auc', header: 'change AUC', digits: 3 },
  { key: 'change_log_loss', header: 'change LL', digits: 3 },
  { key: 'labor_force_auc', header: 'LF AUC', digits: 3 },
  { key: 'labor_force_log_loss', header: 'LF LL', digits: 3 },
];

export const PAIRED_DIGITS = 4;

export function num(v: number | null | undefined, digits: number): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const a = Math.abs(v);
  // An untrained model's perplexity can be astronomically large, a ratio against it tiny: keep both readable.
  if (a >= 1e6) return v.toExponential(2);
  return a !== 0 && a < 10 ** -(digits - 1) ? v.toPrecision(2) : v.toFixed(digits);
}

export function interval(ci: Interval | null | undefined, digits: number): string {
  return ci && ci.lo !== null && ci.hi !== null ? `[${num(ci.lo, digits)}, ${num(ci.hi, digits)}]` : '';
}

export function estimateValue(e: Estimate, spec: MetricSpec): string {
  return num(e.value === null && spec.nullIsInfinite ? Infinity : e.value, spec.digits);
}

/**
 * How a row names its model: `step:model`, with what the evaluated model is (a folder by its last
 * name; JSON has the path) or the first of the identical rows merged into it (JSON lists them all).
 */
export function modelName(row: CompareRow): string {
  if (row.scored) return `${row.label} (${row.scored.replace(/\/+$/, '').split('/').pop()})`;
  const label = row.bound ? `${row.label} (bound)` : row.label;
  if (!row.also?.length) return label;
  // One twin named, the rest counted: an oracle shared by many evaluations would widen the column past a screen.
  return `${label} (= ${row.also[0]}${row.also.length > 1 ? ` and ${row.also.length - 1} more` : ''})`;
}

export const severalRuns = (t: CompareTable) => new Set(t.rows.map((r) => r.run)).size > 1;

/** The paired columns present in the table: against the oracle where any row has one, against the reference when chosen. */
export function pairedColumns(t: CompareTable): { key: 'vs_oracle' | 'vs_reference'; header: string }[] {
  const cols: { key: 'vs_oracle' | 'vs_reference'; header: string }[] = [];
  if (t.rows.some((r) => r.vs_oracle)) cols.push({ key: 'vs_oracle', header: 'vs oracle' });
  if (t.reference) cols.push({ key: 'vs_reference', header: 'vs reference' });
  return cols;
}

/** Excess and ratio cells of a pair; `note` marks a pair that is not comparable (its reason goes in a footnote). */
export function pairedCells(p: Paired | null, note: () => string): { excess: string; ratio: string; excessCi: string; ratioCi: string } {
  if (!p) return { excess: '', ratio: '', excessCi: '', ratioCi: '' };
  if (!p.comparable) return { excess: `not comparable ${note()}`, ratio: '', excessCi: '', ratioCi: '' };
  return {
    excess: num(p.excess, PAIRED_DIGITS),
    ratio: num(p.ratio, PAIRED_DIGITS),
    excessCi: interval(p.excess_ci, PAIRED_DIGITS),
    ratioCi: interval(p.ratio_ci, PAIRED_DIGITS),
  };
}

export function pairedLegend(t: CompareTable): string {
  const { replicates, level } = t.paired;
  const ci = replicates > 0 ? `${Math.round(level * 100)}% paired person-bootstrap intervals (${replicates} replicates)` : 'no intervals (bootstrap 0)';
  return `paired on the same points: excess = the model's extra log-loss per point (nats) over the model it is paired with,\nratio = exp(excess), its perplexity over the other's; ${ci}`;
}
