/**
 * Checks the models against the taxonomy and each other, and lines their rows up on one set of
 * points (the first model's): every model must predict exactly those points, with the same truth.
 */
import { InvalidData, ProblemList } from '../errors';
import type { Taxonomy } from '../panel/taxonomy';
import type { AnalysisModel } from './types';

export interface AlignedPoints {
  n: number;
  person_id: readonly string[];
  year: Int32Array;
  trueIdx: Int32Array;
  /** Taxonomy index of the previous state; -1 where there is none. */
  prevIdx: Int32Array;
  /** Per model: row of point i in that model's predictions (the identity for the first model). */
  rows: Int32Array[];
}

export function alignModels(taxonomy: Taxonomy, models: readonly AnalysisModel[]): AlignedPoints {
  checkModels(taxonomy, models);
  const ref = models[0].predictions;
  const n = ref.person_id.length;
  const problems = new ProblemList();
  const keyOf = new Map<string, number>();
  const trueIdx = new Int32Array(n);
  const prevIdx = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const where = `model '${models[0].name}' row ${i + 1} (person ${ref.person_id[i]}, year ${ref.year[i]})`;
    const key = pointKey(ref.person_id[i], ref.year[i]);
    if (keyOf.has(key)) problems.add('duplicate prediction point', `${where} repeats row ${keyOf.get(key)! + 1}`);
    keyOf.set(key, i);
    const t = taxonomy.index.get(ref.true_code[i]);
    if (t === undefined) problems.add('true_code not in the taxonomy', `${where}: '${ref.true_code[i]}'`);
    trueIdx[i] = t ?? 0;
    const prev = ref.prev_code[i];
    const p = prev === null || prev === undefined ? -1 : taxonomy.index.get(prev);
    if (p === undefined) problems.add('prev_code not in the taxonomy', `${where}: '${prev}'`);
    prevIdx[i] = p ?? -1;
  }
  problems.throwIfAny((m, d) => new InvalidData(m, d), `analysis: the prediction points of model '${models[0].name}' are invalid`);
  if (n === 0) throw new InvalidData(`analysis: model '${models[0].name}' has no prediction points`);

  const rows: Int32Array[] = [Int32Array.from({ length: n }, (_, i) => i)];
  for (const m of models.slice(1)) rows.push(alignOne(m, models[0].name, keyOf, ref));
  return { n, person_id: ref.person_id, year: ref.year, trueIdx, prevIdx, rows };
}

function alignOne(model: AnalysisModel, refName: string, keyOf: ReadonlyMap<string, number>, ref: AnalysisModel['predictions']): Int32Array {
  const p = model.predictions;
  const n = ref.person_id.length;
  const row = new Int32Array(n).fill(-1);
  const problems = new ProblemList();
  for (let j = 0; j < p.person_id.length; j++) {
    const where = `row ${j + 1} (person ${p.person_id[j]}, year ${p.year[j]})`;
    const i = keyOf.get(pointKey(p.person_id[j], p.year[j]));
    if (i === undefined) problems.add(`points not predicted by '${refName}'`, where);
    else if (row[i] >= 0) problems.add('duplicate prediction point', `${where} repeats row ${row[i] + 1}`);
    else {
      row[i] = j;
      if (p.true_code[j] !== ref.true_code[i]) problems.add('true_code differs', `${where}: '${p.true_code[j]}', '${refName}' has '${ref.true_code[i]}'`);
      if ((p.prev_code[j] ?? null) !== (ref.prev_code[i] ?? null)) {
        problems.add('prev_code differs', `${where}: '${p.prev_code[j]}', '${refName}' has '${ref.prev_code[i]}'`);
      }
    }
  }
  for (let i = 0; i < n; i++) {
    if (row[i] < 0) problems.add(`points of '${refName}' missing`, `person ${ref.person_id[i]}, year ${ref.year[i]}`);
  }
  problems.throwIfAny(
    (m, d) => new InvalidData(m, d),
    `analysis: model '${model.name}' does not predict the same points as '${refName}' (every compared model needs predictions for every point)`,
  );
  return row;
}

function checkModels(taxonomy: Taxonomy, models: readonly AnalysisModel[]): void {
  if (models.length === 0) throw new InvalidData('analysis: no models given (expected at least one predictions table)');
  const problems: string[] = [];
  const names = new Set<string>();
  for (const m of models) {
    if (!m.name) problems.push('a model has an empty name');
    if (names.has(m.name)) problems.push(`model name '${m.name}' given twice`);
    names.add(m.name);
  }
  const oracles = models.filter((m) => m.oracle).map((m) => `'${m.name}'`);
  if (oracles.length > 1) problems.push(`more than one oracle: ${oracles.join(', ')}`);
  if (problems.length) throw new InvalidData('analysis: invalid model list', problems);

  const K = taxonomy.size;
  for (const m of models) {
    const diff = m.taxonomy ? taxonomyDifference(taxonomy, m.taxonomy) : null;
    if (diff) throw new InvalidData(`analysis: model '${m.name}' was evaluated over a different taxonomy: ${diff}`);
    const p = m.predictions;
    if (p.n_states !== K || p.probs.length !== p.person_id.length * K) {
      throw new InvalidData(
        `analysis: model '${m.name}' has distributions over ${p.n_states} states (${p.probs.length} probabilities for ${p.person_id.length} points), the taxonomy has ${K} states`,
      );
    }
  }
}

/** A description of the first differences between two taxonomies, or null if they are the same. */
export function taxonomyDifference(expected: Taxonomy, found: Taxonomy): string | null {
  const out: string[] = [];
  if (expected.size !== found.size) out.push(`${found.size} states, expected ${expected.size}`);
  const n = Math.min(expected.size, found.size);
  let more = 0;
  for (let k = 0; k < n; k++) {
    const a = expected.rows[k];
    const b = found.rows[k];
    if (a.code === b.code && a.kind === b.kind) continue;
    if (out.length < 4) out.push(`state ${k + 1} is '${b.code}' (${b.kind}), expected '${a.code}' (${a.kind})`);
    else more++;
  }
  if (more) out.push(`${more} more differing states`);
  return out.length ? out.join('; ') : null;
}

function pointKey(person: string, year: number): string {
  return `${person}\u0000${year}`;
}
