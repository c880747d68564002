/**
 * The synthetic truth's education model: the generator's own education process (lib/synth
 * generate.ts, population.ts), given what a partial career shows.
 *
 * The generator draws a latent target level per person (an ordered logit of demographics, birth
 * year and the population's shift) and a delay of degrees after high school; the first observed
 * year shows the levels whose typical age (plus the delay) is reached; at each later observed
 * year, a person below the target and old enough for the next level rises one level with
 * probability 1 - (1 - q)^gap, q = 0.8 from less than high school, else 0.6 after a year in
 * education, else 0.2 up to age 26 and 0.04 after. The first year's state also depends on the
 * target (in education more likely while below it and young). Nothing else depends on the target.
 *
 * So the next year's education is drawn exactly: the target's posterior given the path so far
 * (prior x first year's education and state x every rise or non-rise since), then one step of
 * the rise rule. The target's prior needs the population; without one given, the population
 * whose prior makes the careers' first observed years likeliest is used (one choice per Careers;
 * with more than a few dozen persons the two populations' shifts are far apart).
 */
import { InvalidData } from '../errors';
import { EDUCATION_LEVELS } from '../panel/panel';
import type { Population } from '../synth/generate';
import { EDUCATION_CUTS, EDUCATION_MIN_AGE, EDUCATION_TYPICAL_AGE, POPULATIONS, RACE_EDUCATION } from '../synth/population';
import { KIND_EDUC, newStepContext, type TruthModel } from '../synth/truth';
import { educationCode, truthCodes } from './truth-codes';
import type { Careers, EducationSampler, PartialCareer } from './types';

const LEVELS = EDUCATION_LEVELS.length;
/** The generator's delay of degrees after high school: 0 with probability 0.7, else 1..8 uniformly. */
const DELAYS = [0.7, ...new Array<number>(8).fill(0.3 / 8)];

export interface TruthEducation extends EducationSampler {
  /** The population whose education prior is used for these careers. */
  population(careers: Careers): Population;
}

interface PerCareers {
  population: Population;
  /** Per career: prior x first-year factors of each target level, row-major [career, level]. */
  start: Float64Array;
}

export function truthEducation(truth: TruthModel, options: { name?: string; population?: Population } = {}): TruthEducation {
  const name = options.name ?? 'truth';
  const cache = new WeakMap<Careers, PerCareers>();
  const prepared = (careers: Careers) => {
    let per = cache.get(careers);
    if (!per) cache.set(careers, (per = prepare(truth, careers, options.population)));
    return per;
  };
  return {
    name,
    levels: EDUCATION_LEVELS,
    population: (careers) => prepared(careers).population,
    async distributions(careers: Careers, batch: readonly PartialCareer[]): Promise<Float64Array> {
      const { start } = prepared(careers);
      const codes = truthCodes(careers);
      const out = new Float64Array(batch.length * LEVELS);
      const post = new Float64Array(LEVELS);
      batch.forEach((b, j) => {
        const c = b.career;
        const first = careers.start[c];
        const birth = careers.persons[c].birth_year;
        const edu = b.education ? (i: number) => educationCode(careers, c, b.education![i]) : (i: number) => codes.education[first + i];
        // Rise probability into observed year i (0 if the path cannot rise there), for a target above edu(i - 1).
        const rise = (i: number) => {
          const from = edu(i - 1);
          const age = careers.year[first + i] - birth;
          if (from + 1 >= LEVELS || age < EDUCATION_MIN_AGE[from + 1]) return 0;
          const q = from === 0 ? 0.8 : truth.kind[b.states[i - 1]] === KIND_EDUC ? 0.6 : age <= 26 ? 0.2 : 0.04;
          return 1 - Math.pow(1 - q, careers.year[first + i] - careers.year[first + i - 1]);
        };
        post.set(start.subarray(c * LEVELS, (c + 1) * LEVELS));
        const n = b.states.length;
        for (let i = 1; i < n; i++) {
          const from = edu(i - 1);
          const to = edu(i);
          const r = rise(i);
          for (let t = 0; t < LEVELS; t++) {
            const canRise = t > from ? r : 0;
            post[t] *= to === from ? 1 - canRise : to === from + 1 ? canRise : 0;
          }
        }
        let total = 0;
        for (let t = 0; t < LEVELS; t++) total += post[t];
        if (!(total > 0)) {
          throw new InvalidData(
            `trajectories: education model '${name}': the education of person '${careers.persons[c].person_id}' (draw ${b.draw}) over its first ${n} observed years ` +
              `(${Array.from({ length: n }, (_, i) => EDUCATION_LEVELS[edu(i)]).join(', ')}) is impossible under the generator's education process`,
          );
        }
        // Next year: rise with the rise probability if the target lies above.
        const from = edu(n - 1);
        const r = rise(n);
        let above = 0;
        for (let t = from + 1; t < LEVELS; t++) above += post[t];
        const up = (above / total) * r;
        out[j * LEVELS + from] = 1 - up;
        if (up > 0) out[j * LEVELS + from + 1] = up;
      });
      return out;
    },
  };
}

