/**
 * Whole careers: how far each model's simulated careers are from the observed ones, by years
 * after the observed start (whole population), one panel per distance. The truth's line (on
 * synthetic data) is what simulating a limited number of careers costs by itself.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Measure, TrajectoryAnalysis } from '../../trajectories/analysis-types';
import { CHART_CONFIG, type ModelColors } from './theme';

const MEASURES: Partial<Record<Measure, string>> = {
  occupation_tv: 'occupations (TV)',
  group_tv: 'occupation groups (TV)',
  transition_tv: 'group transitions (TV)',
};

export interface TrajectoryRows {
  run: string;
  analysis: TrajectoryAnalysis;
}

/** Null without any trajectory analysis. */
export function trajectoriesChart(runs: readonly TrajectoryRows[], colors: ModelColors, multiRun: boolean): TopLevelSpec | null {
  const values = runs.flatMap(({ run, analysis }) =>
    analysis.results
      .filter((r) => r.reference === 'empirical' && r.subgroup === 'all' && r.measures)
      .flatMap((r) => (Object.keys(MEASURES) as Measure[]).map((m) => ({
        run, model: r.model, horizon: r.horizon, measure: MEASURES[m], value: r.measures![m].value,
      }))),
  );
  if (values.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CHART_CONFIG,
    data: { values },
    facet: { column: { field: 'measure', type: 'nominal', title: null, sort: Object.values(MEASURES) } },
    spec: {
      width: 250,
      height: 180,
      mark: { type: 'line', point: true, strokeWidth: 2 },
      encoding: {
        x: { field: 'horizon', type: 'ordinal', title: 'years after the observed start', axis: { labelAngle: 0 } },
        y: { field: 'value', type: 'quantitative', title: 'distance to the observed careers', scale: { zero: true } },
        color: { field: 'model', type: 'nominal', scale: colors, title: 'model' },
        ...(multiRun ? { strokeDash: { field: 'run', type: 'nominal', title: 'run' } } : {}),
        detail: { field: 'run', type: 'nominal' },
      },
    },
  };
}
