export type { BaselineSpec, FittedBaseline, TrainPoints, BaselinePoints, BaselineOptions, BaselineInput, BaselineReport } from './types';
export { BASELINE_NAMES, getBaseline, fitBaseline } from './registry';
export { marginalBaseline } from './marginal';
export { markovBaseline, markov2Baseline, markovGapBaseline, DEFAULT_MARKOV_ALPHA, GAP_BUCKETS, gapBucket } from './markov';
export { SMOOTHING_GRID } from './smoothing-grid';
export { oracleBound, oraclePredictions } from './oracle';
