export type {
  AnalysisInput, AnalysisMethod, AnalysisModel, AnalysisOptions, AnalysisPerson, Calibration, Dimension, DistanceStat, Distances,
  ModelSubgroupResult, OneStepAnalysis, RateStat, ReliabilityBin, SubgroupInfo, SubgroupStatus,
} from './types';
export { analyzeOneStep, subgroupSeed, DEFAULT_KL_EPSILON, DEFAULT_MIN_PERSONS, DEFAULT_MIN_POINTS } from './one-step';
export { jensenShannon, klSmoothed, totalVariation } from './distances';
export { codePrefixGroups, indexGroups, type GroupIndex } from './groups';
export { taxonomyDifference } from './align';
export { BIRTH_COHORT, EDUCATION, PERSON_DIMENSIONS, defaultSubgroups } from './subgroups';
export { analysisTables, ANALYSIS_SCHEMAS, type AnalysisTableName } from './tables';
export { writeOneStepAnalysis, ANALYSIS_FILES } from './write';
