/**
 * The generator's covariate codes of a set of careers (gender, race, region per person,
 * education level per observed row), as the synthetic truth needs them; computed once per
 * Careers object and shared by the truth's state and education models.
 */
import { InvalidData, ProblemList } from '../errors';
import { EDUCATION_LEVELS } from '../panel/panel';
import { GENDERS, RACES, REGIONS } from '../synth/truth';
import type { Careers } from './types';

export interface TruthCodes {
  /** female, race, region per career. */
  person: Int32Array;
  /** Education level index per observed row. */
  education: Int32Array;
}

const cache = new WeakMap<Careers, TruthCodes>();

export function truthCodes(careers: Careers): TruthCodes {
  let codes = cache.get(careers);
  if (!codes) cache.set(careers, (codes = codeCareers(careers)));
  return codes;
}

/** The education level index of a generated value, or an error naming the person. */
export function educationCode(careers: Careers, career: number, value: string): number {
  const i = (EDUCATION_LEVELS as readonly string[]).indexOf(value);
  if (i < 0) {
    throw new InvalidData(
      `trajectories: the synthetic truth cannot simulate person '${careers.persons[career].person_id}': education '${value}' is not one the generator uses (${EDUCATION_LEVELS.join(', ')})`,
    );
  }
  return i;
}

function codeCareers(careers: Careers): TruthCodes {
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
