/**
 * Subgroups and cells. A subgroup is a set of points sharing the values of its dimensions. A
 * cell is the part of one person's points inside a subgroup: a whole person for person-level
 * dimensions, a (person, education) pair when education (which varies along a career) is one of
 * them. Each subgroup holds exactly one cell per person, so resampling persons within a subgroup
 * is resampling its cells, and per-cell sums make each bootstrap replicate cost O(cells).
 */
import { InvalidConfig, InvalidData, ProblemList } from '../errors';
import { UNKNOWN_BIRTH_YEAR } from '../artifacts/contracts';
import { EDUCATION_LEVELS } from '../panel/panel';
import type { AlignedPoints } from './align';
import type { AnalysisInput, AnalysisPerson, Dimension, SubgroupInfo } from './types';

export const BIRTH_COHORT = 'birth_cohort';
export const EDUCATION = 'education';
export const PERSON_DIMENSIONS = ['gender', 'race', 'region'] as const;

/** Points grouped into cells, each cell belonging to one person. */
export interface CellTable {
  count: number;
  /** Cell -> person index (into AnalysisInput.persons). */
  person: Int32Array;
  /** Offsets into `points`, count + 1 long. */
  start: Int32Array;
  /** Point indices, grouped by cell. */
  points: Int32Array;
}

export interface Subgroup {
  info: SubgroupInfo;
  /** Index into SubgroupPlan.tables. */
  table: number;
  /** Cells of that table, one per person of the subgroup. */
  cells: Int32Array;
}

export interface SubgroupPlan {
  /** Weight per person index. */
  personWeight: Float64Array;
  /** Table 0: one cell per person; table 1 (when education is used): one per (person, education). */
  tables: CellTable[];
  subgroups: Subgroup[];
}

export interface PlanOptions {
  subgroups: readonly (readonly Dimension[])[];
  minPersons: number;
  minPoints: number;
  weightColumn?: string;
}

/** The default subgroups: every person covariate, birth cohort, and education when person-years are given. */
export function defaultSubgroups(hasPersonYears: boolean): Dimension[][] {
  return [...PERSON_DIMENSIONS.map((d) => [d]), [BIRTH_COHORT], ...(hasPersonYears ? [[EDUCATION]] : [])];
}

export function planSubgroups(input: AnalysisInput, points: AlignedPoints, options: PlanOptions): SubgroupPlan {
  checkDefinitions(options.subgroups);
  const personOf = personIndex(input, points);
  const personWeight = weights(input, options.weightColumn);
  const used = [...new Set(options.subgroups.flat())];
  const dims = new Map(used.map((d) => [d, dimensionValues(d, input, points, personOf)]));

  const tables = [cellTable(personOf, null)];
  const eduTable = dims.has(EDUCATION) ? tables.push(cellTable(personOf, dims.get(EDUCATION)!)) - 1 : -1;

  const everyone = Int32Array.from({ length: tables[0].count }, (_, c) => c);
  const subgroups: Subgroup[] = [{ info: info('all', [], [], tables[0], everyone, personWeight, options), table: 0, cells: everyone }];
  for (const def of options.subgroups) {
    const t = def.includes(EDUCATION) ? eduTable : 0;
    subgroups.push(...subgroupsOf(def, t, tables[t], dims, personWeight, options));
  }
  return { personWeight, tables, subgroups };
}

interface DimensionValues {
  /** Sorted distinct values. */
  values: string[];
  /** Per point: index into values. */
  code: Int32Array;
}

