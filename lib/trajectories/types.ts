/**
 * Whole-trajectory simulation: from each person's first K observed years, the rest of the career
 * is sampled N times, one observed year at a time, from a next-state sampler (the language
 * model, the synthetic truth, a fitted baseline). Calendar years and education of the simulated
 * years are the person's observed ones; only the states are drawn.
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
}

export interface NextStateSampler {
  /** The model's name in results and tables. */
  readonly name: string;
  /**
   * The next-state distribution of each partial career over the taxonomy's states, row-major
   * [batch.length, taxonomy.size]; each row non-negative and summing to 1.
   */
  distributions(careers: Careers, batch: readonly PartialCareer[]): Promise<Float64Array>;
}

export interface SimulationOptions {
  /** K: observed years each simulation starts from. */
  prefixYears: number;
  /** Years simulated after the K-th (fewer for a person observed fewer years after it). */
  horizon: number;
  /** N: simulated careers per person. */
  draws: number;
  seed: number;
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
  /** Persons left out because they were observed prefixYears years or fewer. */
  skipped: number;
  /** Person-years drawn (the sum of steps times draws). */
  personYears: number;
}
