import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { createScorer } from '../../lib/lm';
import { tinyLlama } from './fixtures';

describe('model folders load offline in @huggingface/transformers', () => {
  it('tokenizer and model load from the absolute path; its log-probs match the naive scorer', async () => {
    env.allowRemoteModels = false;
    env.useFSCache = false;
    const dir = tinyLlama();
    const tok = await AutoTokenizer.from_pretrained(dir);
    const model = await AutoModelForCausalLM.from_pretrained(dir, { dtype: 'fp32' });
    const context = '1990 (some college): Cooks\n1991 (some college):';
    const ctx = tok.encode(context, { add_special_tokens: false });
    const cont = tok.encode(' Cooks\n', { add_special_tokens: false });
    const ids = [...ctx, ...cont.slice(0, -1)];
    const inputs = tok(tok.decode(ids), { add_special_tokens: false });
    expect(Array.from(inputs.input_ids.data as BigInt64Array, Number)).toEqual(ids);
    const { logits } = await model(inputs);
    const [, , vocab] = logits.dims as number[];
    const data = logits.data as Float32Array;
    let sum = 0;
    cont.forEach((t, j) => {
      const row = data.subarray((ctx.length - 1 + j) * vocab, (ctx.length + j) * vocab);
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
      sum += row[t] - lse;
    });
    const scorer = await createScorer({ modelDir: dir, candidates: ['Cooks'], kind: 'naive', threads: 1 });
    try {
      const [[naive]] = await scorer.score([{ context }]);
      expect(Math.abs(sum - naive)).toBeLessThan(1e-4);
    } finally {
      await scorer.release();
      await model.dispose();
    }
  }, 180_000);
});
