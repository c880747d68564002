/** Perplexity per model (and run, evaluation), bars with the person-bootstrap interval as whiskers. */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultRow } from '../rows';
import { CHART_CONFIG, type ModelColors } from './theme';

/** Beyond this ratio of the largest to the smallest perplexity the axis is logarithmic. */
const LOG_RATIO = 10;

/** Null when no row has a finite perplexity (nothing to draw). */
export function perplexityChart(rows: readonly ResultRow[], colors: ModelColors): TopLevelSpec | null {
  const values = rows
    .filter((r) => r.metrics.perplexity !== null && Number.isFinite(r.metrics.perplexity))
    .map((r) => ({ label: r.label, series: r.series, perplexity: r.metrics.perplexity, lo: r.metrics.ci?.perplexity.lo ?? null, hi: r.metrics.ci?.perplexity.hi ?? null }));
  if (values.length === 0) return null;
  const ppl = values.map((v) => v.perplexity);
  const log = Math.max(...ppl) / Math.min(...ppl) > LOG_RATIO;
  const x = { type: 'quantitative' as const, scale: log ? { type: 'log' as const, domainMin: 1 } : { zero: true } };
  const y = { field: 'label', type: 'nominal' as const, sort: values.map((v) => v.label), title: null, axis: { labelLimit: 0 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CHART_CONFIG,
    data: { values },
    width: 560,
    height: { step: 22 },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          x: { ...x, field: 'perplexity', title: log ? 'perplexity (log scale; lower is better)' : 'perplexity (lower is better)' },
          // A log axis has no 0: bars start at perplexity 1, the floor of any model.
          ...(log ? { x2: { datum: 1 } } : {}),
          color: { field: 'series', type: 'nominal', scale: colors, legend: null },
        },
      },
      {
        transform: [{ filter: 'datum.lo != null && datum.hi != null' }],
        mark: { type: 'rule', color: '#333', strokeWidth: 1.5 },
        encoding: { y, x: { ...x, field: 'lo' }, x2: { field: 'hi' } },
      },
      {
        transform: [{ calculate: 'datum.hi != null ? datum.hi : datum.perplexity', as: 'end' }],
        mark: { type: 'text', align: 'left', dx: 5, fontSize: 11, color: '#333' },
        encoding: { y, x: { ...x, field: 'end' }, text: { field: 'perplexity', format: log ? '.4~s' : '.3f' } },
      },
    ],
  };
}
