/** Whole-trajectory simulation and its comparison with observed careers. Public exports. */
export type { Careers, PartialCareer, NextStateSampler, EducationSampler, EducationMode, SimulationOptions, Simulation } from './types';
export type {
  TrajectoryInput, TrajectoryOptions, TrajectoryAnalysis, TrajectoryResult, TrajectorySubgroup, TransitionMatrix, MeasureStat, Measure,
} from './analysis-types';
export { MEASURES } from './analysis-types';
export { careersFromPanel, careerLength, type CareersOptions } from './careers';
export { planSimulation, checkSimulationOptions, DEFAULT_BATCH_SIZE, type SimulationPlan } from './plan';
export { simulateTrajectories } from './simulate';
export { CareerText } from './career-text';
export { lmSampler, type LmSamplerOptions } from './lm-sampler';
export { truthSampler, type TruthSamplerOptions } from './truth-sampler';
export { truthEducation, type TruthEducation } from './truth-education';
export { educationLevels } from './education-levels';
export { educationTransitions, EDUCATION_GAP_CAP, EDUCATION_SMOOTHING, type EducationTransitions } from './education-transitions';
export { educationCandidates, educationSplit, lmEducation, type EducationSplit } from './lm-education';
export { baselineSampler } from './baseline-sampler';
export { compareTrajectories, EMPIRICAL } from './compare';
export { trajectoryTables, TRAJECTORY_SCHEMAS, type TrajectoryTableName } from './tables';
export { writeTrajectoryAnalysis, TRAJECTORY_FILES } from './write';
