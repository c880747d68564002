/**
 * The fast scorer. Per context:
 * 1. One pass over the context minus its last token, fetching only the key/value cache (the
 *    context's logits are never copied out).
 * 2. The candidates as a token trie (trie.ts): the context's last token is the root; every
 *    inner node is fed once (shared prefixes once), leaves are never fed, and each node's
 *    log-probability is read from its parent's row: logits[token] - logsumexp.
 * 3. Inner nodes go through the model in chunks, each as large as both the memory budget
 *    (estimateBytes) and maxChunkTokens allow, in one of two modes:
 *    - 'tree': a chunk is a run of inner nodes in depth-first order, fed as one sequence over
 *      past = context cache + the cached ancestors of the chunk's first node; attention_mask
 *      values >= 2 (labor_trainer.onnx_export) let each token see only the context and its
 *      own ancestors. This costs about one pass over all inner nodes, the floor.
 *    - 'rows': for graphs without tree masks. Each maximal path of inner nodes is one row over
 *      a copy of the context cache; rows are batched (right-padded). Shared prefixes are fed
 *      again in each row (their log-probs are read once), and each row copies the cache.
 * log-sums are taken from the graph's `logsumexp` output when it has one, else computed in JS
 * for the rows needed only.
 */
import { InvalidModel } from '../errors';
import { logsumexpRow } from './logprob';
import { ScorerBase, type ScorerParts } from './scorer-base';
import { float32Tensor, int64Tensor, type Feeds } from './session';
import { TokenTrie } from './trie';
import type { FastMode, ScorerDescription } from './types';

export interface FastScorerParts extends ScorerParts {
  mode: FastMode;
  memoryBudgetBytes: number;
  /** Most tokens in one run (tree mode) or rows x length (rows mode). */
  maxChunkTokens: number;
}

type Cache = Float32Array[]; // one [1, H, C, D] buffer per past input, in session.pastNames order

export class FastScorer extends ScorerBase {
  readonly kind = 'fast' as const;
  readonly trie: TokenTrie;
  readonly mode: FastMode;
  readonly memoryBudgetBytes: number;
  readonly maxChunkTokens: number;
  /** Inner-node paths (inner indices, root first) that end in an inner node with no inner child. */
  private readonly rowPaths: number[][];

  constructor(parts: FastScorerParts) {
    super(parts);
    this.mode = parts.mode;
    this.memoryBudgetBytes = parts.memoryBudgetBytes;
    this.maxChunkTokens = parts.maxChunkTokens;
    this.trie = new TokenTrie(this.continuations);
    const t = this.trie;
    this.rowPaths = [];
    for (let k = 0; k < t.inner.length; k++) {
      const node = t.inner[k];
      if (t.children[node].every((ch) => t.innerIndex[ch] < 0)) {
        this.rowPaths.push([...t.ancestors(node), node].map((n) => t.innerIndex[n]));
      }
    }
  }

  describe(): ScorerDescription {
    return {
      ...super.describe(),
      mode: this.mode,
      memoryBudgetMb: this.memoryBudgetBytes / 2 ** 20,
      maxChunkTokens: this.maxChunkTokens,
      trie: { nodes: this.trie.size, inner: this.trie.inner.length, candidateTokens: TokenTrie.totalTokens(this.continuations) },
      usesGraphLogsumexp: this.session.hasLogsumexp,
    };
  }

  protected async scoreIds(ctx: number[]): Promise<Float64Array> {
    const C = ctx.length - 1;
    const cache = await this.contextCache(ctx.slice(0, C));
    const lp = new Float64Array(this.trie.size);
    if (this.mode === 'tree') await this.runTree(ctx, cache, lp);
    else await this.runRows(ctx, cache, lp);
    return this.trie.pathSums(lp);
  }

  /** Key/value cache of the context's first C tokens (present outputs only). */
  private async contextCache(ids: number[]): Promise<Cache> {
    const { numKvHeads: H, headDim: D } = this.folder;
    if (ids.length === 0) return this.session.pastNames.map(() => new Float32Array(0));
    const n = ids.length;
    const out = await this.session.run(
      {
        input_ids: int64Tensor(ids, [1, n]),
        attention_mask: int64Tensor(new Array(n).fill(1), [1, n]),
        position_ids: int64Tensor(ids.map((_, i) => i), [1, n]),
        ...this.session.emptyPast(1),
      },
      this.session.presentNames,
    );
    this.stats.modelRuns++;
    this.stats.tokensRun += n;
    return this.session.presentNames.map((name) => {
      const data = out[name].data as Float32Array;
      if (data.length !== H * n * D) throw new InvalidModel(`${name}: expected ${H}x${n}x${D} values, got ${data.length}`);
      return data;
    });
  }

