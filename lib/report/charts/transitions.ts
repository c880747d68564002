/**
 * Transitions between occupation groups in whole careers: for the observed careers and each
 * model's simulations (whole test population), the share of each group's years followed by
 * each group (rows sum to 1). A model that keeps careers as they are looks like the observed panel.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { TrajectoryRows } from './trajectories';
import { CHART_CONFIG } from './theme';

/** Null without transition matrices. */
export function transitionsChart(runs: readonly TrajectoryRows[], multiRun: boolean): TopLevelSpec | null {
  const values = runs.flatMap(({ run, analysis }) => {
    const g = analysis.groups.length;
    return analysis.transitions
      .filter((t) => t.subgroup === 'all')
      .flatMap((t) => {
        const panel = multiRun ? `${run} · ${t.source}` : t.source;
        const cells = [];
        for (let i = 0; i < g; i++) {
          const row = t.counts.slice(i * g, (i + 1) * g);
          const total = row.reduce((a, b) => a + b, 0);
          for (let j = 0; j < g; j++) {
            if (row[j] > 0) cells.push({ panel, from: analysis.groups[i], to: analysis.groups[j], share: row[j] / total });
          }
        }
        return cells;
      });
  });
  if (values.length === 0) return null;
  const order = [...new Set(runs.flatMap(({ analysis }) => analysis.groups))];
  const panels = [...new Set(values.map((v) => v.panel))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CHART_CONFIG,
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels },
    columns: 3,
    spec: {
      width: { step: 9 },
      height: { step: 9 },
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'to', type: 'ordinal', sort: order, title: 'group the next year', axis: { labelFontSize: 8, labelAngle: -90 } },
        y: { field: 'from', type: 'ordinal', sort: order, title: 'group the year before', axis: { labelFontSize: 8 } },
        color: { field: 'share', type: 'quantitative', scale: { scheme: 'blues', domain: [0, 1] }, title: 'share of the row' },
      },
    },
  };
}
