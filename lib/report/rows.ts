/**
 * The report's numbers as flat rows (one per table line or chart mark), read from ReportInput
 * once, so the HTML tables, the charts and the Markdown summary all show the same values.
 */
import type { Interval } from '../metrics/bootstrap';
import type { EvalMetrics } from '../metrics/evaluate';
import type { OneStepAnalysis } from '../analysis/types';
import type { ReportInput, ReportRun } from './types';

export interface ResultRow {
  run: string;
  step: string;
  model: string;
  /**
   * The model's name across the report, as the analysis names it: an evaluation's own model by
   * its step, a baseline or oracle by its own name. Charts colour by it, so each evaluated model
   * keeps one colour (not one blue for every evaluation's "model").
   */
  series: string;
  /** What a chart calls this row: the model, preceded by the run and step where they vary. */
  label: string;
  /** The synthetic truth: a reference, not a competitor. */
  oracle: boolean;
  metrics: EvalMetrics;
}

export interface DistanceRow {
  run: string;
  model: string;
  subgroup: string;
  tv: number;
  lo: number | null;
  hi: number | null;
  /** The oracle's distance and interval in the same subgroup (the sampling-noise reference). */
  oracle_tv: number | null;
  oracle_lo: number | null;
  oracle_hi: number | null;
  exceeds_oracle: boolean;
}

export type RateName = 'change' | 'non-employment';

export interface RateRow {
  run: string;
  model: string;
  subgroup: string;
  rate: RateName;
  predicted: number;
  actual: number;
  gap: number;
  ci: Interval | null;
  flagged: boolean;
}

export interface CalibrationRow {
  run: string;
  model: string;
  confidence: number;
  accuracy: number;
  n_points: number;
}

export interface TooSmallRow {
  run: string;
  subgroup: string;
  n_persons: number;
  n_points: number;
  min_persons: number;
  min_points: number;
}

export interface FlaggedRow {
  run: string;
  model: string;
  subgroup: string;
  what: string;
  value: number;
  ci: Interval | null;
}

export function isMultiRun(input: ReportInput): boolean {
  return input.runs.length > 1;
}

/**
 * One row per model of each evaluation; a baseline or oracle whose metrics equal those of the same
 * model in an earlier evaluation of the run (same data, points and fit) is shown once.
 */
export function resultRows(input: ReportInput): ResultRow[] {
  const multi = isMultiRun(input);
  const steps = input.runs.some((r) => r.evaluations.length > 1);
  return input.runs.flatMap((run) => {
    const seen = new Set<string>();
    return run.evaluations.flatMap((e) => {
      const oracle = e.oracle ?? (e.models.oracle ? 'oracle' : null);
      return Object.entries(e.models).flatMap(([model, metrics]) => {
        const key = `${model}\u0000${JSON.stringify(metrics)}`;
        if (model !== 'model' && seen.has(key)) return [];
        seen.add(key);
        return [{
          run: run.id,
          step: e.step,
          model,
          series: model === 'model' ? e.step : model,
          label: [multi ? run.id : null, steps ? e.step : null, model].filter((x) => x !== null).join(' · '),
          oracle: model === oracle,
          metrics,
        }];
      });
    });
  });
}

/** Every model that is an oracle in an evaluation or an analysis. */
export function oracleNames(input: ReportInput): Set<string> {
  const names = new Set(resultRows(input).filter((r) => r.oracle).map((r) => r.model));
  for (const { a } of analysedRuns(input)) if (a.oracle) names.add(a.oracle);
  return names;
}

type Analysed = { run: ReportRun; a: OneStepAnalysis };

export function analysedRuns(input: ReportInput): Analysed[] {
  return input.runs.flatMap((run) => (run.analysis ? [{ run, a: run.analysis.oneStep }] : []));
}

/** Subgroup ids with statistics in any run, in the analyses' order ("all" first). */
export function subgroupOrder(input: ReportInput): string[] {
  return [...new Set(analysedRuns(input).flatMap(({ a }) => [...okSubgroups(a)]))];
}

/** Subgroups with statistics, in the analysis's order ("all" first). */
function okSubgroups(a: OneStepAnalysis): Set<string> {
  return new Set(a.subgroups.filter((g) => g.status === 'ok').map((g) => g.id));
}

function okResults(a: OneStepAnalysis) {
  const ok = okSubgroups(a);
  return a.results.filter((r) => r.status === 'ok' && ok.has(r.subgroup));
}

