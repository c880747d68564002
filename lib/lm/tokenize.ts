/**
 * The tokenisation contract of constrained-vocabulary scoring.
 *
 * - Context: ids = prefix + encode(context, no special tokens), where prefix is whatever the
 *   tokenizer's post-processor puts *before* a text (BOS for Llama-style tokenizers, nothing for
 *   the project's own byte-level BPE and GPT-2). Suffix tokens (EOS) are never added: the text
 *   continues. This matches a model trained on `tokenizer(text)`.
 * - Continuation of candidate c: encode(" " + title + "\n", no special tokens).
 * - The two are tokenised separately, and that is the documented convention: for byte-level
 *   BPE tokenizers it equals tokenising context + continuation together whenever the context
 *   ends where a pre-token ends (the project's contexts end with "YEAR (EDUCATION):", and the
 *   space always starts the next pre-token). The "\n" makes a title that is a prefix of another
 *   ("Cook" / "Cooks") a different, complete string.
 */
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { InvalidData } from '../errors';

/** The exact continuation scored for a title. */
export function continuationText(title: string): string {
  return ` ${title}\n`;
}

/** Tokens the tokenizer adds before a text (e.g. [BOS]), found by encoding a probe text. */
export function specialPrefix(tokenizer: PreTrainedTokenizer): number[] {
  const probe = 'a';
  const plain = tokenizer.encode(probe, { add_special_tokens: false });
  const full = tokenizer.encode(probe, { add_special_tokens: true });
  for (let start = 0; start + plain.length <= full.length; start++) {
    if (plain.every((id, i) => full[start + i] === id)) return full.slice(0, start);
  }
  return [];
}

export interface TokenizedCandidates {
  /** Continuation ids per candidate, in the order given. */
  ids: number[][];
  longest: number;
}

/** Tokenises every candidate's continuation; all titles that give no tokens are reported at once. */
export function tokenizeCandidates(tokenizer: PreTrainedTokenizer, titles: readonly string[]): TokenizedCandidates {
  const ids = titles.map((t) => tokenizer.encode(continuationText(t), { add_special_tokens: false }));
  const empty = titles.flatMap((t, i) => (ids[i].length === 0 ? [`candidate ${i} '${t}'`] : []));
  if (titles.length === 0) throw new InvalidData('no candidates to score (the candidate list is empty)');
  if (empty.length) {
    throw new InvalidData(`${empty.length} candidate title(s) tokenize to nothing (expected at least one token)`, empty.slice(0, 10));
  }
  return { ids, longest: Math.max(...ids.map((x) => x.length)) };
}

/** Context ids: the tokenizer's special prefix, then the text without special tokens. */
export function tokenizeContext(tokenizer: PreTrainedTokenizer, prefix: readonly number[], context: string): number[] {
  return [...prefix, ...tokenizer.encode(context, { add_special_tokens: false })];
}
