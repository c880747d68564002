/** The workflows a worker registers. Workflow-safe re-exports only. */
export { runExperimentWorkflow, progressQuery } from './run-experiment';
export { fineTuneWorkflow, fineTuneProgressQuery } from './fine-tune';
export { evaluateWorkflow, evaluateProgressQuery } from './evaluate';
