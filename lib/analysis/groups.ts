/**
 * Occupation groups: the taxonomy has no group column, so a code -> group map is passed in,
 * e.g. from the first digits of Census codes (codePrefixGroups).
 */
import { InvalidData } from '../errors';
import type { Taxonomy } from '../panel/taxonomy';

export interface GroupIndex {
  /** Group names, in order of first appearance in the taxonomy. */
  names: string[];
  /** Taxonomy state index -> group index. */
  of: Int32Array;
}

/** Occupation codes grouped by their first `digits` characters; special states keep their own code as group. */
export function codePrefixGroups(taxonomy: Taxonomy, digits = 2): Map<string, string> {
  if (!Number.isInteger(digits) || digits < 1) throw new InvalidData(`code prefix groups: digits must be a positive integer, found ${digits}`);
  return new Map(taxonomy.rows.map((r) => [r.code, r.kind === 'occupation' ? r.code.slice(0, digits) : r.code]));
}

/** Checks that the map covers every taxonomy state (and only those) and indexes it. */
export function indexGroups(taxonomy: Taxonomy, groups: ReadonlyMap<string, string>): GroupIndex {
  const missing = taxonomy.rows.filter((r) => !groups.has(r.code)).map((r) => r.code);
  const unknown = [...groups.keys()].filter((c) => !taxonomy.has(c));
  const empty = [...groups].filter(([, g]) => typeof g !== 'string' || g === '').map(([c]) => c);
  const problems: string[] = [];
  const some = (codes: string[]) => `${codes.slice(0, 5).map((c) => `'${c}'`).join(', ')}${codes.length > 5 ? `, ... (${codes.length} in all)` : ''}`;
  if (missing.length) problems.push(`taxonomy codes without a group: ${some(missing)}`);
  if (unknown.length) problems.push(`codes not in the taxonomy: ${some(unknown)}`);
  if (empty.length) problems.push(`codes with an empty group name: ${some(empty)}`);
  if (problems.length) throw new InvalidData('occupation group map does not fit the taxonomy', problems);
  const names: string[] = [];
  const at = new Map<string, number>();
  const of = new Int32Array(taxonomy.size);
  taxonomy.rows.forEach((r, k) => {
    const g = groups.get(r.code)!;
    let i = at.get(g);
    if (i === undefined) at.set(g, (i = names.push(g) - 1));
    of[k] = i;
  });
  return { names, of };
}
