/**
 * createScorer: loads a model folder, opens an onnxruntime session with the given options and
 * returns the fast or the naive scorer over a fixed list of candidate titles.
 */
import { InvalidConfig, InvalidModel } from '../errors';
import { FastScorer, probeTreeMask } from './fast-scorer';
import { loadModelFolder } from './model-folder';
import { NaiveScorer } from './naive-scorer';
import { LmSession, sessionOptions, type GraphOptimizationLevel } from './session';
import type { HeaderLines } from './truncation';
import type { FastMode, OnnxScorer, ScorerKind } from './types';

export interface CreateScorerOptions {
  modelDir: string;
  /** Candidate titles (the taxonomy's), scored as " " + title + "\n". */
  candidates: readonly string[];
  kind: ScorerKind;
  /** onnxruntime intra-op threads; default: onnxruntime's (one per physical core). */
  threads?: number;
  graphOptimizationLevel?: GraphOptimizationLevel;
  /** Memory one fast-scorer run may use (estimated); default 512. */
  memoryBudgetMb?: number;
  /** Most tokens the fast scorer puts in one onnxruntime run (besides the budget); default 256. */
  maxChunkTokens?: number;
  /** Fast-scorer mode: 'auto' (default) = 'tree' when the graph supports it, else 'rows'. */
  fastMode?: FastMode | 'auto';
  /** Header lines kept when a context is truncated (truncation.ts); default 'auto'. */
  headerLines?: HeaderLines;
}

export const DEFAULT_MEMORY_BUDGET_MB = 512;
/**
 * Larger runs are not faster on CPU: attention over a longer run costs more per token and the
 * logits outgrow the caches (bench/score.ts); smaller ones pay the per-run overhead more often.
 */
export const DEFAULT_MAX_CHUNK_TOKENS = 256;

export async function createScorer(options: CreateScorerOptions): Promise<OnnxScorer> {
  const {
    kind, memoryBudgetMb = DEFAULT_MEMORY_BUDGET_MB, maxChunkTokens = DEFAULT_MAX_CHUNK_TOKENS, fastMode = 'auto', headerLines = 'auto',
  } = options;
  if (kind !== 'fast' && kind !== 'naive') throw new InvalidConfig(`scorer kind must be 'fast' or 'naive', got '${kind}'`);
  if (!(memoryBudgetMb > 0)) throw new InvalidConfig(`memoryBudgetMb must be positive, got ${memoryBudgetMb}`);
  if (!(Number.isInteger(maxChunkTokens) && maxChunkTokens >= 1)) throw new InvalidConfig(`maxChunkTokens must be a positive integer, got ${maxChunkTokens}`);
  if (!['auto', 'tree', 'rows'].includes(fastMode)) throw new InvalidConfig(`fastMode must be auto, tree or rows, got '${fastMode}'`);
  if (headerLines !== 'auto' && !(Number.isInteger(headerLines) && headerLines >= 0)) {
    throw new InvalidConfig(`headerLines must be 'auto' or a non-negative integer, got ${headerLines}`);
  }
  const folder = await loadModelFolder(options.modelDir);
  const session = await LmSession.open(folder, sessionOptions(options.threads, options.graphOptimizationLevel));
  try {
    const parts = { folder, session, candidates: options.candidates, headerLines };
    if (kind === 'naive') return new NaiveScorer(parts);
    let mode: FastMode = fastMode === 'auto' ? 'tree' : fastMode;
    if (mode === 'tree') {
      const ids = folder.tokenizer.encode(' a b', { add_special_tokens: false });
      const supported = await probeTreeMask(session, [ids[0] ?? 0, ids[1] ?? 1]);
      if (!supported && fastMode === 'tree') {
        throw new InvalidModel(`${folder.sessionPath}: the graph does not support tree attention masks (export it with labor_trainer.onnx_export, or use fastMode 'rows')`);
      }
      if (!supported) mode = 'rows';
    }
    return new FastScorer({ ...parts, mode, memoryBudgetBytes: memoryBudgetMb * 2 ** 20, maxChunkTokens });
  } catch (err) {
    await session.release();
    throw err;
  }
}
