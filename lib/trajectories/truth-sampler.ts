/**
 * The synthetic truth as a next-state sampler: lib/synth's true transition probabilities given
 * the partial career, rebuilt year by year as the oracle does (computeOracle), so the truth
 * simulates the same persons as the models. Needs the generator's covariate values. Its
 * education model (truth-education.ts) is the generator's own education process.
 */
import { InvalidData } from '../errors';
import type { Taxonomy } from '../panel/taxonomy';
import type { Population } from '../synth/generate';
import { TruthModel, newStepContext } from '../synth/truth';
import { educationCode, truthCodes } from './truth-codes';
import { truthEducation } from './truth-education';
import type { Careers, NextStateSampler, PartialCareer } from './types';

export interface TruthSamplerOptions {
  /** The population the panel was generated from (its education prior); default: inferred (truth-education.ts). */
  population?: Population;
}

export function truthSampler(taxonomy: Taxonomy, name = 'truth', options: TruthSamplerOptions = {}): NextStateSampler {
  const truth = new TruthModel(taxonomy);
  return {
    name,
    education: truthEducation(truth, { name, population: options.population }),
    async distributions(careers: Careers, batch: readonly PartialCareer[]): Promise<Float64Array> {
      if (careers.taxonomy.size !== truth.size) {
        throw new InvalidData(`trajectories: the truth has ${truth.size} states, the careers' taxonomy ${careers.taxonomy.size}`);
      }
      const codes = truthCodes(careers);
      const K = truth.size;
      const out = new Float64Array(batch.length * K);
      const longest = batch.reduce((m, b) => Math.max(m, b.states.length), 0);
      const ctx = newStepContext(longest + 1);
      batch.forEach((b, j) => {
        const c = b.career;
        const p = careers.persons[c];
        const first = careers.start[c];
        const edu = b.education ? (i: number) => educationCode(careers, c, b.education![i]) : (i: number) => codes.education[first + i];
        truth.startPerson(ctx, codes.person[3 * c], codes.person[3 * c + 1], codes.person[3 * c + 2], p.birth_year);
        for (let i = 0; i < b.states.length; i++) {
          truth.prepare(ctx, careers.year[first + i], edu(i));
          truth.observe(ctx, careers.year[first + i], b.states[i], edu(i));
        }
        const next = b.states.length;
        truth.prepare(ctx, careers.year[first + next], edu(next));
        truth.distribution(ctx, out.subarray(j * K, (j + 1) * K));
      });
      return out;
    },
  };
}
