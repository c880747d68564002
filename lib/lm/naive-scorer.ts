/**
 * The reference scorer: one full forward pass per (context, candidate), no cache, no sharing,
 * log-softmax in double precision in JS. Slow by design; the fast scorer is tested and
 * benchmarked against it.
 */
import { logsumexpRow, tokenLogprob } from './logprob';
import { ScorerBase } from './scorer-base';
import { int64Tensor } from './session';

export class NaiveScorer extends ScorerBase {
  readonly kind = 'naive' as const;

  /** log P(continuation | ctx) for one candidate, from one pass over ctx + continuation[:-1]. */
  async scoreOne(ctx: readonly number[], cont: readonly number[]): Promise<number> {
    const ids = [...ctx, ...cont.slice(0, -1)];
    const n = ids.length;
    const feeds = {
      input_ids: int64Tensor(ids, [1, n]),
      attention_mask: int64Tensor(new Array(n).fill(1), [1, n]),
      position_ids: int64Tensor(ids.map((_, i) => i), [1, n]),
      ...this.session.emptyPast(1),
    };
    const out = await this.session.run(feeds, ['logits']);
    this.stats.modelRuns++;
    this.stats.tokensRun += n;
    const logits = out.logits.data as Float32Array;
    const vocab = out.logits.dims[2];
    let sum = 0;
    for (let j = 0; j < cont.length; j++) {
      const row = ctx.length - 1 + j;
      sum += tokenLogprob(logits, row, vocab, cont[j], logsumexpRow(logits, row, vocab));
    }
    return sum;
  }

  protected async scoreIds(ctx: number[]): Promise<Float64Array> {
    const out = new Float64Array(this.continuations.length);
    for (let c = 0; c < this.continuations.length; c++) out[c] = await this.scoreOne(ctx, this.continuations[c]);
    return out;
  }
}
