/**
 * Total variation between the mean predicted and the empirical next-state distribution, per
 * subgroup: one panel per model (per run and model when runs are compared), the model's bar with
 * its bootstrap interval over the oracle's bar, which shows how large a distance sampling noise
 * alone makes. A red marker: the interval of (distance - oracle's distance) lies above 0.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { DistanceRow } from '../rows';
import { CHART_CONFIG, FLAG_COLOR, REFERENCE_COLOR, type ModelColors } from './theme';

export function distanceChart(rows: readonly DistanceRow[], subgroups: readonly string[], colors: ModelColors, multiRun: boolean): TopLevelSpec | null {
  if (rows.length === 0) return null;
  const values = rows.map((r) => ({ ...r, panel: multiRun ? `${r.run} · ${r.model}` : r.model }));
  const panels = [...new Set(values.map((v) => v.panel))];
  const columns = Math.min(3, panels.length);
  const y = { field: 'subgroup', type: 'nominal' as const, sort: [...subgroups], title: null, axis: { labelLimit: 0 } };
  const x = { type: 'quantitative' as const, scale: { zero: true } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CHART_CONFIG,
    data: { values },
    columns,
    facet: { field: 'panel', type: 'nominal', sort: panels, title: null },
    spec: {
      width: columns === 1 ? 480 : columns === 2 ? 330 : 210,
      height: { step: 18 },
      layer: [
        {
          transform: [{ filter: 'datum.oracle_tv != null' }],
          mark: { type: 'bar', color: REFERENCE_COLOR },
          encoding: { y, x: { ...x, field: 'oracle_tv', title: 'total variation (valid states)' } },
        },
        {
          mark: { type: 'bar', height: { band: 0.45 } },
          encoding: { y, x: { ...x, field: 'tv', title: 'total variation (valid states)' }, color: { field: 'model', type: 'nominal', scale: colors, legend: null } },
        },
        {
          transform: [{ filter: 'datum.lo != null && datum.hi != null' }],
          mark: { type: 'rule', color: '#333' },
          encoding: { y, x: { ...x, field: 'lo' }, x2: { field: 'hi' } },
        },
        {
          transform: [{ filter: 'datum.exceeds_oracle' }, { calculate: 'datum.hi != null ? datum.hi : datum.tv', as: 'end' }],
          mark: { type: 'point', shape: 'triangle-left', filled: true, color: FLAG_COLOR, size: 45, xOffset: 7 },
          encoding: { y, x: { ...x, field: 'end' } },
        },
      ],
    },
  };
}
