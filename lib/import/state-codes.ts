/**
 * Turning a source's state token into a taxonomy code, with a hint for the usual way codes go
 * wrong: a spreadsheet or a numeric column that dropped the leading zeros ("10" for "0010").
 */
import type { StateKind } from '../artifacts/contracts';
import type { Taxonomy } from '../panel/taxonomy';

/** CAREER's special job tokens and the kind of taxonomy state each one means. */
export const CAREER_SPECIAL_TOKENS: Readonly<Record<string, StateKind>> = {
  unemployed: 'unemployed',
  not_in_labor_force: 'not_in_labor_force',
  education: 'in_education',
};

/** The code of the taxonomy's first state of a kind (the special states have one each). */
export function codeOfKind(taxonomy: Taxonomy, kind: StateKind): string | undefined {
  return taxonomy.rows.find((r) => r.kind === kind)?.code;
}

/**
 * Builds a resolver from token to taxonomy code: taxonomy codes map to themselves, and the
 * given aliases (e.g. CAREER's `education`) to the code of their kind. Unknown tokens give
 * undefined.
 */
export function stateResolver(taxonomy: Taxonomy, aliases: Readonly<Record<string, StateKind>> = {}): (token: string) => string | undefined {
  const map = new Map<string, string>();
  for (const r of taxonomy.rows) map.set(r.code, r.code);
  for (const [token, kind] of Object.entries(aliases)) {
    const code = codeOfKind(taxonomy, kind);
    if (code !== undefined) map.set(token, code);
  }
  return (token) => map.get(token);
}

/**
 * Builds a hint function: for an all-digit token that matches a zero-padded taxonomy code once
 * the zeros are stripped, " (did you mean '0010'? ...)"; else "".
 */
export function leadingZeroHinter(taxonomy: Taxonomy): (token: string) => string {
  const stripped = new Map<string, string>();
  for (const r of taxonomy.rows) {
    if (/^0+\d+$/.test(r.code)) stripped.set(r.code.replace(/^0+(?=\d)/, ''), r.code);
  }
  return (token) => {
    if (!/^\d+$/.test(token)) return '';
    const code = stripped.get(token.replace(/^0+(?=\d)/, ''));
    return code !== undefined && code !== token ? ` (did you mean '${code}'? codes are strings; leading zeros were probably lost)` : '';
  };
}