function prepare(truth: TruthModel, careers: Careers, population: Population | undefined): PerCareers {
  const codes = truthCodes(careers);
  const C = careers.persons.length;
  // Population-free factors of the first observed year: its education given (target, delay), its state given the target.
  const first = new Float64Array(C * LEVELS);
  const ctx = newStepContext(1);
  const dist = new Float64Array(truth.size);
  for (let c = 0; c < C; c++) {
    const r = careers.start[c];
    if (careers.start[c + 1] === r) continue;
    const p = careers.persons[c];
    const e0 = codes.education[r];
    const age = careers.year[r] - p.birth_year;
    truth.startPerson(ctx, codes.person[3 * c], codes.person[3 * c + 1], codes.person[3 * c + 2], p.birth_year);
    truth.prepare(ctx, careers.year[r], e0);
    const stateIf = (wants: boolean) => truth.distribution(ctx, dist, wants)[careers.state[r]];
    const stateBelow = stateIf(true);
    const stateAt = stateIf(false);
    for (let t = e0; t < LEVELS; t++) {
      let shown = 0;
      DELAYS.forEach((pd, d) => {
        if (firstLevel(t, d, age) === e0) shown += pd;
      });
      first[c * LEVELS + t] = shown * (t > e0 ? stateBelow : stateAt);
    }
  }
  const withPrior = (pop: Population) => {
    const start = new Float64Array(C * LEVELS);
    for (let c = 0; c < C; c++) {
      const p = careers.persons[c];
      const prior = targetPrior(pop, codes.person[3 * c], codes.person[3 * c + 1], p.birth_year);
      for (let t = 0; t < LEVELS; t++) start[c * LEVELS + t] = prior[t] * first[c * LEVELS + t];
    }
    return start;
  };
  if (population) return { population, start: withPrior(population) };
  let best: PerCareers | undefined;
  let bestLogLik = -Infinity;
  for (const pop of Object.keys(POPULATIONS) as Population[]) {
    const start = withPrior(pop);
    let logLik = 0;
    for (let c = 0; c < C; c++) {
      if (careers.start[c + 1] === careers.start[c]) continue;
      let lik = 0;
      for (let t = 0; t < LEVELS; t++) lik += start[c * LEVELS + t];
      logLik += Math.log(lik);
    }
    if (best === undefined || logLik > bestLogLik) [best, bestLogLik] = [{ population: pop, start }, logLik];
  }
  return best!;
}

/** The education the generator shows at a person's first observation, for a target and delay. */
function firstLevel(target: number, delay: number, age: number): number {
  let edu = 0;
  for (let l = 1; l <= target; l++) if (age >= EDUCATION_TYPICAL_AGE[l] + (l >= 2 ? delay : 0)) edu = l;
  return edu;
}

/** P(target level) under the generator's ordered logit (its uniform draw's clamp to [1e-9, 1 - 1e-9] ignored). */
function targetPrior(population: Population, female: number, race: number, birthYear: number): Float64Array {
  const mu = POPULATIONS[population].educationShift + RACE_EDUCATION[race] + 0.15 * female + 0.02 * Math.min(30, Math.max(-20, birthYear - 1960));
  const atLeast = (k: number) => (k === 0 ? 1 : k > EDUCATION_CUTS.length ? 0 : 1 / (1 + Math.exp(EDUCATION_CUTS[k - 1] - mu)));
  return Float64Array.from({ length: LEVELS }, (_, t) => atLeast(t) - atLeast(t + 1));
}