function subgroupsOf(
  def: readonly Dimension[], tableIndex: number, table: CellTable, dims: Map<string, DimensionValues>, personWeight: Float64Array, options: PlanOptions,
): Subgroup[] {
  const ds = def.map((d) => dims.get(d)!);
  // A cell's values are constant over its points: read them at its first point.
  const byKey = new Map<string, { values: number[]; cells: number[] }>();
  for (let c = 0; c < table.count; c++) {
    const i = table.points[table.start[c]];
    const values = ds.map((d) => d.code[i]);
    const key = values.join(',');
    let g = byKey.get(key);
    if (!g) byKey.set(key, (g = { values, cells: [] }));
    g.cells.push(c);
  }
  const groups = [...byKey.values()].sort((a, b) => compareTuples(a.values, b.values));
  return groups.map((g) => {
    const values = g.values.map((v, j) => ds[j].values[v]);
    const id = def.map((d, j) => `${d}=${values[j]}`).join('&');
    const cells = Int32Array.from(g.cells);
    return { info: info(id, [...def], values, table, cells, personWeight, options), table: tableIndex, cells };
  });
}

function info(
  id: string, dimensions: string[], values: string[], table: CellTable, cells: ArrayLike<number>, personWeight: Float64Array, options: PlanOptions,
): SubgroupInfo {
  let nPoints = 0;
  let weight = 0;
  for (let j = 0; j < cells.length; j++) {
    const c = cells[j];
    const size = table.start[c + 1] - table.start[c];
    nPoints += size;
    weight += size * personWeight[table.person[c]];
  }
  const status = cells.length < options.minPersons || nPoints < options.minPoints || !(weight > 0) ? 'too_small' : 'ok';
  return { id, dimensions, values, n_persons: cells.length, n_points: nPoints, weight, status };
}

/** Groups points into cells by person and, if `split` is given, by its value at each point. */
function cellTable(personOf: Int32Array, split: DimensionValues | null): CellTable {
  const n = personOf.length;
  const cellOf = new Int32Array(n);
  const ids = new Map<number, number>();
  const person: number[] = [];
  const width = split ? split.values.length : 1;
  for (let i = 0; i < n; i++) {
    const key = split ? personOf[i] * width + split.code[i] : personOf[i];
    let c = ids.get(key);
    if (c === undefined) {
      ids.set(key, (c = person.length));
      person.push(personOf[i]);
    }
    cellOf[i] = c;
  }
  const count = person.length;
  const start = new Int32Array(count + 1);
  for (let i = 0; i < n; i++) start[cellOf[i] + 1]++;
  for (let c = 0; c < count; c++) start[c + 1] += start[c];
  const fill = start.slice(0, count);
  const points = new Int32Array(n);
  for (let i = 0; i < n; i++) points[fill[cellOf[i]]++] = i;
  return { count, person: Int32Array.from(person), start, points };
}

function personIndex(input: AnalysisInput, points: AlignedPoints): Int32Array {
  const index = new Map<string, number>();
  const problems = new ProblemList();
  input.persons.forEach((p, i) => {
    if (index.has(p.person_id)) problems.add('duplicate person_id in persons', `'${p.person_id}' at rows ${index.get(p.person_id)! + 1} and ${i + 1}`);
    index.set(p.person_id, i);
  });
  const personOf = new Int32Array(points.n);
  for (let i = 0; i < points.n; i++) {
    const p = index.get(points.person_id[i]);
    if (p === undefined) problems.add('prediction points of persons not in persons', `person ${points.person_id[i]} (year ${points.year[i]})`);
    personOf[i] = p ?? 0;
  }
  problems.throwIfAny((m, d) => new InvalidData(m, d), 'analysis: the persons table does not cover the prediction points');
  return personOf;
}

/** Person rows as records, so that any property (a covariate, a weight) can be read by name. */
function rows(input: AnalysisInput): readonly AnalysisPerson[] {
  return input.persons as readonly AnalysisPerson[];
}

function weights(input: AnalysisInput, column: string | undefined): Float64Array {
  const w = new Float64Array(input.persons.length).fill(1);
  if (column === undefined) return w;
  if (!rows(input).some((p) => column in p)) {
    throw new InvalidData(`analysis: weight column '${column}' missing from persons (columns: ${columnsOf(input).join(', ')})`);
  }
  const problems = new ProblemList();
  rows(input).forEach((p, i) => {
    const v = p[column];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) problems.add('weight not a finite number >= 0', `person ${p.person_id}: ${String(v)}`);
    else w[i] = v;
  });
  problems.throwIfAny((m, d) => new InvalidData(m, d), `analysis: invalid survey weights in column '${column}'`);
  return w;
}

