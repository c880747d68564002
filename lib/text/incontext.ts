/**
 * In-context examples: whole texts of training-split persons put before a prediction point's
 * context, so a model that was never fine-tuned sees what the texts look like.
 *
 * - Which examples: k texts drawn without replacement from the training split (never the
 *   person itself), from all training persons ('random') or from those of the person's gender
 *   ('same-gender'). The draw of a point depends only on (seed, person id, year), so shards,
 *   retries and resumed runs give every point the same examples.
 * - How they are joined: each text already ends with the template's end-marker line
 *   ("<END>\n"), the shape the model saw between texts in training; so examples and context are
 *   concatenated as they are: example 1 + ... + example k + the person's context.
 * - Within the model's positions: whole examples are dropped, the first (farthest from the
 *   context) first, until the joined text fits `maxTokens`; the person's own text is never cut
 *   for an example (a context too long on its own gets no examples and is truncated by the
 *   scorer as without examples).
 */
import { createHash } from 'node:crypto';
import { mulberry32 } from '../metrics/rng';

export type IncontextSelection = 'random' | 'same-gender';

export interface IncontextOptions {
  k: number;
  seed: number;
  selection: IncontextSelection;
}

export interface ExampleTexts {
  person_id: readonly string[];
  split: readonly string[];
  text: readonly string[];
}

/** The examples of one point: their texts, in the order they are put before the context. */
export type ExampleSampler = (personId: string, year: number) => string[];

/** The point's own generator: the first 32 bits of sha256(seed, person, year). */
export function pointRng(seed: number, personId: string, year: number): () => number {
  const h = createHash('sha256').update(`${seed}\u0000${personId}\u0000${year}`).digest();
  return mulberry32(h.readUInt32LE(0));
}

/**
 * Up to `k` distinct entries of `pool` (a partial Fisher-Yates shuffle over a sparse copy), skipping
 * those `excluded`; fewer only when the pool has fewer than k entries that are not excluded.
 */
export function drawWithout(pool: readonly number[], k: number, excluded: (entry: number) => boolean, rng: () => number): number[] {
  const swapped = new Map<number, number>();
  const at = (i: number) => swapped.get(i) ?? pool[i];
  const out: number[] = [];
  for (let i = 0; i < pool.length && out.length < k; i++) {
    const j = i + Math.floor(rng() * (pool.length - i));
    const pick = at(j);
    swapped.set(j, at(i));
    if (!excluded(pick)) out.push(pick);
  }
  return out;
}

/**
 * The sampler over the training split of `texts`. `groupOf` gives a person's gender; needed for
 * 'same-gender' (a person it knows nothing of gets no examples).
 */
export function exampleSampler(texts: ExampleTexts, options: IncontextOptions, groupOf?: (personId: string) => string | undefined): ExampleSampler {
  const pools = new Map<string, number[]>();
  const byGroup = options.selection === 'same-gender';
  if (byGroup && !groupOf) throw new Error("exampleSampler: selection 'same-gender' needs each person's gender (groupOf)");
  for (let i = 0; i < texts.person_id.length; i++) {
    if (texts.split[i] !== 'train') continue;
    const key = byGroup ? groupOf!(texts.person_id[i]) : '';
    if (key === undefined) continue;
    const pool = pools.get(key) ?? [];
    pool.push(i);
    pools.set(key, pool);
  }
  return (personId, year) => {
    const key = byGroup ? groupOf!(personId) : '';
    const pool = key === undefined ? undefined : pools.get(key);
    if (!pool) return [];
    const picks = drawWithout(pool, options.k, (i) => texts.person_id[i] === personId, pointRng(options.seed, personId, year));
    return picks.map((i) => texts.text[i]);
  };
}

export interface FittedContext {
  text: string;
  /** Examples kept (the last `used` of those given). */
  used: number;
}

/**
 * Examples + context within `maxTokens` (as `countTokens` counts a whole context, special prefix
 * included): drops whole examples from the first on; never cuts `context`.
 */
export function fitExamples(examples: readonly string[], context: string, countTokens: (text: string) => number, maxTokens: number): FittedContext {
  for (let first = 0; first < examples.length; first++) {
    const text = examples.slice(first).join('') + context;
    if (countTokens(text) <= maxTokens) return { text, used: examples.length - first };
  }
  return { text: context, used: 0 };
}
