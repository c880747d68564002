/**
 * One-step-ahead representativeness: per model and subgroup, the mean predicted next-state
 * distribution against the empirical one, predicted against actual change and non-employment
 * rates, and calibration, each with a person-bootstrap interval (persons resampled within the
 * subgroup; the same resamples for every model, so differences to the oracle are paired).
 */
import { InvalidConfig, InvalidData } from '../errors';
import { basicInterval, percentileInterval, personBootstrap } from '../metrics/bootstrap';
import { DEFAULT_BOOTSTRAP, DEFAULT_CI_LEVEL, DEFAULT_ECE_BINS } from '../metrics/evaluate';
import { alignModels } from './align';
import { modelSums, truthSums } from './cell-sums';
import { indexGroups } from './groups';
import { NSTATS, stat, SubgroupStats, type StatName } from './subgroup-stats';
import { defaultSubgroups, planSubgroups, type Subgroup } from './subgroups';
import type {
  AnalysisInput, AnalysisMethod, AnalysisOptions, DistanceStat, Distances, ModelSubgroupResult, OneStepAnalysis, RateStat,
} from './types';

export const DEFAULT_MIN_PERSONS = 30;
export const DEFAULT_MIN_POINTS = 100;
export const DEFAULT_KL_EPSILON = 1e-6;

export function analyzeOneStep(input: AnalysisInput, options: AnalysisOptions = {}): OneStepAnalysis {
  const o = resolveOptions(input, options);
  const { taxonomy, models } = input;
  const K = taxonomy.size;
  const groups = input.groups ? indexGroups(taxonomy, input.groups) : null;
  const points = alignModels(taxonomy, models);
  const plan = planSubgroups(input, points, o);
  const oracle = models.findIndex((m) => m.oracle);

  // One pass over each model's distributions per cell table (one table, two with education).
  const truth = plan.tables.map((t) => truthSums(t, points, taxonomy));
  const sums = plan.tables.map((t) => models.map((m, mi) => modelSums(t, points, m, points.rows[mi], o.eceBins)));

  const results: ModelSubgroupResult[] = [];
  const estimate = new Float64Array(models.length * NSTATS);
  for (const g of plan.subgroups) {
    if (g.info.status === 'too_small') {
      for (const m of models) results.push({ model: m.name, subgroup: g.info.id, status: 'too_small', distances: null, rates: null, calibration: null });
      continue;
    }
    const s = new SubgroupStats({
      K, bins: o.eceBins, klEpsilon: o.klEpsilon, groups, table: plan.tables[g.table], trueIdx: points.trueIdx,
      truth: truth[g.table], models: sums[g.table], personWeight: plan.personWeight,
    }, g.cells);
    s.run(null, estimate);
    checkFinite(estimate, models.map((m) => m.name), g.info.id, !!groups);
    const reps = replicates(s, g, models.length, o);
    models.forEach((m, mi) => {
      const value = (name: StatName) => estimate[mi * NSTATS + stat(name)];
      const distance = (name: StatName): DistanceStat => {
        const own = reps && series(reps, mi, name, o.bootstrap);
        const diff = reps && oracle >= 0 && mi !== oracle ? minus(own!, series(reps, oracle, name, o.bootstrap)) : null;
        // Distances between sampled distributions are biased upward: basic (reflected) intervals correct for it.
        const minusOracle = diff ? basicInterval(diff, value(name) - estimate[oracle * NSTATS + stat(name)], o.level) : null;
        return {
          value: value(name),
          ci: own ? basicInterval(own, value(name), o.level, 0) : null,
          minus_oracle: minusOracle,
          exceeds_oracle: minusOracle && minusOracle.lo !== null ? minusOracle.lo > 0 : null,
        };
      };
      const distances = (prefix: '' | 'group_'): Distances => ({
        tv: distance(`${prefix}tv`), js: distance(`${prefix}js`), kl: distance(`${prefix}kl`),
      });
      const rates = s.rates(mi);
      const withInterval = (r: RateStat, name: StatName): RateStat => {
        const ci = reps && r.gap !== null ? percentileInterval(series(reps, mi, name, o.bootstrap), o.level) : null;
        return { ...r, ci, flagged: ci && ci.lo !== null && ci.hi !== null ? ci.lo > 0 || ci.hi < 0 : null };
      };
      results.push({
        model: m.name,
        subgroup: g.info.id,
        status: 'ok',
        distances: { state: distances(''), ...(groups ? { group: distances('group_') } : {}) },
        rates: { change: withInterval(rates.change, 'change_gap'), nonemployment: withInterval(rates.nonemployment, 'nonemployment_gap') },
        calibration: { ece: distance('ece'), bins: s.reliability(mi) },
      });
    });
  }

  return {
    method: method(o),
    models: models.map((m) => m.name),
    oracle: oracle >= 0 ? models[oracle].name : null,
    n_states: K,
    groups: groups?.names ?? [],
    subgroups: plan.subgroups.map((g) => g.info),
    results,
  };
}