function dimensionValues(dim: Dimension, input: AnalysisInput, points: AlignedPoints, personOf: Int32Array): DimensionValues {
  const n = points.n;
  const raw = new Array<string>(n);
  const problems = new ProblemList();
  if (dim === EDUCATION) {
    const py = input.personYears;
    if (!py) throw new InvalidData(`analysis: subgroup dimension '${EDUCATION}' needs person_years (education per person-year), which were not given`);
    const at = new Map<string, string>();
    for (let j = 0; j < py.person_id.length; j++) at.set(`${py.person_id[j]}\u0000${py.year[j]}`, py.education[j]);
    for (let i = 0; i < n; i++) {
      const e = at.get(`${points.person_id[i]}\u0000${points.year[i]}`);
      if (e === undefined || e === null) problems.add('prediction points without a person-year (education)', `person ${points.person_id[i]}, year ${points.year[i]}`);
      raw[i] = String(e);
    }
  } else {
    const column = dim === BIRTH_COHORT ? 'birth_year' : dim;
    if (!rows(input).some((p) => column in p)) {
      throw new InvalidData(`analysis: subgroup column '${column}' missing from persons (columns: ${columnsOf(input).join(', ')})`);
    }
    const perPerson = rows(input).map((p) => {
      const v = p[column];
      if (v === null || v === undefined || v === '') return undefined;
      if (dim !== BIRTH_COHORT) return String(v);
      if (v === UNKNOWN_BIRTH_YEAR) return 'unknown';
      return typeof v === 'number' && Number.isInteger(v) ? `${Math.floor(v / 10) * 10}s` : undefined;
    });
    const reported = new Set<number>();
    for (let i = 0; i < n; i++) {
      const v = perPerson[personOf[i]];
      if (v === undefined && !reported.has(personOf[i])) {
        reported.add(personOf[i]);
        const p = rows(input)[personOf[i]];
        problems.add(`no value of '${column}'${dim === BIRTH_COHORT ? ' (an integer year)' : ''}`, `person ${p.person_id}: ${String(p[column])}`);
      }
      raw[i] = v as string;
    }
  }
  problems.throwIfAny((m, d) => new InvalidData(m, d), `analysis: cannot assign prediction points to '${dim}' subgroups`);
  const values = sortValues(dim, [...new Set(raw)]);
  const index = new Map(values.map((v, j) => [v, j]));
  return { values, code: Int32Array.from(raw, (v) => index.get(v)!) };
}

/** Education in its natural order where the levels are the known ones; other values sorted as text. */
function sortValues(dim: Dimension, values: string[]): string[] {
  const levels: readonly string[] = EDUCATION_LEVELS;
  if (dim === EDUCATION && values.every((v) => levels.includes(v))) return values.sort((a, b) => levels.indexOf(a) - levels.indexOf(b));
  return values.sort();
}

function checkDefinitions(defs: readonly (readonly Dimension[])[]): void {
  const problems: string[] = [];
  defs.forEach((d, i) => {
    if (!Array.isArray(d) || d.length === 0) problems.push(`subgroups[${i}]: expected a non-empty list of dimensions, found ${JSON.stringify(d)}`);
    else if (d.some((x) => typeof x !== 'string' || x === '')) problems.push(`subgroups[${i}]: dimension names must be non-empty strings, found ${JSON.stringify(d)}`);
    else if (new Set(d).size !== d.length) problems.push(`subgroups[${i}]: a dimension repeats in ${JSON.stringify(d)}`);
  });
  if (problems.length) throw new InvalidConfig('analysis: invalid subgroup definitions', problems);
}

function columnsOf(input: AnalysisInput): string[] {
  return [...new Set(rows(input).flatMap((p) => Object.keys(p)))];
}

function compareTuples(a: number[], b: number[]): number {
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return a[j] - b[j];
  return 0;
}
