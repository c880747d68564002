/**
 * Context truncation for contexts longer than the model can take.
 *
 * Policy: a context may use at most `maxTokens` = the model's positions minus the longest
 * candidate continuation, so that context + any continuation fits. A context over that keeps
 * - its header: the first `headerLines` lines (demographics and intro; 'auto' = every line
 *   before the first line that starts with a four-digit year), and
 * - its most recent lines, always including the last (partial) line "YEAR (EDUCATION):",
 * dropping whole year lines from the oldest on. Nothing marks the gap (a marker would be text
 * the model never saw in training). Should header and last line alone not fit, the context is
 * cut to its last `maxTokens` tokens (the header is lost; counted in `droppedTokens`).
 */
export type HeaderLines = number | 'auto';

export interface TruncationPolicy {
  /** Most tokens a context may have, special prefix (BOS) included. */
  maxTokens: number;
  headerLines: HeaderLines;
}

export interface TruncatedContext {
  ids: number[];
  /** The kept text (whole lines); the original text after a last-resort token cut. */
  text: string;
  truncated: boolean;
  /** Whole lines dropped. */
  droppedLines: number;
  /** Tokens cut off by the last-resort token cut (0 when whole lines sufficed). */
  droppedTokens: number;
}

const YEAR_LINE = /^\d{4}\b/;

/** Splits into lines that keep their "\n". */
export function splitLines(text: string): string[] {
  return text.split(/(?<=\n)/).filter((l) => l.length > 0);
}

export function headerLineCount(lines: readonly string[], headerLines: HeaderLines): number {
  if (headerLines !== 'auto') return Math.min(Math.max(0, headerLines), lines.length);
  const first = lines.findIndex((l) => YEAR_LINE.test(l));
  return first < 0 ? 0 : first;
}

/**
 * Tokenises `text` (after `prefix` ids, e.g. BOS) and truncates it by the policy above.
 * `encode` must tokenise without special tokens.
 */
export function truncateContext(
  text: string,
  encode: (s: string) => number[],
  prefix: readonly number[],
  policy: TruncationPolicy,
): TruncatedContext {
  const full = [...prefix, ...encode(text)];
  if (full.length <= policy.maxTokens) return { ids: full, text, truncated: false, droppedLines: 0, droppedTokens: 0 };
  const lines = splitLines(text);
  const nHeader = headerLineCount(lines, policy.headerLines);
  const header = lines.slice(0, nHeader);
  const body = lines.slice(nHeader);
  // Body lines kept = body[first..]; the last body line always stays. Start from a per-line
  // estimate, then check the exact count (line tokens need not add up exactly).
  const counts = body.map((l) => encode(l).length);
  let used = prefix.length + header.reduce((s, l) => s + encode(l).length, 0) + (counts.at(-1) ?? 0);
  let first = Math.max(body.length - 1, 0);
  while (first > 0 && used + counts[first - 1] <= policy.maxTokens) used += counts[--first];
  for (; first < body.length; first++) {
    const kept = header.join('') + body.slice(first).join('');
    const ids = [...prefix, ...encode(kept)];
    if (ids.length <= policy.maxTokens) {
      return { ids, text: kept, truncated: true, droppedLines: first, droppedTokens: 0 };
    }
    if (first === body.length - 1 || body.length === 0) break;
  }
  // Last resort: the last maxTokens tokens of the whole context (prefix kept if it fits).
  const room = Math.max(policy.maxTokens - prefix.length, 1);
  const tail = full.slice(prefix.length).slice(-room);
  const ids = [...prefix, ...tail].slice(-policy.maxTokens);
  return { ids, text, truncated: true, droppedLines: 0, droppedTokens: full.length - ids.length };
}