/** Total variation on the valid states, per model (the oracle left out: it is the reference) and subgroup. */
export function distanceRows(input: ReportInput): DistanceRow[] {
  return analysedRuns(input).flatMap(({ run, a }) => {
    const results = okResults(a);
    const oracle = new Map(results.filter((r) => r.model === a.oracle).map((r) => [r.subgroup, r.distances!.state.tv]));
    return results
      .filter((r) => r.model !== a.oracle && r.distances)
      .map((r) => {
        const tv = r.distances!.state.tv;
        const o = oracle.get(r.subgroup);
        return {
          run: run.id, model: r.model, subgroup: r.subgroup, tv: tv.value, lo: tv.ci?.lo ?? null, hi: tv.ci?.hi ?? null,
          oracle_tv: o?.value ?? null, oracle_lo: o?.ci?.lo ?? null, oracle_hi: o?.ci?.hi ?? null,
          exceeds_oracle: tv.exceeds_oracle === true,
        };
      });
  });
}

export function rateRows(input: ReportInput): RateRow[] {
  const rows: RateRow[] = [];
  for (const { run, a } of analysedRuns(input)) {
    for (const r of okResults(a)) {
      if (!r.rates) continue;
      for (const [rate, s] of [['change', r.rates.change], ['non-employment', r.rates.nonemployment]] as const) {
        if (s.predicted === null || s.actual === null || s.gap === null) continue;
        rows.push({ run: run.id, model: r.model, subgroup: r.subgroup, rate, predicted: s.predicted, actual: s.actual, gap: s.gap, ci: s.ci, flagged: s.flagged === true });
      }
    }
  }
  return rows;
}

/** Reliability bins of the whole test set ("all"), non-empty bins only. */
export function calibrationRows(input: ReportInput): CalibrationRow[] {
  return analysedRuns(input).flatMap(({ run, a }) =>
    okResults(a)
      .filter((r) => r.subgroup === 'all' && r.calibration)
      .flatMap((r) =>
        r.calibration!.bins
          .filter((b) => b.confidence !== null && b.accuracy !== null && b.n_points > 0)
          .map((b) => ({ run: run.id, model: r.model, confidence: b.confidence!, accuracy: b.accuracy!, n_points: b.n_points })),
      ),
  );
}

export function tooSmallRows(input: ReportInput): TooSmallRow[] {
  return analysedRuns(input).flatMap(({ run, a }) =>
    a.subgroups
      .filter((g) => g.status === 'too_small')
      .map((g) => ({ run: run.id, subgroup: g.id, n_persons: g.n_persons, n_points: g.n_points, min_persons: a.method.min_persons, min_points: a.method.min_points })),
  );
}

/** Every flag the analysis raised: a rate gap whose interval excludes 0, a distance above the oracle's. */
export function flaggedRows(input: ReportInput): FlaggedRow[] {
  const rows: FlaggedRow[] = [];
  for (const { run, a } of analysedRuns(input)) {
    const results = okResults(a);
    const oracleTv = new Map(results.filter((r) => r.model === a.oracle).map((r) => [r.subgroup, r.distances?.state.tv.value ?? 0]));
    for (const r of results) {
      const base = { run: run.id, model: r.model, subgroup: r.subgroup };
      if (r.rates?.change.flagged) rows.push({ ...base, what: 'change rate gap', value: r.rates.change.gap!, ci: r.rates.change.ci });
      if (r.rates?.nonemployment.flagged) rows.push({ ...base, what: 'non-employment rate gap', value: r.rates.nonemployment.gap!, ci: r.rates.nonemployment.ci });
      const tv = r.distances?.state.tv;
      if (tv?.exceeds_oracle) rows.push({ ...base, what: 'TV − oracle’s TV', value: tv.value - (oracleTv.get(r.subgroup) ?? 0), ci: tv.minus_oracle });
    }
  }
  return rows;
}

export interface FlagGroup {
  run: string;
  model: string;
  what: string;
  subgroups: string[];
}

/** Flags grouped by run, model and kind: one line each in a summary. */
export function groupFlags(rows: readonly FlaggedRow[]): FlagGroup[] {
  const groups = new Map<string, FlagGroup>();
  for (const r of rows) {
    const key = JSON.stringify([r.run, r.model, r.what]);
    const g = groups.get(key) ?? { run: r.run, model: r.model, what: r.what, subgroups: [] };
    g.subgroups.push(r.subgroup);
    groups.set(key, g);
  }
  const order = [...new Set(rows.map((r) => `${r.run}\u0000${r.model}`))];
  const rank = (g: FlagGroup) => order.indexOf(`${g.run}\u0000${g.model}`);
  return [...groups.values()].sort((a, b) => rank(a) - rank(b));
}