  /**
   * Bytes one run is expected to hold at its peak: logits (graph, copy, log-sum), key/values
   * (past fed, present made and fetched), attention scores of one layer, activations.
   */
  estimateBytes(rows: number, seqLen: number, pastLen: number): number {
    const f = this.folder;
    const tokens = rows * seqLen;
    const total = pastLen + seqLen;
    const kvPerToken = f.numLayers * 2 * f.numKvHeads * f.headDim * 4;
    return (
      tokens * f.vocabSize * 4 * 3 +
      rows * (pastLen * 2 + total * 2) * kvPerToken +
      rows * f.numHeads * seqLen * total * 4 * 3 +
      tokens * (f.hidden * 8 + f.intermediate * 3) * 4
    );
  }

  /** Largest n in [1, max] with fits(n), for a `fits` that holds for all n below a threshold. */
  private static largest(max: number, fits: (n: number) => boolean): number {
    let lo = 1;
    let hi = max;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(mid)) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private tokenOf(node: number, ctx: number[]): number {
    return node === 0 ? ctx[ctx.length - 1] : this.trie.token[node];
  }

  /** Reads the log-probs of `node`'s children from `row` of the outputs. */
  private readChildren(
    node: number, row: number, logits: Float32Array, lse: Float32Array | null, vocab: number, lp: Float64Array,
  ): void {
    const t = this.trie;
    const sum = lse ? lse[row] : logsumexpRow(logits, row, vocab);
    const base = row * vocab;
    for (const ch of t.children[node]) lp[ch] = logits[base + t.token[ch]] - sum;
  }

  private async runTree(ctx: number[], cache: Cache, lp: Float64Array): Promise<void> {
    const t = this.trie;
    const { numKvHeads: H, headDim: D } = this.folder;
    const C = ctx.length - 1;
    const F = t.inner.length;
    const names = this.session.pastNames;
    const kvSize = names.length * H * D;
    const stored = new Map<number, Float32Array>(); // inner index -> key/values of that token
    for (let a = 0; a < F; ) {
      const chain = t.ancestors(t.inner[a]).map((n) => t.innerIndex[n]);
      const past = C + chain.length;
      const S = FastScorer.largest(Math.min(F - a, this.maxChunkTokens), (s) => this.estimateBytes(1, s, past) <= this.memoryBudgetBytes);
      const b = a + S;
      const total = past + S;
      // Past = context cache, then the chain's stored key/values.
      const feeds: Feeds = {};
      names.forEach((name, i) => {
        const buf = new Float32Array(H * past * D);
        for (let h = 0; h < H; h++) {
          buf.set(cache[i].subarray(h * C * D, (h + 1) * C * D), h * past * D);
          chain.forEach((k, j) => {
            const off = (i * H + h) * D;
            buf.set(stored.get(k)!.subarray(off, off + D), (h * past + C + j) * D);
          });
        }
        feeds[name] = float32Tensor(buf, [1, H, past, D]);
      });
      // Mask value 2 + v: visible to queries at key/value index <= v (the subtree's last token).
      const lastIn = (k: number) => past + Math.min(t.innerSubtreeEnd[k], b - 1) - a;
      const mask = new Array<number>(total).fill(1);
      chain.forEach((k, j) => (mask[C + j] = 2 + lastIn(k)));
      const ids = new Array<number>(S);
      const pos = new Array<number>(S);
      for (let j = 0; j < S; j++) {
        const node = t.inner[a + j];
        mask[past + j] = 2 + lastIn(a + j);
        ids[j] = this.tokenOf(node, ctx);
        pos[j] = C + t.depth[node];
      }
      feeds.input_ids = int64Tensor(ids, [1, S]);
      feeds.attention_mask = int64Tensor(mask, [1, total]);
      feeds.position_ids = int64Tensor(pos, [1, S]);
      const more = b < F;
      const fetches = ['logits', ...(this.session.hasLogsumexp ? ['logsumexp'] : []), ...(more ? this.session.presentNames : [])];
      const out = await this.session.run(feeds, fetches);
      this.stats.modelRuns++;
      this.stats.tokensRun += S;
      const logits = out.logits.data as Float32Array;
      const vocab = out.logits.dims[2];
      const lse = this.session.hasLogsumexp ? (out.logsumexp.data as Float32Array) : null;
      for (let j = 0; j < S; j++) this.readChildren(t.inner[a + j], j, logits, lse, vocab, lp);
      if (more) {
        for (const k of [...stored.keys()]) if (t.innerSubtreeEnd[k] < b) stored.delete(k);
        const present = this.session.presentNames.map((n) => out[n].data as Float32Array);
        for (let j = 0; j < S; j++) {
          if (t.innerSubtreeEnd[a + j] < b) continue; // no later chunk descends from it
          const kv = new Float32Array(kvSize);
          present.forEach((p, i) => {
            for (let h = 0; h < H; h++) {
              const src = (h * total + past + j) * D;
              kv.set(p.subarray(src, src + D), (i * H + h) * D);
            }
          });
          stored.set(a + j, kv);
        }
      }
      a = b;
    }
  }

