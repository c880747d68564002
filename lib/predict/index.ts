export type { Predictions, PredictionPoints } from './types';
export { numPoints } from './types';
export { buildPredictions, predictionsFromProbs, DEFAULT_TOP_K } from './build-predictions';
export type { BuildPredictionsInput, PredictionsFromProbsInput } from './build-predictions';
export { predictionsToTable, tableToPredictions, writePredictions, readPredictions } from './predictions-table';
export { mergePredictions } from './merge-predictions';
