/**
 * Builds the comparison table from evaluate step folders: every model's metrics (metrics.json)
 * and, from its predictions, its excess log-loss over the oracle of its evaluation and over the
 * reference model, paired on the same points.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FILES } from '../artifacts/contracts';
import { DEFAULT_BOOTSTRAP, DEFAULT_CI_LEVEL, type EvalMetrics } from '../metrics/evaluate';
import { InvalidData } from '../errors';
import { metricEstimates } from './metric-estimates';
import { pairedExcess, type PairedOptions } from './paired-excess';
import { pairPoints, PointsMismatch } from './pair-points';
import { readPointLosses, type PointLosses } from './point-losses';
import { fullName, resolveReference } from './reference';
import type { EvaluationSource } from './run-evaluations';
import { checkSameTaxonomy } from './same-taxonomy';
import type { CompareOptions, CompareRow, CompareRunInfo, CompareTable, Paired } from './types';

function readModels(e: EvaluationSource): { models: Record<string, EvalMetrics>; oracleBound?: string } {
  const file = join(e.dir, FILES.metrics);
  const where = `${e.run}/${e.step}`;
  if (!existsSync(file)) throw new InvalidData(`${where}: metrics file not found: ${file}`);
  let parsed: { models?: unknown; oracle_bound?: unknown };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InvalidData(`${where}: ${file} is not valid JSON (${(err as Error).message})`);
  }
  const models = parsed?.models;
  if (!models || typeof models !== 'object' || Object.keys(models).length === 0) {
    throw new InvalidData(`${where}: ${file} names no models (expected {points, models: {<name>: metrics}})`);
  }
  const bound = typeof parsed.oracle_bound === 'string' ? { oracleBound: parsed.oracle_bound } : {};
  return { models: models as Record<string, EvalMetrics>, ...bound };
}

function readLosses(e: EvaluationSource, model: string): PointLosses {
  try {
    return readPointLosses(join(e.dir, model));
  } catch (err) {
    throw new InvalidData(`${e.run}/${e.step}:${model}: predictions unreadable: ${(err as Error).message}`);
  }
}

function pair(model: { name: string; losses: PointLosses }, other: { name: string; losses: PointLosses }, options: PairedOptions): Paired {
  try {
    const idx = pairPoints(model.losses, other.losses, { model: model.name, other: other.name });
    return { comparable: true, against: other.name, ...pairedExcess(model.losses, other.losses, idx, options) };
  } catch (err) {
    if (!(err instanceof PointsMismatch)) throw err;
    return { comparable: false, against: other.name, reason: err.message };
  }
}

export function compareEvaluations(evaluations: EvaluationSource[], options: CompareOptions = {}, runs?: CompareRunInfo[]): CompareTable {
  if (evaluations.length === 0) throw new InvalidData('nothing to compare: no evaluate step');
  if (evaluations.length > 1) checkSameTaxonomy(evaluations.map((e) => ({ name: `${e.run}/${e.step}`, panelDir: e.panelDir })));
  const paired = {
    method: 'paired person bootstrap, percentile' as const,
    replicates: options.bootstrap ?? DEFAULT_BOOTSTRAP,
    seed: options.seed ?? 0,
    level: options.level ?? DEFAULT_CI_LEVEL,
  };
  const pairedOptions: PairedOptions = { bootstrap: paired.replicates, seed: paired.seed, level: paired.level };

  const rows: CompareRow[] = [];
  const losses: PointLosses[] = [];
  const oracleOf: (number | undefined)[] = [];
  for (const e of evaluations) {
    const { models, oracleBound } = readModels(e);
    const names = Object.keys(models);
    let oracle: number | undefined;
    const pending: number[] = [];
    for (const model of names) {
      const m = models[model];
      const own = readLosses(e, model);
      // A baseline or oracle that another evaluation of the run scored on the same points with the
      // same losses (same data, same fit) is listed once.
      const bound = model === 'oracle' ? oracleBound : undefined;
      const twin = model === 'model' ? -1 : rows.findIndex((r, j) => r.run === e.run && r.model === model && r.bound === bound && sameLosses(losses[j], own));
      if (model === 'oracle') oracle = twin >= 0 ? twin : rows.length;
      if (twin >= 0) {
        (rows[twin].also ??= []).push(`${e.step}:${model}`);
        continue;
      }
      pending.push(rows.length);
      losses.push(own);
      oracleOf.push(undefined);
      rows.push({
        run: e.run, step: e.step, model, label: `${e.step}:${model}`,
        ...(model === 'model' && e.scored ? { scored: e.scored } : {}),
        ...(bound ? { bound } : {}),
        points: m.n_points, persons: m.n_persons,
        ...metricEstimates(m),
        vs_oracle: null, vs_reference: null,
      });
    }
    for (const i of pending) oracleOf[i] = oracle;
  }

  const ref = resolveReference(options.reference, rows);
  const named = (i: number) => ({ name: fullName(rows[i]), losses: losses[i] });
  rows.forEach((row, i) => {
    const oracle = oracleOf[i];
    if (oracle !== undefined) row.vs_oracle = pair(named(i), named(oracle), pairedOptions);
    if (ref !== null) row.vs_reference = pair(named(i), named(ref), pairedOptions);
  });

  const seen = new Set<string>();
  const runInfo = runs ?? evaluations.flatMap((e) => (seen.has(e.run) ? [] : (seen.add(e.run), [{ id: e.run }])));
  return { runs: runInfo, reference: ref === null ? null : fullName(rows[ref]), paired, rows };
}

function sameLosses(a: PointLosses, b: PointLosses): boolean {
  if (a.logp_true.length !== b.logp_true.length) return false;
  for (let i = 0; i < a.logp_true.length; i++) {
    if (a.logp_true[i] !== b.logp_true[i] || a.person_id[i] !== b.person_id[i] || a.year[i] !== b.year[i]) return false;
  }
  return true;
}
