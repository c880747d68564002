/** A model's metrics.json entry as the comparison's figures, each with its interval where metrics.json has one. */
import type { Interval } from '../metrics/bootstrap';
import type { EvalMetrics } from '../metrics/evaluate';
import type { CompareRow, Estimate } from './types';

export type MetricColumn =
  | 'perplexity' | 'raw_perplexity' | 'top1' | 'top5' | 'ece' | 'brier'
  | 'change_auc' | 'change_log_loss' | 'labor_force_auc' | 'labor_force_log_loss';

const est = (value: number | null | undefined, ci?: Interval | null): Estimate => ({ value: value ?? null, lo: ci?.lo ?? null, hi: ci?.hi ?? null });

/** Intervals are looked up by the column's name in metrics.json's `ci`, so any it gains later show up too. */
export function metricEstimates(m: EvalMetrics): Pick<CompareRow, MetricColumn> {
  const ci = (m.ci ?? {}) as unknown as Record<string, Interval | undefined>;
  const e = (col: MetricColumn, value: number | null | undefined) => est(value, ci[col]);
  return {
    perplexity: e('perplexity', m.perplexity),
    raw_perplexity: e('raw_perplexity', m.raw_perplexity),
    top1: e('top1', m.top1),
    top5: e('top5', m.top5),
    ece: e('ece', m.ece),
    brier: e('brier', m.brier),
    change_auc: e('change_auc', m.change?.auc),
    change_log_loss: e('change_log_loss', m.change?.log_loss),
    labor_force_auc: e('labor_force_auc', m.labor_force?.auc),
    labor_force_log_loss: e('labor_force_log_loss', m.labor_force?.log_loss),
  };
}
