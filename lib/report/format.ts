/** Numbers as the report shows them: 3 decimals (3 significant digits from 0.001 to 0.01), exponents when huge. */
import type { Interval } from '../metrics/bootstrap';

export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  // An untrained model's perplexity can be astronomically large: keep the column readable.
  if (a >= 1e6) return v.toExponential(2);
  if (a >= 0.001 && a < 0.01) return v.toPrecision(3);
  return v.toFixed(3);
}

/** A perplexity: metrics.json writes Infinity (a true state given probability 0) as null. */
export function formatPerplexity(v: number | null | undefined): string {
  return formatNumber(v === null ? Infinity : v);
}

export function formatInterval(ci: Interval | null | undefined): string {
  if (!ci || ci.lo === null || ci.hi === null) return '';
  return `[${formatNumber(ci.lo)}, ${formatNumber(ci.hi)}]`;
}

/** A share as a percentage with one decimal, e.g. 0.1234 -> "12.3%". */
export function formatPercent(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${(100 * v).toFixed(1)}%`;
}