  private async runRows(ctx: number[], cache: Cache, lp: Float64Array): Promise<void> {
    const t = this.trie;
    const { numKvHeads: H, headDim: D } = this.folder;
    const C = ctx.length - 1;
    const names = this.session.pastNames;
    const done = new Uint8Array(t.inner.length);
    const paths = this.rowPaths;
    for (let a = 0; a < paths.length; ) {
      let maxLen = 0;
      const B = FastScorer.largest(paths.length - a, (n) => {
        let len = 0;
        for (let r = a; r < a + n; r++) len = Math.max(len, paths[r].length);
        return n * len <= this.maxChunkTokens && this.estimateBytes(n, len, C) <= this.memoryBudgetBytes;
      });
      for (let r = a; r < a + B; r++) maxLen = Math.max(maxLen, paths[r].length);
      const total = C + maxLen;
      const feeds: Feeds = {};
      names.forEach((name, i) => {
        const buf = new Float32Array(B * H * C * D);
        for (let r = 0; r < B; r++) buf.set(cache[i], r * H * C * D);
        feeds[name] = float32Tensor(buf, [B, H, C, D]);
      });
      const ids = new Array<number>(B * maxLen).fill(0);
      const pos = new Array<number>(B * maxLen);
      const mask = new Array<number>(B * total).fill(0);
      for (let r = 0; r < B; r++) {
        const path = paths[a + r];
        for (let j = 0; j < maxLen; j++) {
          pos[r * maxLen + j] = C + j;
          if (j < path.length) ids[r * maxLen + j] = this.tokenOf(t.inner[path[j]], ctx);
        }
        mask.fill(1, r * total, r * total + C + path.length);
      }
      feeds.input_ids = int64Tensor(ids, [B, maxLen]);
      feeds.attention_mask = int64Tensor(mask, [B, total]);
      feeds.position_ids = int64Tensor(pos, [B, maxLen]);
      const out = await this.session.run(feeds, ['logits', ...(this.session.hasLogsumexp ? ['logsumexp'] : [])]);
      this.stats.modelRuns++;
      this.stats.tokensRun += B * maxLen;
      const logits = out.logits.data as Float32Array;
      const vocab = out.logits.dims[2];
      const lse = this.session.hasLogsumexp ? (out.logsumexp.data as Float32Array) : null;
      for (let r = 0; r < B; r++) {
        paths[a + r].forEach((k, j) => {
          if (done[k]) return;
          done[k] = 1;
          this.readChildren(t.inner[k], r * maxLen + j, logits, lse, vocab, lp);
        });
      }
      a += B;
    }
  }
}

/**
 * Whether the graph honours tree attention_mask values: token 1 with key 0 hidden (mask 2 =
 * visible to index 0 only) must score as token 1 alone at the same position, and differently
 * from token 1 seeing token 0.
 */
export async function probeTreeMask(session: ScorerParts['session'], tokens: [number, number]): Promise<boolean> {
  const run = async (ids: number[], mask: number[], pos: number[]) => {
    const n = ids.length;
    const out = await session.run(
      { input_ids: int64Tensor(ids, [1, n]), attention_mask: int64Tensor(mask, [1, mask.length]), position_ids: int64Tensor(pos, [1, n]), ...session.emptyPast(1) },
      ['logits'],
    );
    const data = out.logits.data as Float32Array;
    const v = out.logits.dims[2];
    return data.subarray((n - 1) * v, n * v);
  };
  const [t0, t1] = tokens;
  let hidden: Float32Array;
  try {
    hidden = await run([t0, t1], [2, 1], [0, 1]);
  } catch {
    return false; // a graph that rejects mask values other than 0/1
  }
  const alone = await run([t1], [1], [1]);
  const seen = await run([t0, t1], [1, 1], [0, 1]);
  let dHidden = 0;
  let dSeen = 0;
  for (let i = 0; i < alone.length; i++) {
    dHidden = Math.max(dHidden, Math.abs(hidden[i] - alone[i]));
    dSeen = Math.max(dSeen, Math.abs(seen[i] - alone[i]));
  }
  return dHidden <= 1e-4 && dSeen > 1e-6;
}
