/**
 * Reliability curves on the whole test set: per model, the mean top-1 confidence of each bin
 * against the share of points whose top-1 state was right; points sized by the bin's points.
 * The dashed diagonal is perfect calibration. One panel per run.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CalibrationRow } from '../rows';
import { CHART_CONFIG, type ModelColors } from './theme';

export function calibrationChart(rows: readonly CalibrationRow[], colors: ModelColors): TopLevelSpec | null {
  if (rows.length === 0) return null;
  const runs = [...new Set(rows.map((r) => r.run))];
  const axis = (title: string) => ({ type: 'quantitative' as const, scale: { domain: [0, 1] }, title, axis: { format: '.0%', tickCount: 5 } });
  const panel = (run: string) => ({
    ...(runs.length > 1 ? { title: run } : {}),
    width: 300,
    height: 300,
    layer: [
      {
        data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
        mark: { type: 'line' as const, color: '#aaa', strokeDash: [4, 4] },
        encoding: { x: { ...axis('top-1 confidence'), field: 'x' }, y: { ...axis('accuracy'), field: 'y' } },
      },
      {
        data: { values: rows.filter((r) => r.run === run) },
        mark: { type: 'line' as const, point: false, strokeWidth: 1.5 },
        encoding: {
          x: { ...axis('top-1 confidence'), field: 'confidence' },
          y: { ...axis('accuracy'), field: 'accuracy' },
          color: { field: 'model', type: 'nominal' as const, scale: colors, title: 'model' },
        },
      },
      {
        data: { values: rows.filter((r) => r.run === run) },
        mark: { type: 'point' as const, filled: true, opacity: 0.85 },
        encoding: {
          x: { ...axis('top-1 confidence'), field: 'confidence' },
          y: { ...axis('accuracy'), field: 'accuracy' },
          color: { field: 'model', type: 'nominal' as const, scale: colors, title: 'model' },
          size: { field: 'n_points', type: 'quantitative' as const, title: 'points in bin', scale: { range: [15, 160], zero: false } },
        },
      },
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CHART_CONFIG,
    hconcat: runs.map(panel),
  } as TopLevelSpec;
}
