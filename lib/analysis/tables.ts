/**
 * The analysis as Arrow tables, one per analysis, long format (one row per model, subgroup and
 * measure) so a chart spec can filter and facet them. Columns are snake_case; statistics of a
 * too-small subgroup are null.
 */
import { Bool, type DataType, Float64, Int32, type Table, Utf8 } from 'apache-arrow';
import { tableOfRows } from '../artifacts/result-tables';
import type { DistanceStat, OneStepAnalysis, SubgroupInfo } from './types';

const utf8 = () => new Utf8();
const int32 = () => new Int32();
const float64 = () => new Float64();
const bool = () => new Bool();

const SUBGROUP_COLUMNS = {
  model: utf8, subgroup: utf8, dimensions: utf8, status: utf8, n_persons: int32, n_points: int32, weight: float64,
};

/** Column types of each analysis table, in order. */
export const ANALYSIS_SCHEMAS = {
  subgroup_distances: {
    ...SUBGROUP_COLUMNS, level: utf8, metric: utf8, value: float64, ci_lo: float64, ci_hi: float64,
    minus_oracle_lo: float64, minus_oracle_hi: float64, exceeds_oracle: bool,
  },
  subgroup_rates: {
    ...SUBGROUP_COLUMNS, rate: utf8, rate_points: int32, predicted: float64, actual: float64, gap: float64,
    ci_lo: float64, ci_hi: float64, flagged: bool,
  },
  subgroup_calibration: {
    ...SUBGROUP_COLUMNS, ece: float64, ece_ci_lo: float64, ece_ci_hi: float64, ece_minus_oracle_lo: float64,
    ece_minus_oracle_hi: float64, ece_exceeds_oracle: bool, bin: int32, bin_lo: float64, bin_hi: float64,
    bin_points: int32, bin_weight: float64, confidence: float64, accuracy: float64,
  },
} as const;

export type AnalysisTableName = keyof typeof ANALYSIS_SCHEMAS;
type Row = Record<string, string | number | boolean | null>;

export function analysisTables(a: OneStepAnalysis): Record<AnalysisTableName, Table> {
  const info = new Map(a.subgroups.map((g) => [g.id, g]));
  const distances: Row[] = [];
  const rates: Row[] = [];
  const calibration: Row[] = [];
  for (const r of a.results) {
    const g = info.get(r.subgroup);
    if (!g) throw new Error(`analysis tables: a result names subgroup '${r.subgroup}', which is not in the subgroup list`);
    const base = subgroupColumns(r.model, g);
    const levels = a.groups.length ? (['state', 'group'] as const) : (['state'] as const);
    for (const level of levels) {
      for (const metric of ['tv', 'js', 'kl'] as const) {
        const d = r.distances?.[level]?.[metric] ?? null;
        distances.push({ ...base, level, metric, ...distanceColumns(d, '') });
      }
    }
    for (const rate of ['change', 'nonemployment'] as const) {
      const s = r.rates?.[rate] ?? null;
      rates.push({
        ...base, rate, rate_points: s?.n_points ?? null, predicted: s?.predicted ?? null, actual: s?.actual ?? null,
        gap: s?.gap ?? null, ci_lo: s?.ci?.lo ?? null, ci_hi: s?.ci?.hi ?? null, flagged: s?.flagged ?? null,
      });
    }
    const ece = r.calibration ? distanceColumns(r.calibration.ece, 'ece_') : distanceColumns(null, 'ece_');
    const { value, ...eceRest } = ece;
    const bins = r.calibration?.bins ?? [null];
    for (const b of bins) {
      calibration.push({
        ...base, ece: value, ...eceRest, bin: b?.bin ?? null, bin_lo: b?.lo ?? null, bin_hi: b?.hi ?? null,
        bin_points: b?.n_points ?? null, bin_weight: b?.weight ?? null, confidence: b?.confidence ?? null, accuracy: b?.accuracy ?? null,
      });
    }
  }
  return {
    subgroup_distances: buildTable('subgroup_distances', distances),
    subgroup_rates: buildTable('subgroup_rates', rates),
    subgroup_calibration: buildTable('subgroup_calibration', calibration),
  };
}

function subgroupColumns(model: string, g: SubgroupInfo): Row {
  return {
    model, subgroup: g.id, dimensions: g.dimensions.length ? g.dimensions.join('&') : 'all', status: g.status,
    n_persons: g.n_persons, n_points: g.n_points, weight: g.weight,
  };
}

/** value, ci_lo, ci_hi, minus_oracle_lo, minus_oracle_hi, exceeds_oracle (with an optional prefix after `value`). */
function distanceColumns(d: DistanceStat | null, prefix: string): Row {
  return {
    value: d?.value ?? null,
    [`${prefix}ci_lo`]: d?.ci?.lo ?? null,
    [`${prefix}ci_hi`]: d?.ci?.hi ?? null,
    [`${prefix}minus_oracle_lo`]: d?.minus_oracle?.lo ?? null,
    [`${prefix}minus_oracle_hi`]: d?.minus_oracle?.hi ?? null,
    [`${prefix}exceeds_oracle`]: d?.exceeds_oracle ?? null,
  };
}

function buildTable(name: AnalysisTableName, rows: Row[]): Table {
  return tableOfRows(ANALYSIS_SCHEMAS[name] as Record<string, () => DataType>, rows);
}
