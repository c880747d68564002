/**
 * The scoring interface every backend implements: the Node scorers here, and any other
 * backend (a GPU worker) that reads a requests table and writes a results table.
 */
import type { Table } from 'apache-arrow';
import type { LmSessionOptions } from './session';
import type { HeaderLines } from './truncation';

/** One prediction point: the text up to and including "YEAR (EDUCATION):". */
export interface ScoreRequest {
  context: string;
}

export type ScorerKind = 'fast' | 'naive';
/**
 * How the fast scorer shares work between candidates:
 * - 'tree': all trie tokens in one sequence, each seeing only the context and its ancestors
 *   (needs the tree attention_mask values of graphs from labor_trainer.onnx_export; detected by
 *   a probe when the scorer is created);
 * - 'rows': one row per maximal path of the trie, batched, over a copy of the context cache
 *   (any graph that follows the contract).
 */
export type FastMode = 'tree' | 'rows';

export interface ScorerStats {
  requests: number;
  /** Contexts shortened to fit the model (see truncation.ts). */
  truncatedContexts: number;
  droppedLines: number;
  droppedTokens: number;
  contextTokens: number;
  /** onnxruntime runs and tokens fed through the model (context and candidate tokens). */
  modelRuns: number;
  tokensRun: number;
}

/** Everything about the scorer a run manifest should record. */
export interface ScorerDescription {
  kind: ScorerKind;
  mode: FastMode | 'naive';
  modelDir: string;
  modelType: string;
  numLayers: number;
  vocabSize: number;
  maxPositions: number;
  session: LmSessionOptions;
  memoryBudgetMb: number | null;
  maxChunkTokens: number | null;
  candidates: number;
  /** Trie nodes, inner nodes (fed to the model) and tokens of all candidates together. */
  trie: { nodes: number; inner: number; candidateTokens: number } | null;
  tokenization: {
    continuation: string;
    contextPrefix: number[];
    /** Candidate ids = the continuation's ids inside context + continuation (tokenize.ts). */
    rule: 'joint-tail';
    /** Joint encodings checked at start (candidates x boundary contexts x following texts). */
    checkedEncodings: number;
  };
  truncation: { maxContextTokens: number; headerLines: HeaderLines };
  usesGraphLogsumexp: boolean;
}

/** The torch backend's description (torch-scorer.ts): where it ran, and what labor_scorer reported. */
export interface TorchScorerDescription {
  kind: 'torch';
  /** labor_scorer shares the candidates' trie through a tree attention mask, always. */
  mode: 'tree';
  modelDir: string;
  device: 'cpu' | 'cuda';
  dtype: 'fp32' | 'bf16';
  /** labor_scorer's own description: trie, tokenization, truncation, memory budget. */
  python: Record<string, unknown>;
}

export interface Scorer {
  /** 'torch': the Python backend in a child process (torch-scorer.ts). */
  readonly kind: ScorerKind | 'torch';
  /** The candidate titles, in the order of every result. */
  readonly candidates: readonly string[];
  /** log P(" " + title + "\n" | context) for every candidate, one array per request. */
  score(requests: readonly ScoreRequest[]): Promise<Float64Array[]>;
  /**
   * The Arrow form: a requests table (request_id, context) in, a results table
   * (request_id, candidate_index, logprob) out; see arrow-form.ts.
   */
  scoreTable(requests: Table): Promise<Table>;
  describe(): ScorerDescription | TorchScorerDescription;
  readonly stats: ScorerStats;
  release(): Promise<void>;
}

/** The Node scorers (onnxruntime): what createScorer returns. */
export interface OnnxScorer extends Scorer {
  readonly kind: ScorerKind;
  describe(): ScorerDescription;
}
