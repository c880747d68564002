/**
 * What both Node scorers share: the model folder and session, the candidates' continuation
 * ids, context tokenisation and truncation, statistics, and the Arrow form.
 */
import type { Table } from 'apache-arrow';
import { InvalidData } from '../errors';
import { readRequests, resultsTable } from './arrow-form';
import type { ModelFolder } from './model-folder';
import type { LmSession } from './session';
import { checkBoundary, continuationText, encoderOf, specialPrefix, tokenizeCandidates, type EncodeText } from './tokenize';
import { truncateContext, type HeaderLines, type TruncationPolicy } from './truncation';
import type { ScoreRequest, Scorer, ScorerDescription, ScorerKind, ScorerStats } from './types';

export interface ScorerParts {
  folder: ModelFolder;
  session: LmSession;
  candidates: readonly string[];
  headerLines: HeaderLines;
}

export abstract class ScorerBase implements Scorer {
  abstract readonly kind: ScorerKind;
  readonly candidates: readonly string[];
  readonly folder: ModelFolder;
  readonly session: LmSession;
  /** Continuation ids per candidate. */
  readonly continuations: number[][];
  readonly longestContinuation: number;
  /** Joint encodings checked when the candidates were tokenised (tokenize.ts). */
  readonly checkedEncodings: number;
  private readonly encode: EncodeText;
  /** Ids put before every context (BOS for tokenizers that add one). */
  readonly contextPrefix: number[];
  readonly truncation: TruncationPolicy;
  readonly stats: ScorerStats = {
    requests: 0, truncatedContexts: 0, droppedLines: 0, droppedTokens: 0, contextTokens: 0, modelRuns: 0, tokensRun: 0,
  };

  constructor(parts: ScorerParts) {
    this.folder = parts.folder;
    this.session = parts.session;
    this.candidates = [...parts.candidates];
    this.encode = encoderOf(parts.folder.tokenizer);
    const tok = tokenizeCandidates(parts.folder.tokenizer, this.candidates);
    this.continuations = tok.ids;
    this.longestContinuation = tok.longest;
    this.checkedEncodings = tok.checked;
    this.contextPrefix = specialPrefix(parts.folder.tokenizer);
    const maxTokens = parts.folder.maxPositions - tok.longest;
    if (maxTokens < 1) {
      throw new InvalidData(
        `the longest candidate continuation has ${tok.longest} tokens, leaving no room for a context in the model's ${parts.folder.maxPositions} positions`,
      );
    }
    this.truncation = { maxTokens, headerLines: parts.headerLines };
  }

  /** Context ids after truncation; counts truncations in `stats`. */
  contextIds(context: string, where: string): number[] {
    if (typeof context !== 'string') throw new InvalidData(`${where}: context must be a string, got ${typeof context}`);
    const t = truncateContext(context, this.encode, this.contextPrefix, this.truncation);
    if (t.ids.length === 0) {
      throw new InvalidData(`${where}: empty context (no tokens, and the tokenizer adds no BOS): nothing to condition on`);
    }
    // The trie's candidate ids hold only after a context that ends at a token boundary.
    const textIds = t.droppedTokens ? this.encode(t.text) : t.ids.slice(this.contextPrefix.length);
    checkBoundary(this.encode, t.text, textIds, continuationText(this.candidates[0]), this.continuations[0], where);
    this.stats.requests++;
    this.stats.contextTokens += t.ids.length;
    if (t.truncated) {
      this.stats.truncatedContexts++;
      this.stats.droppedLines += t.droppedLines;
      this.stats.droppedTokens += t.droppedTokens;
    }
    return t.ids;
  }

  protected abstract scoreIds(ctx: number[]): Promise<Float64Array>;

  async score(requests: readonly ScoreRequest[]): Promise<Float64Array[]> {
    const out: Float64Array[] = [];
    for (let i = 0; i < requests.length; i++) out.push(await this.scoreIds(this.contextIds(requests[i]?.context, `request ${i}`)));
    return out;
  }

  async scoreTable(requests: Table): Promise<Table> {
    const rows = readRequests(requests);
    const results = await this.score(rows);
    return resultsTable(rows.map((r) => r.request_id), results);
  }

  describe(): ScorerDescription {
    return {
      kind: this.kind,
      mode: 'naive',
      modelDir: this.folder.dir,
      modelType: this.folder.modelType,
      numLayers: this.folder.numLayers,
      vocabSize: this.folder.vocabSize,
      maxPositions: this.folder.maxPositions,
      session: this.session.options,
      memoryBudgetMb: null,
      maxChunkTokens: null,
      candidates: this.candidates.length,
      trie: null,
      tokenization: {
        continuation: JSON.stringify(continuationText('TITLE')), contextPrefix: this.contextPrefix, rule: 'joint-tail', checkedEncodings: this.checkedEncodings,
      },
      truncation: { maxContextTokens: this.truncation.maxTokens, headerLines: this.truncation.headerLines },
      usesGraphLogsumexp: false,
    };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
