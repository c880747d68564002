/**
 * The synthetic truth as a next-state sampler: lib/synth's true transition probabilities given
 * the partial career, rebuilt year by year as the oracle does (computeOracle), so the truth
 * simulates the same persons as the models. Needs the generator's covariate values.
 */
import { InvalidData, ProblemList } from '../errors';
import { EDUCATION_LEVELS } from '../panel/panel';
import type { Taxonomy } from '../panel/taxonomy';
import { GENDERS, RACES, REGIONS, TruthModel, newStepContext } from '../synth/truth';
import type { Careers, NextStateSampler, PartialCareer } from './types';

interface Coded {
  /** female, race, region per career (-1: not yet coded). */
  person: Int32Array;
  /** Education level index per observed row. */
  education: Int32Array;
}

export function truthSampler(taxonomy: Taxonomy, name = 'truth'): NextStateSampler {
  const truth = new TruthModel(taxonomy);
  const coded = new WeakMap<Careers, Coded>();
  return {
    name,
    async distributions(careers: Careers, batch: readonly PartialCareer[]): Promise<Float64Array> {
      if (careers.taxonomy.size !== truth.size) {
        throw new InvalidData(`trajectories: the truth has ${truth.size} states, the careers' taxonomy ${careers.taxonomy.size}`);
      }
      let codes = coded.get(careers);
      if (!codes) coded.set(careers, (codes = codeCareers(careers)));
      const K = truth.size;
      const out = new Float64Array(batch.length * K);
      const longest = batch.reduce((m, b) => Math.max(m, b.states.length), 0);
      const ctx = newStepContext(longest + 1);
      batch.forEach((b, j) => {
        const c = b.career;
        const p = careers.persons[c];
        const first = careers.start[c];
        truth.startPerson(ctx, codes.person[3 * c], codes.person[3 * c + 1], codes.person[3 * c + 2], p.birth_year);
        for (let i = 0; i < b.states.length; i++) {
          truth.prepare(ctx, careers.year[first + i], codes.education[first + i]);
          truth.observe(ctx, careers.year[first + i], b.states[i], codes.education[first + i]);
        }
        const next = first + b.states.length;
        truth.prepare(ctx, careers.year[next], codes.education[next]);
        truth.distribution(ctx, out.subarray(j * K, (j + 1) * K));
      });
      return out;
    },
  };
}

function codeCareers(careers: Careers): Coded {
  const problems = new ProblemList();
  const code = (values: readonly string[], value: string, what: string, where: string) => {
    const i = values.indexOf(value);
    if (i < 0) problems.add(`${what} not one the generator uses (${values.join(', ')})`, `${where}: '${value}'`);
    return i;
  };
  const person = new Int32Array(3 * careers.persons.length);
  careers.persons.forEach((p, c) => {
    const where = `person '${p.person_id}'`;
    person[3 * c] = code(GENDERS, p.gender, 'gender', where) === 0 ? 1 : 0;
    person[3 * c + 1] = code(RACES, p.race, 'race', where);
    person[3 * c + 2] = code(REGIONS, p.region, 'region', where);
  });
  const education = Int32Array.from(careers.education, (e, r) => code(EDUCATION_LEVELS, e, 'education', `row ${r + 1} of the careers`));
  problems.throwIfAny((m, d) => new InvalidData(m, d), 'trajectories: the synthetic truth cannot simulate these careers');
  return { person, education };
}
