/**
 * Compares simulated careers with the observed ones (and, on synthetic data, with the truth's
 * simulations) per model, subgroup and horizon: total variation between the distributions of
 * occupations, of occupation groups and of group transitions into that year, the mean number of
 * distinct occupations held since the K-th year and the share ever non-employed since then.
 * Persons weigh their survey weight where they carry one (every draw as much as its person);
 * optional person-bootstrap intervals resample persons within each subgroup.
 */
import { DEFAULT_MIN_PERSONS, subgroupSeed } from '../analysis/one-step';
import { codePrefixGroups, indexGroups } from '../analysis/groups';
import { defaultSubgroups } from '../analysis/subgroups';
import { InvalidConfig } from '../errors';
import { DEFAULT_CI_LEVEL } from '../metrics/evaluate';
import { bootstrapIntervals } from './intervals';
import { measureStats, NMEASURES } from './measure-values';
import { PersonContributions, SumsLayout, type Source } from './measures';
import { personSubgroups } from './subgroups';
import { personWeights } from './weights';
import {
  MEASURES, type Measure, type TrajectoryAnalysis, type TrajectoryInput, type TrajectoryOptions, type TrajectoryResult, type TrajectorySubgroup,
  type TransitionMatrix,
} from './analysis-types';
import type { Careers, Simulation } from './types';

export const EMPIRICAL = 'empirical';

const MEASURE_TEXT: Record<Measure, string> = {
  occupation_tv: 'total variation between the distributions of the state in the horizon-th year after the K-th (all draws pooled)',
  group_tv: 'the same over occupation groups (special states are their own group)',
  transition_tv: 'total variation between the joint distributions of (group the year before, group that year) at the horizon',
  distinct_occupations: 'mean number of distinct occupations held in the years after the K-th up to the horizon; value = model - reference',
  ever_nonemployed: 'share of careers unemployed, out of the labor force or in education in some year after the K-th up to the horizon; value = model - reference',
};

export function compareTrajectories(input: TrajectoryInput, options: TrajectoryOptions = {}): TrajectoryAnalysis {
  const { careers, simulations } = input;
  checkInput(input);
  const o = resolveOptions(options);
  const first = simulations[0];
  const H = first.horizon;
  const taxonomy = careers.taxonomy;
  const groups = indexGroups(taxonomy, input.groups ?? codePrefixGroups(taxonomy));
  const subgroups = personSubgroups(careers, first, o.subgroups);
  const { weight, survey } = personWeights(careers, first, o.weights);
  const layout = new SumsLayout(taxonomy, groups, H);
  const truth = input.truth ?? null;
  const sources = [empiricalSource(careers, first), ...simulations.map((s) => simulationSource(careers, s))];
  const contributions = sources.map((s) => new PersonContributions(layout, taxonomy, groups, s));
  const truthSource = truth === null ? -1 : 1 + simulations.findIndex((s) => s.sampler === truth);
  // Every model against the observed careers, and every model but the truth against the truth.
  const pairs = simulations.flatMap((_, m) => [[1 + m, 0], ...(truthSource > 0 && 1 + m !== truthSource ? [[1 + m, truthSource]] : [])] as [number, number][]);

  const subgroupInfo: TrajectorySubgroup[] = [];
  const results: TrajectoryResult[] = [];
  const transitions: TransitionMatrix[] = [];
  for (const g of subgroups) {
    const persons = reaching(first.steps, g.persons, H);
    const status = (h: number) => (persons[h - 1] < o.minPersons || persons[h - 1] === 0 ? 'too_small' : 'ok');
    let okUpTo = 0;
    while (okUpTo < H && status(okUpTo + 1) === 'ok') okUpTo++;
    const factor = Float64Array.from(g.persons, (p) => weight[p]);
    const sums = contributions.map((c) => c.sums(g.persons, factor, layout.newSums()));
    subgroupInfo.push({ ...g.info, n_persons: g.persons.length, status: status(1) });
    if (status(1) === 'ok') {
      sources.forEach((s, i) => transitions.push({ source: s.name, subgroup: g.info.id, counts: Array.from(pooled(layout, sums[i])) }));
    }
    const intervals = o.bootstrap > 0 && okUpTo > 0
      ? bootstrapIntervals({
        layout, contributions, persons: g.persons, weight, pairs, maxHorizon: okUpTo, replicates: o.bootstrap, seed: subgroupSeed(o.seed, g.info.id), level: o.level,
      })
      : null;
    pairs.forEach(([m, r], i) => {
      for (let h = 1; h <= H; h++) {
        const st = status(h);
        const measures = st === 'ok' ? measureStats(layout, sums[m], sums[r], h) : null;
        if (measures && intervals) MEASURES.forEach((k, j) => (measures[k].ci = intervals[(i * okUpTo + h - 1) * NMEASURES + j]));
        results.push({ model: sources[m].name, reference: sources[r].name, subgroup: g.info.id, horizon: h, n_persons: persons[h - 1], status: st, measures });
      }
    });
  }

  return {
    method: {
      prefix_years: first.prefixYears,
      horizon: H,
      draws: Object.fromEntries(simulations.map((s) => [s.sampler, s.draws])),
      seeds: Object.fromEntries(simulations.map((s) => [s.sampler, s.seed])),
      min_persons: o.minPersons,
      weights: survey
        ? "survey weights: each person weighs its weight (persons' weight column), every draw of a simulated person as much as the person; shares and means are weighted"
        : 'uniform (every person weighs 1)',
      bootstrap: {
        method: 'persons resampled with replacement within each subgroup (seed per subgroup from the seed and its id), the same resamples for every model and reference; '
          + 'basic (reflected) interval of each distance (tv: sampling noise only inflates a distance, and the basic interval corrects that bias, floored at 0), '
          + 'percentile interval of each difference of means',
        replicates: o.bootstrap,
        seed: o.seed,
        level: o.level,
      },
      subgroup_education: 'education at the K-th observed year (where the simulation starts)',
      // Which model drew each sampler's education (absent: the observed values were followed).
      education: simulations.some((s) => s.educationModel)
        ? { mode: 'generated', models: Object.fromEntries(simulations.map((s) => [s.sampler, s.educationModel ?? 'observed'])) }
        : { mode: 'observed' },
      measures: MEASURE_TEXT,
      transitions: `${survey ? 'weighted counts' : 'counts'} of (group the year before, group that year) over every year after the K-th, all horizons and draws pooled; subgroups with status ok only`,
    },
    models: simulations.map((s) => s.sampler),
    truth,
    references: truth === null ? [EMPIRICAL] : [EMPIRICAL, truth],
    n_states: taxonomy.size,
    groups: groups.names,
    persons: { careers: careers.persons.length, simulated: first.careers.length, skipped: first.skipped },
    subgroups: subgroupInfo,
    results,
    transitions,
  };
}

