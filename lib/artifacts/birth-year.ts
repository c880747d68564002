/**
 * A person's birth year when the source has none (CAREER's files): texts leave the line out,
 * analyses say "unknown". Its own module: the text templates, which the CLI's `validate` loads,
 * need it without Arrow.
 */
export const UNKNOWN_BIRTH_YEAR = 0;
