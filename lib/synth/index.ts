/** Synthetic panels with a known truth: the generator, its oracle and the true model. */
export { generatePanel, computeOracle, waveYears, type SynthOptions, type Population } from './generate';
export { TruthModel, GENDERS, RACES, REGIONS, COMPONENTS } from './truth';
export { POPULATIONS, type PopulationMix } from './population';
export { Rng, hash32, hashString } from './random';
