export type { BaselineSpec, FittedBaseline, TrainPoints, BaselinePoints, BaselineOptions } from './types';
export { BASELINE_NAMES, getBaseline, fitBaseline } from './registry';
export { marginalBaseline } from './marginal';
export { markovBaseline, DEFAULT_MARKOV_ALPHA } from './markov';
export { oraclePredictions } from './oracle';
