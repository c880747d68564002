/**
 * Predicted against actual rates of changing occupation and of non-employment, per subgroup and
 * model: the actual rate as a black tick, the predicted rate as a dot in the model's colour, a
 * line between them (the gap), a diamond where the gap's interval excludes 0 (flagged).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RateRow } from '../rows';
import { CHART_CONFIG, type ModelColors } from './theme';

const FLAGS = ['not flagged', 'flagged: gap interval excludes 0'];

export function ratesChart(rows: readonly RateRow[], subgroups: readonly string[], colors: ModelColors, multiRun: boolean): TopLevelSpec | null {
  if (rows.length === 0) return null;
  const values = rows.map((r) => ({ ...r, flag: FLAGS[r.flagged ? 1 : 0] }));
  const runs = [...new Set(values.map((v) => v.run))];
  const y = { field: 'subgroup', type: 'nominal' as const, sort: [...subgroups], title: null, axis: { labelLimit: 0 }, scale: { paddingInner: 0.2 } };
  const x = { type: 'quantitative' as const, axis: { format: '.0%' }, scale: { zero: false, nice: true } };
  // Each model gets its own line within a subgroup's band: actual tick, gap line, predicted dot.
  const yOffset = { field: 'model', type: 'nominal' as const, sort: colors.domain, scale: { paddingOuter: 0.2 } };
  const color = { field: 'model', type: 'nominal' as const, scale: colors, title: 'predicted by' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CHART_CONFIG,
    data: { values },
    facet: {
      column: { field: 'rate', type: 'nominal', sort: ['change', 'non-employment'], title: null, header: { labelExpr: "datum.value + ' rate'" } },
      ...(multiRun ? { row: { field: 'run', type: 'nominal' as const, sort: runs, title: null } } : {}),
    },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 330,
      height: { step: 7, for: 'offset' },
      layer: [
        {
          mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.6 },
          encoding: { y, yOffset, x: { ...x, field: 'actual', title: 'rate (black tick: actual)' }, x2: { field: 'predicted' }, color },
        },
        {
          mark: { type: 'tick', color: '#111', thickness: 2, bandSize: 7 },
          encoding: { y, yOffset, x: { ...x, field: 'actual' } },
        },
        {
          mark: { type: 'point', filled: true, opacity: 0.95 },
          encoding: {
            y, yOffset, color,
            x: { ...x, field: 'predicted' },
            shape: { field: 'flag', type: 'nominal', scale: { domain: FLAGS, range: ['circle', 'diamond'] }, title: null },
            size: { field: 'flag', type: 'ordinal', scale: { domain: FLAGS, range: [36, 90] }, title: null },
          },
        },
      ],
    },
  };
}
