/**
 * The trajectory comparison as Arrow tables in long format, like lib/analysis/tables.ts:
 * trajectory_measures has one row per model, reference, subgroup, horizon and measure (values
 * null where the subgroup is too small at that horizon; ci_lo and ci_hi, the bootstrap interval
 * of value, null without bootstrap); trajectory_transitions one row per source, subgroup and
 * pair of groups (ok subgroups only). Columns are snake_case.
 */
import { type DataType, Float64, Int32, type Table, Utf8 } from 'apache-arrow';
import { tableOfRows } from '../artifacts/result-tables';
import { MEASURES, type TrajectoryAnalysis } from './analysis-types';

const utf8 = () => new Utf8();
const int32 = () => new Int32();
const float64 = () => new Float64();

export const TRAJECTORY_SCHEMAS = {
  trajectory_measures: {
    model: utf8, reference: utf8, subgroup: utf8, dimensions: utf8, status: utf8, n_persons: int32, horizon: int32,
    measure: utf8, value: float64, model_value: float64, reference_value: float64, ci_lo: float64, ci_hi: float64,
  },
  trajectory_transitions: {
    source: utf8, subgroup: utf8, dimensions: utf8, from_group: utf8, to_group: utf8, count: float64, share: float64,
  },
} as const;

export type TrajectoryTableName = keyof typeof TRAJECTORY_SCHEMAS;
type Row = Record<string, string | number | null>;

export function trajectoryTables(a: TrajectoryAnalysis): Record<TrajectoryTableName, Table> {
  const dims = new Map(a.subgroups.map((g) => [g.id, g.dimensions.length ? g.dimensions.join('&') : 'all']));
  const dimsOf = (id: string) => {
    const d = dims.get(id);
    if (d === undefined) throw new Error(`trajectory tables: a result names subgroup '${id}', which is not in the subgroup list`);
    return d;
  };
  const measures: Row[] = [];
  for (const r of a.results) {
    const base = {
      model: r.model, reference: r.reference, subgroup: r.subgroup, dimensions: dimsOf(r.subgroup), status: r.status, n_persons: r.n_persons, horizon: r.horizon,
    };
    for (const m of MEASURES) {
      const s = r.measures?.[m] ?? null;
      measures.push({
        ...base, measure: m, value: s?.value ?? null, model_value: s?.model ?? null, reference_value: s?.reference ?? null, ci_lo: s?.ci?.lo ?? null, ci_hi: s?.ci?.hi ?? null,
      });
    }
  }
  const G = a.groups.length;
  const transitions: Row[] = [];
  for (const t of a.transitions) {
    const d = dimsOf(t.subgroup);
    for (let i = 0; i < G; i++) {
      let rowTotal = 0;
      for (let j = 0; j < G; j++) rowTotal += t.counts[i * G + j];
      for (let j = 0; j < G; j++) {
        const count = t.counts[i * G + j];
        transitions.push({
          source: t.source, subgroup: t.subgroup, dimensions: d, from_group: a.groups[i], to_group: a.groups[j], count, share: rowTotal > 0 ? count / rowTotal : null,
        });
      }
    }
  }
  return { trajectory_measures: buildTable('trajectory_measures', measures), trajectory_transitions: buildTable('trajectory_transitions', transitions) };
}

function buildTable(name: TrajectoryTableName, rows: Row[]): Table {
  return tableOfRows(TRAJECTORY_SCHEMAS[name] as Record<string, () => DataType>, rows);
}