/** Bootstrap replicates per model, [model][stat * B + b]; null when B = 0. */
function replicates(s: SubgroupStats, g: Subgroup, nModels: number, o: ResolvedOptions): Float64Array[] | null {
  const B = o.bootstrap;
  if (B === 0) return null;
  const reps = Array.from({ length: nModels }, () => new Float64Array(NSTATS * B));
  const out = new Float64Array(nModels * NSTATS);
  personBootstrap(g.cells.length, B, subgroupSeed(o.seed, g.info.id), (counts, b) => {
    s.run(counts, out);
    for (let m = 0; m < nModels; m++) for (let k = 0; k < NSTATS; k++) reps[m][k * B + b] = out[m * NSTATS + k];
  });
  return reps;
}

function series(reps: Float64Array[], model: number, name: StatName, B: number): Float64Array {
  const k = stat(name);
  return reps[model].subarray(k * B, (k + 1) * B);
}

function minus(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((x, i) => x - b[i]);
}

/**
 * A seed per subgroup from the run's seed and the subgroup's id (FNV-1a), so a subgroup's
 * resamples do not depend on which other subgroups are analysed.
 */
export function subgroupSeed(seed: number, id: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  h = Math.imul(h, 0x01000193);
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function checkFinite(estimate: Float64Array, names: string[], subgroup: string, withGroups: boolean): void {
  const bad: string[] = [];
  names.forEach((name, m) => {
    for (const s of ['tv', 'nonemployment_gap', 'ece'] as const) {
      if (!Number.isFinite(estimate[m * NSTATS + stat(s)])) bad.push(`model '${name}': ${s} is ${estimate[m * NSTATS + stat(s)]}`);
    }
    if (withGroups && !Number.isFinite(estimate[m * NSTATS + stat('group_tv')])) bad.push(`model '${name}': group_tv is not finite`);
  });
  if (bad.length) throw new InvalidData(`analysis: NaN or infinite probabilities in the predictions (subgroup ${subgroup})`, bad);
}

type ResolvedOptions = Required<Omit<AnalysisOptions, 'weightColumn'>> & Pick<AnalysisOptions, 'weightColumn'>;

function resolveOptions(input: AnalysisInput, options: AnalysisOptions): ResolvedOptions {
  const o: ResolvedOptions = {
    subgroups: options.subgroups ?? defaultSubgroups(!!input.personYears),
    minPersons: options.minPersons ?? DEFAULT_MIN_PERSONS,
    minPoints: options.minPoints ?? DEFAULT_MIN_POINTS,
    weightColumn: options.weightColumn,
    bootstrap: options.bootstrap ?? DEFAULT_BOOTSTRAP,
    seed: options.seed ?? 0,
    level: options.level ?? DEFAULT_CI_LEVEL,
    eceBins: options.eceBins ?? DEFAULT_ECE_BINS,
    klEpsilon: options.klEpsilon ?? DEFAULT_KL_EPSILON,
  };
  const problems: string[] = [];
  const count = (key: keyof ResolvedOptions, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) problems.push(`${key}: expected an integer >= ${min}, found ${v}`);
  };
  count('minPersons', o.minPersons, 1);
  count('minPoints', o.minPoints, 1);
  count('bootstrap', o.bootstrap, 0);
  count('eceBins', o.eceBins, 1);
  if (!Number.isInteger(o.seed)) problems.push(`seed: expected an integer, found ${o.seed}`);
  if (!(o.level > 0 && o.level < 1)) problems.push(`level: expected a number in (0, 1), found ${o.level}`);
  if (!(o.klEpsilon > 0 && o.klEpsilon < 1)) problems.push(`klEpsilon: expected a number in (0, 1), found ${o.klEpsilon}`);
  if (problems.length) throw new InvalidConfig('invalid analysis options', problems);
  return o;
}

function method(o: ResolvedOptions): AnalysisMethod {
  return {
    points: 'every prediction point of the first model; every other model must predict the same points',
    weights: o.weightColumn ? `survey weights from the persons column '${o.weightColumn}' (each point weighs its person's weight)` : 'uniform (every person weighs 1)',
    distances: {
      tv: 'total variation: half the L1 distance between the weighted mean predicted and the empirical next-state distribution, in [0, 1]',
      js: 'Jensen-Shannon divergence, log base 2 (bits), in [0, 1]',
      kl: `KL(empirical || predicted), natural log (nats); epsilon ${o.klEpsilon} added to every state of both distributions, then renormalised`,
      kl_epsilon: o.klEpsilon,
    },
    rates: {
      change: 'points with a previous state: predicted = mean p_change, actual = share with true_code != prev_code; gap = predicted - actual',
      nonemployment: 'all points: predicted = mean p_nonemployment, actual = share whose true state is not an occupation; gap = predicted - actual',
    },
    calibration: { confidence: 'top-1 probability (ties: first state), equal-width bins; ECE = sum over bins |hits - confidence| / weight', bins: o.eceBins },
    bootstrap: {
      method: 'person bootstrap within each subgroup, the same resamples for every model; basic (reflected) intervals for the distances and their differences '
        + 'from the oracle (a plug-in distance is biased upward, and the basic interval corrects for the bias the bootstrap measures; distances floored at 0), '
        + 'percentile intervals for the rates',
      replicates: o.bootstrap, seed: o.seed, level: o.level,
    },
    flags: {
      rates: 'flagged: the interval of the gap (predicted - actual rate) excludes 0',
      oracle: "exceeds_oracle: the interval of (this model's distance or ECE - the oracle's), over the same resamples, lies above 0",
    },
    min_persons: o.minPersons,
    min_points: o.minPoints,
  };
}
