/** Constrained-vocabulary scoring of causal LMs in Node (onnxruntime-node). Public exports. */
export type { ScoreRequest, Scorer, ScorerKind, ScorerStats, ScorerDescription, TorchScorerDescription, OnnxScorer, FastMode } from './types';
export { createScorer, DEFAULT_MEMORY_BUDGET_MB, DEFAULT_MAX_CHUNK_TOKENS, type CreateScorerOptions } from './create-scorer';
export { loadModelFolder, MODEL_FILES, type ModelFolder } from './model-folder';
export {
  continuationText, tokenizeContext, tokenizeCandidates, candidateIds, jointTail, checkBoundary, specialPrefix, encoderOf,
  BOUNDARY_CONTEXTS, FOLLOWING_TEXTS, type EncodeText, type TokenizedCandidates,
} from './tokenize';
export { TokenTrie } from './trie';
export { truncateContext, splitLines, headerLineCount, type TruncationPolicy, type TruncatedContext, type HeaderLines } from './truncation';
export {
  REQUEST_COLUMNS, RESULT_COLUMNS, requestsSchema, resultsSchema, requestsTable, readRequests, resultsTable, readResults,
  type IdentifiedRequest,
} from './arrow-form';
export { sessionOptions, type LmSessionOptions, type GraphOptimizationLevel } from './session';
export { FastScorer } from './fast-scorer';
export { NaiveScorer } from './naive-scorer';
export {
  createTorchScorer, torchModelProblems, HF_WEIGHT_FILES, TorchScorer, ScorerFailed, type TorchCommand, type TorchScorerOptions,
} from './torch-scorer';
