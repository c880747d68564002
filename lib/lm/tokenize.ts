/**
 * The tokenisation contract of constrained-vocabulary scoring: score the ids the model saw in
 * training.
 *
 * - Context: ids = prefix + encode(context), where encode adds no special tokens and prefix is
 *   whatever the tokenizer's post-processor puts *before* a text (BOS for Llama-style
 *   tokenizers, nothing for the project's own byte-level BPE and GPT-2). Suffix tokens (EOS)
 *   are never added: the text continues. This matches a model trained on `tokenizer(text)`.
 * - Continuation of candidate c, " " + title + "\n": the ids it has *inside* a text, found as
 *   lm-evaluation-harness does: encode(context + continuation) minus the leading
 *   encode(context) ids ("joint tail"). Encoding the continuation on its own is wrong for
 *   SentencePiece tokenizers (Llama-2: a dummy prefix "▁" is put before every encoded text):
 *   " Cooks\n" alone is ["▁", "▁Cook", "s", <0x0A>], inside a text ["▁Cook", "s", <0x0A>].
 * - The trie of candidates (trie.ts) needs one id sequence per candidate, whatever the context.
 *   The tail is context-independent when no token spans the boundary between the context's
 *   last character and the continuation's leading space:
 *   - byte-level BPE (GPT-2, the project's tokenizer): the space always starts a new pre-token
 *     and merges never cross pre-tokens;
 *   - SentencePiece BPE (Llama-2): the space becomes "▁", and pieces carry "▁" only at their
 *     start (whitespace splitting when the model was trained), so no merge joins a character
 *     to a following "▁"; contexts end with ':' ("YEAR (EDUCATION):" or "YEAR:"), never with a
 *     space. Likewise the "\n" (byte-fallback <0x0A> in Llama-2) merges with nothing after it,
 *     so the line's ids do not depend on the text that follows in a training text.
 *   Rather than trust the argument for every tokenizer, `tokenizeCandidates` derives each
 *   candidate's ids as the joint tail after BOUNDARY_CONTEXTS[0] and checks, for every
 *   candidate, every context of BOUNDARY_CONTEXTS and every text of FOLLOWING_TEXTS, that
 *   encode(context + continuation + following) starts with encode(context) + candidate ids;
 *   else the model is refused (InvalidModel, naming the candidate and both id sequences).
 *   Each scored context is checked once more against the first candidate (`checkBoundary`).
 * The "\n" makes a title that is a prefix of another ("Cook" / "Cooks") a different, complete
 * string. labor_scorer/tokenize.py (the torch backend) implements the same rule.
 */
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { InvalidData, InvalidModel } from '../errors';

/** Encodes a text without special tokens. */
export type EncodeText = (text: string) => number[];

/**
 * Context ends the rule is checked on, in the shapes of the text templates (lib/text):
 * the first one defines the candidate ids. Keep equal to labor_scorer/tokenize.py.
 */
export const BOUNDARY_CONTEXTS = [
  '1990 (high school diploma):',
  'Occupation by year (education in parentheses):\n1990 (some college): Cooks\n1991 (bachelor\'s degree):',
  'Birth year: 1960\n1990: Cashiers\n1991:',
] as const;

/** What follows a line in a training text: nothing, the next year's line, the end marker. */
export const FOLLOWING_TEXTS = ['', '1992 (some college):', '<END>\n'] as const;

/** The exact continuation scored for a title. */
export function continuationText(title: string): string {
  return ` ${title}\n`;
}

