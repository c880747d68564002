/** Every chart of a report, as specs with their captions; null specs (no data) are left out. */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportInput } from '../types';
import { calibrationRows, distanceRows, isMultiRun, rateRows, resultRows, subgroupOrder } from '../rows';
import { calibrationChart } from './calibration';
import { distanceChart } from './distance';
import { perplexityChart } from './perplexity';
import { ratesChart } from './rates';
import { trajectoriesChart } from './trajectories';
import { transitionsChart } from './transitions';
import type { ModelColors } from './theme';

export interface ChartPlan {
  name: 'perplexity' | 'distance' | 'rates' | 'calibration' | 'trajectories' | 'transitions';
  spec: TopLevelSpec;
  caption: string;
}

export function planCharts(input: ReportInput, colors: ModelColors): ChartPlan[] {
  const multi = isMultiRun(input);
  const subgroups = subgroupOrder(input);
  const results = resultRows(input);
  const careers = input.runs.flatMap((r) => (r.analysis?.trajectories ? [{ run: r.id, analysis: r.analysis.trajectories }] : []));
  const level = results.find((r) => r.metrics.ci)?.metrics.ci?.level;
  const interval = level ? `${Math.round(level * 100)}% person-bootstrap interval` : 'bootstrap interval';
  const plans: (Omit<ChartPlan, 'spec'> & { spec: TopLevelSpec | null })[] = [
    {
      name: 'perplexity',
      spec: perplexityChart(results, colors),
      caption: `Perplexity over the valid states, lower is better; whiskers: ${interval}. Models with an infinite perplexity are in the table only.`,
    },
    {
      name: 'distance',
      spec: distanceChart(distanceRows(input), subgroups, colors, multi),
      caption: 'Total variation between the mean predicted and the empirical next-state distribution, per subgroup, with its bootstrap interval. Grey bar: the oracle’s distance, what sampling noise alone makes. Red triangle: the interval of (distance − oracle’s distance) lies above 0.',
    },
    {
      name: 'rates',
      spec: ratesChart(rateRows(input), subgroups, colors, multi),
      caption: 'Predicted (dots) against actual (black ticks) rates of changing occupation and of non-employment, per subgroup. Diamonds: flagged, the bootstrap interval of the gap excludes 0.',
    },
    {
      name: 'calibration',
      spec: calibrationChart(calibrationRows(input), colors),
      caption: 'Reliability of the top-1 prediction on the whole test set: mean confidence against accuracy per confidence bin (dot size: points in the bin). The dashed diagonal is perfect calibration.',
    },
    {
      name: 'trajectories',
      spec: trajectoriesChart(careers, colors, multi),
      caption: 'Whole careers, simulated year by year from each test person’s first observed years: total variation between the simulated and the observed careers’ occupations, occupation groups and group-to-group transitions, by years ahead (whole test population). The truth’s line is what simulating this many careers costs by itself.',
    },
    {
      name: 'transitions',
      spec: transitionsChart(careers, multi),
      caption: 'Transitions between occupation groups in whole careers (whole test population): of the years in a group (row), the share followed by each group (column) the next year, in the observed careers and in each model’s simulated ones.',
    },
  ];
  return plans.filter((p): p is ChartPlan => p.spec !== null);
}
