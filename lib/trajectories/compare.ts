/**
 * Compares simulated careers with the observed ones (and, on synthetic data, with the truth's
 * simulations) per model, subgroup and horizon: total variation between the distributions of
 * occupations, of occupation groups and of group transitions into that year, the mean number of
 * distinct occupations held since the K-th year and the share ever non-employed since then.
 */
import { DEFAULT_MIN_PERSONS } from '../analysis/one-step';
import { codePrefixGroups, indexGroups } from '../analysis/groups';
import { defaultSubgroups } from '../analysis/subgroups';
import { totalVariation } from '../analysis/distances';
import { InvalidConfig } from '../errors';
import { SumsBuilder, type HorizonSums, type Source } from './measures';
import { personSubgroups } from './subgroups';
import type {
  Measure, MeasureStat, TrajectoryAnalysis, TrajectoryInput, TrajectoryOptions, TrajectoryResult, TrajectorySubgroup, TransitionMatrix,
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
  const minPersons = options.minPersons ?? DEFAULT_MIN_PERSONS;
  if (!(Number.isSafeInteger(minPersons) && minPersons >= 0)) throw new InvalidConfig(`trajectories: minPersons must be a non-negative integer, found ${JSON.stringify(minPersons)}`);
  const first = simulations[0];
  const H = first.horizon;
  const taxonomy = careers.taxonomy;
  const groups = indexGroups(taxonomy, input.groups ?? codePrefixGroups(taxonomy));
  const G = groups.names.length;
  const subgroups = personSubgroups(careers, first, options.subgroups ?? defaultSubgroups(true));
  const builder = new SumsBuilder(taxonomy, groups, H);
  const truth = input.truth ?? null;
  const sources = [empiricalSource(careers, first), ...simulations.map((s) => simulationSource(careers, s))];

  const subgroupInfo: TrajectorySubgroup[] = [];
  const results: TrajectoryResult[] = [];
  const transitions: TransitionMatrix[] = [];
  for (const g of subgroups) {
    const sums = sources.map((s) => builder.sums(s, g.persons));
    const status = (h: number) => (sums[0][h - 1].persons < minPersons || sums[0][h - 1].persons === 0 ? 'too_small' : 'ok');
    subgroupInfo.push({ ...g.info, n_persons: g.persons.length, status: status(1) });
    if (status(1) === 'ok') {
      sources.forEach((s, i) => transitions.push({ source: s.name, subgroup: g.info.id, counts: Array.from(pooled(sums[i], G * G)) }));
    }
    simulations.forEach((sim, m) => {
      const refs = [0, ...(truth !== null && sim.sampler !== truth ? [1 + simulations.findIndex((s) => s.sampler === truth)] : [])];
      for (const r of refs) {
        for (let h = 1; h <= H; h++) {
          const st = status(h);
          results.push({
            model: sim.sampler, reference: sources[r].name, subgroup: g.info.id, horizon: h, n_persons: sums[0][h - 1].persons, status: st,
            measures: st === 'ok' ? measures(sums[1 + m][h - 1], sums[r][h - 1]) : null,
          });
        }
      }
    });
  }

  return {
    method: {
      prefix_years: first.prefixYears,
      horizon: H,
      draws: Object.fromEntries(simulations.map((s) => [s.sampler, s.draws])),
      seeds: Object.fromEntries(simulations.map((s) => [s.sampler, s.seed])),
      min_persons: minPersons,
      subgroup_education: 'education at the K-th observed year (where the simulation starts)',
      measures: MEASURE_TEXT,
      transitions: 'counts of (group the year before, group that year) over every year after the K-th, all horizons and draws pooled; subgroups with status ok only',
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

function measures(m: HorizonSums, r: HorizonSums): Record<Measure, MeasureStat> {
  const tv = (a: Float64Array, b: Float64Array): MeasureStat => ({ value: totalVariation(scale(a, m.paths), scale(b, r.paths)), model: null, reference: null });
  const mean = (a: number, b: number): MeasureStat => ({ value: a / m.paths - b / r.paths, model: a / m.paths, reference: b / r.paths });
  return {
    occupation_tv: tv(m.state, r.state),
    group_tv: tv(m.group, r.group),
    transition_tv: tv(m.transition, r.transition),
    distinct_occupations: mean(m.distinct, r.distinct),
    ever_nonemployed: mean(m.everNonemployed, r.everNonemployed),
  };
}

function scale(a: Float64Array, n: number): Float64Array {
  return a.map((x) => x / n);
}

function pooled(sums: HorizonSums[], size: number): Float64Array {
  const out = new Float64Array(size);
  for (const s of sums) for (let k = 0; k < size; k++) out[k] += s.transition[k];
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