export function encoderOf(tokenizer: PreTrainedTokenizer): EncodeText {
  return (text) => tokenizer.encode(text, { add_special_tokens: false });
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

const startsWith = (ids: readonly number[], head: readonly number[]) => head.length <= ids.length && head.every((t, i) => ids[i] === t);
const show = (ids: readonly number[]) => `[${ids.join(', ')}]`;

/**
 * The continuation's ids inside `context + continuation`: the joint encoding minus the
 * context's ids, or null when the joint encoding does not start with the context's ids.
 */
export function jointTail(encode: EncodeText, context: string, continuation: string, contextIds = encode(context)): number[] | null {
  const joint = encode(context + continuation);
  return startsWith(joint, contextIds) ? joint.slice(contextIds.length) : null;
}

export interface TokenizedCandidates {
  /** Continuation ids per candidate, in the order given. */
  ids: number[][];
  longest: number;
  /** Joint encodings checked (candidates x boundary contexts x following texts). */
  checked: number;
}

/**
 * Every candidate's continuation ids by the joint-tail rule, checked as described above.
 * Titles that give no tokens are InvalidData; a tokenizer for which the ids depend on the
 * context or on the following text is InvalidModel. All problems are reported at once.
 */
export function candidateIds(encode: EncodeText, titles: readonly string[]): TokenizedCandidates {
  if (titles.length === 0) throw new InvalidData('no candidates to score (the candidate list is empty)');
  const [first, ...others] = BOUNDARY_CONTEXTS;
  const firstIds = encode(first);
  const broken: string[] = [];
  const ids = titles.map((t, i) => {
    const tail = jointTail(encode, first, continuationText(t), firstIds);
    if (tail === null) {
      broken.push(`candidate ${i} '${t}': ${JSON.stringify(first + continuationText(t))} encodes to ${show(encode(first + continuationText(t)))}, which does not start with the context's ${show(firstIds)}`);
    }
    return tail ?? [];
  });
  if (broken.length) throw new InvalidModel(`the tokenizer merges across the end of the context, so candidates cannot be scored apart from it (${broken.length} candidate(s))`, broken.slice(0, 10));
  const empty = titles.flatMap((t, i) => (ids[i].length === 0 ? [`candidate ${i} '${t}'`] : []));
  if (empty.length) {
    throw new InvalidData(`${empty.length} candidate title(s) tokenize to nothing (expected at least one token)`, empty.slice(0, 10));
  }
  let checked = 0;
  for (const context of [first, ...others]) {
    const contextIds = encode(context);
    for (const following of FOLLOWING_TEXTS) {
      titles.forEach((t, i) => {
        checked++;
        const expected = [...contextIds, ...ids[i]];
        const joint = encode(context + continuationText(t) + following);
        if (!startsWith(joint, expected)) {
          broken.push(
            `candidate ${i} '${t}' after ${JSON.stringify(context)}${following ? ` and before ${JSON.stringify(following)}` : ''}: ` +
              `joint encoding ${show(joint)}, context ids + candidate ids ${show(expected)}`,
          );
        }
      });
    }
  }
  if (broken.length) {
    throw new InvalidModel(
      `candidate ids depend on the context or the following text for this tokenizer (${broken.length} case(s)); the scorer would not score what the model was trained on`,
      broken.slice(0, 10),
    );
  }
  return { ids, longest: Math.max(...ids.map((x) => x.length)), checked };
}

/** `candidateIds` for a transformers.js tokenizer. */
export function tokenizeCandidates(tokenizer: PreTrainedTokenizer, titles: readonly string[]): TokenizedCandidates {
  return candidateIds(encoderOf(tokenizer), titles);
}

/**
 * Checks that `context` ends at a token boundary: encode(context + continuation) must be
 * encode(context) (given as `contextIds`) followed by the candidate's ids. `where` names the
 * request in the error.
 */
export function checkBoundary(
  encode: EncodeText, context: string, contextIds: readonly number[], continuation: string, candidate: readonly number[], where: string,
): void {
  const joint = encode(context + continuation);
  const expected = [...contextIds, ...candidate];
  if (joint.length !== expected.length || !startsWith(joint, expected)) {
    throw new InvalidData(
      `${where}: the context does not end where a continuation starts a new token (contexts end with "YEAR (EDUCATION):" or "YEAR:"): ` +
        `${JSON.stringify(context.slice(-40))} + ${JSON.stringify(continuation)} encodes to ...${show(joint.slice(Math.max(0, contextIds.length - 3)))}, ` +
        `expected ...${show(expected.slice(Math.max(0, contextIds.length - 3)))}`,
    );
  }
}

/** Context ids: the tokenizer's special prefix, then the text without special tokens. */
export function tokenizeContext(tokenizer: PreTrainedTokenizer, prefix: readonly number[], context: string): number[] {
  return [...prefix, ...tokenizer.encode(context, { add_special_tokens: false })];
}
