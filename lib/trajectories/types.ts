/**
 * Whole-trajectory simulation: from each person's first K observed years, the rest of the career
 * is sampled N times, one observed year at a time, from a next-state sampler (the language
 * model, the synthetic truth, a fitted baseline). Calendar years of the simulated years are the
 * person's observed ones; so is education unless the simulation generates it (`education:
 * 'generated'`): then each simulated year draws the education first, from an education model,
 * and the state given it.
 */
import type { PersonRow } from '../artifacts/contracts';
import type { Taxonomy } from '../panel/taxonomy';

/** Observed careers, column-wise: career i covers rows [start[i], start[i + 1]), in year order. */
export interface Careers {
  /** Dataset name: the first line of each text's header. */
  dataset: string;
  taxonomy: Taxonomy;
  /** One per career (a person row may carry extra covariates, read as subgroup dimensions). */
  persons: readonly PersonRow[];
  start: Int32Array;
  year: Int32Array;
  education: readonly string[];
  /** Taxonomy index of the state in each observed year. */
  state: Int32Array;
}

/**
 * A career under simulation: its first `states.length` years are fixed (observed, then drawn);
 * the sampler gives the distribution of the state in observed year number `states.length`.
 */
export interface PartialCareer {
  /** Index into Careers. */
  career: number;
  draw: number;
  states: Int32Array;
  /**
   * Generated education only (absent: the observed values): the education of the years so far
   * and, when given to a next-state sampler, of the next year too (states.length + 1 values);
   * an education model gets the years so far (states.length values).
   */
  education?: readonly string[];
}

export interface NextStateSampler {
  /** The model's name in results and tables. */
  readonly name: string;
  /**
   * The next-state distribution of each partial career over the taxonomy's states, row-major
   * [batch.length, taxonomy.size]; each row non-negative and summing to 1.
   */
  distributions(careers: Careers, batch: readonly PartialCareer[]): Promise<Float64Array>;
  /** The sampler's own model of the next year's education, used when education is generated. */
  readonly education?: EducationSampler;
}

/** A model of a person's education in the next observed year, given the partial career. */
export interface EducationSampler {
  readonly name: string;
  /** The education levels its distributions are over, in order. */
  readonly levels: readonly string[];
  /**
   * The distribution of each partial career's education in observed year number
   * `states.length` over `levels`, row-major [batch.length, levels.length]; the batch's
   * `education` holds the years so far.
   */
  distributions(careers: Careers, batch: readonly PartialCareer[]): Promise<Float64Array>;
}

export type EducationMode = 'observed' | 'generated';

export interface SimulationOptions {
  /** K: observed years each simulation starts from. */
  prefixYears: number;
  /** Years simulated after the K-th (fewer for a person observed fewer years after it). */
  horizon: number;
  /** N: simulated careers per person. */
  draws: number;
  seed: number;
  /**
   * Education of the simulated years: 'observed' (default) keeps the person's observed values;
   * 'generated' draws it each year before the state, from the sampler's own education model or,
   * for a sampler without one, from `educationModel`. Education draws use their own random
   * stream per (person, draw), so the state draws of 'observed' are unchanged by this option.
   */
  education?: EducationMode;
  /** The education model of samplers that have none of their own (generated education only). */
  educationModel?: EducationSampler;
  /** Partial careers per sampler call (default 2048); results do not depend on it. */
  batchSize?: number;
  /** Called after each simulated year with the number of sampler rows so far. */
  onProgress?: (step: number, steps: number, rows: number) => void;
}

export interface Simulation {
  sampler: string;
  prefixYears: number;
  horizon: number;
  draws: number;
  seed: number;
  /** Career index of each simulated person: those observed more than prefixYears years. */
  careers: Int32Array;
  /** Years simulated per person: min(horizon, observed years - prefixYears). */
  steps: Int32Array;
  /** Drawn states, row-major [person, draw, step] (persons x draws x horizon); -1 past a person's steps. */
  states: Int32Array;
  /** Generated education only: the drawn education, row-major like `states`; null past a person's steps. */
  education?: (string | null)[];
  /** Generated education only: the name of the education model that drew it. */
  educationModel?: string;
  /** Persons left out because they were observed prefixYears years or fewer. */
  skipped: number;
  /** Person-years drawn (the sum of steps times draws). */
  personYears: number;
}