/** Persons of `slots` observed at least h years after the K-th, per horizon h (index h - 1). */
function reaching(steps: Int32Array, slots: Int32Array, H: number): Int32Array {
  const out = new Int32Array(H);
  for (const p of slots) for (let h = 1; h <= steps[p]; h++) out[h - 1]++;
  return out;
}

/** Transition sums over every horizon. */
function pooled(L: SumsLayout, sums: Float64Array): Float64Array {
  const out = new Float64Array(L.G * L.G);
  for (let h = 1; h <= L.horizon; h++) {
    const b = L.at(h) + L.transition;
    for (let k = 0; k < out.length; k++) out[k] += sums[b + k];
  }
  return out;
}

/** The observed careers: one draw, the state at step h is the (K + h)-th observed year's. */
function empiricalSource(careers: Careers, sim: Simulation): Source {
  const base = Int32Array.from(sim.careers, (c) => careers.start[c] + sim.prefixYears - 1);
  return { name: EMPIRICAL, draws: 1, steps: sim.steps, at: (p, _d, h) => careers.state[base[p] + h] };
}

function simulationSource(careers: Careers, sim: Simulation): Source {
  const H = sim.horizon;
  const N = sim.draws;
  const last = Int32Array.from(sim.careers, (c) => careers.state[careers.start[c] + sim.prefixYears - 1]);
  return { name: sim.sampler, draws: N, steps: sim.steps, at: (p, d, h) => (h === 0 ? last[p] : sim.states[(p * N + d) * H + h - 1]) };
}

function checkInput(input: TrajectoryInput): void {
  const sims = input.simulations;
  if (!sims?.length) throw new InvalidConfig('trajectories: no simulations to compare');
  const problems: string[] = [];
  const names = sims.map((s) => s.sampler);
  const dup = names.filter((n, i) => names.indexOf(n) !== i);
  if (dup.length) problems.push(`model names repeat: ${[...new Set(dup)].join(', ')}`);
  if (names.includes(EMPIRICAL)) problems.push(`'${EMPIRICAL}' names the observed careers; rename the model`);
  if (input.truth !== undefined && !names.includes(input.truth)) problems.push(`truth '${input.truth}' is not one of the simulations (${names.join(', ')})`);
  const f = sims[0];
  for (const s of sims.slice(1)) {
    if (s.prefixYears !== f.prefixYears || s.horizon !== f.horizon) {
      problems.push(`'${s.sampler}' simulates K = ${s.prefixYears}, horizon ${s.horizon}; '${f.sampler}' K = ${f.prefixYears}, horizon ${f.horizon}`);
    } else if (s.careers.length !== f.careers.length || s.careers.some((c, i) => c !== f.careers[i])) {
      problems.push(`'${s.sampler}' and '${f.sampler}' simulate different persons`);
    }
  }
  const n = input.careers.persons.length;
  for (const s of sims) if (s.careers.some((c) => c >= n)) problems.push(`'${s.sampler}' refers to careers beyond the ${n} given`);
  if (problems.length) throw new InvalidConfig('trajectories: the simulations cannot be compared', problems);
}

type ResolvedOptions = Required<TrajectoryOptions>;

function resolveOptions(options: TrajectoryOptions): ResolvedOptions {
  const o: ResolvedOptions = {
    subgroups: options.subgroups ?? defaultSubgroups(true),
    minPersons: options.minPersons ?? DEFAULT_MIN_PERSONS,
    weights: options.weights ?? true,
    bootstrap: options.bootstrap ?? 0,
    seed: options.seed ?? 0,
    level: options.level ?? DEFAULT_CI_LEVEL,
  };
  const problems: string[] = [];
  if (!(Number.isSafeInteger(o.minPersons) && o.minPersons >= 0)) problems.push(`minPersons: expected a non-negative integer, found ${JSON.stringify(o.minPersons)}`);
  if (!(Number.isSafeInteger(o.bootstrap) && o.bootstrap >= 0)) problems.push(`bootstrap: expected a non-negative integer, found ${JSON.stringify(o.bootstrap)}`);
  if (!Number.isSafeInteger(o.seed)) problems.push(`seed: expected an integer, found ${JSON.stringify(o.seed)}`);
  if (!(typeof o.level === 'number' && o.level > 0 && o.level < 1)) problems.push(`level: expected a number in (0, 1), found ${JSON.stringify(o.level)}`);
  if (typeof o.weights !== 'boolean') problems.push(`weights: expected true or false, found ${JSON.stringify(o.weights)}`);
  if (problems.length) throw new InvalidConfig('trajectories: invalid options', problems);
  return o;
}
