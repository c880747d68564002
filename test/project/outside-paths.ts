/**
 * Finds paths in a file's text that point outside the repository: relative paths that climb
 * above the repository root, and absolute paths into the repository's parent folder (a sibling
 * checkout, a shared data folder). Used by self-contained.test.ts on every tracked file.
 *
 * Relative paths are resolved from the file's folder, as imports and `import.meta.dirname` do,
 * or from the repository root when they follow an identifier naming it (`resolve(REPO_ROOT,
 * '..')`) or a command-line option (a path after `--taxonomy` in help text). Path segments passed as
 * separate literals (`join(here, '..', 'x')`) are joined first. URLs and `.../` are not paths.
 */
import { posix } from 'node:path';

export interface OutsidePath {
  line: number;
  path: string;
  reason: string;
}

export interface DetectOptions {
  /** The file's path relative to the repository root, with `/` separators. */
  file: string;
  /** The repository root (absolute), for the absolute-path check. */
  repoRoot?: string;
  /**
   * Folders too generic to flag paths under (a repository cloned into /tmp or a home folder
   * must not flag every /tmp path its docs mention).
   */
  genericParents?: readonly string[];
}

const PATH_CHAR = String.raw`[\w.@+~%-]`;
/** A relative path starting with one or more `../` (optionally `./../`), not inside a URL or a longer path. */
const RELATIVE = new RegExp(String.raw`(?<![\w./~:-])(?:\./)?(?:\.\./)+(?:${PATH_CHAR}+(?:/${PATH_CHAR}+)*)?/?`, 'g');
/** A run of string literals separated by commas: `'..', '..', 'shared'`. */
const LITERAL_RUN = /(?:(['"])[^'"\n]*\1\s*,\s*)*(['"])[^'"\n]*\2/g;
/** A command-line option right before a path: commands in docs and help run from the repository root. */
const CLI_OPTION = /--[\w-]+[ =]$/;
/** `<identifier naming the repository root>, ` right before a literal. */
const ROOT_BASE = /\b\w*(?:ROOT|Root|root)\w*\s*,\s*['"]?$/;

const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** Where `rel` lands from `base` (both relative to the repository root); null when it climbs out. */
function landing(base: string, rel: string): string | null {
  const joined = posix.normalize(posix.join(base || '.', rel));
  return joined === '..' || joined.startsWith('../') ? null : joined;
}

function baseFor(text: string, index: number, fileDir: string): { base: string; from: string } {
  const before = text.slice(Math.max(0, index - 80), index);
  if (ROOT_BASE.test(before)) return { base: '.', from: 'the repository root' };
  if (CLI_OPTION.test(before)) return { base: '.', from: 'the repository root (a command-line argument)' };
  return { base: fileDir, from: `${fileDir || '.'}/` };
}

function relativeHits(text: string, fileDir: string): OutsidePath[] {
  const hits = new Map<number, OutsidePath>();
  const check = (path: string, index: number) => {
    const { base, from } = baseFor(text, index, fileDir);
    if (landing(base, path) === null) hits.set(index, { line: lineAt(text, index), path, reason: `climbs out of the repository from ${from}` });
  };
  const seen = new Set<number>();
  for (const m of text.matchAll(LITERAL_RUN)) {
    const literals = [...m[0].matchAll(/(['"])([^'"\n]*)\1/g)];
    const first = literals.findIndex((l) => l[2] === '..' || l[2].startsWith('../'));
    if (first < 0) continue;
    const index = m.index + literals[first].index + 1;
    seen.add(index);
    check(literals.slice(first).map((l) => l[2]).join('/'), index);
  }
  for (const m of text.matchAll(RELATIVE)) if (!seen.has(m.index)) check(m[0], m.index);
  return [...hits.values()];
}

function absoluteHits(text: string, repoRoot: string, generic: readonly string[]): OutsidePath[] {
  const parent = posix.dirname(repoRoot);
  if (generic.includes(parent) || parent === '/') return [];
  const pattern = new RegExp(String.raw`(?<![\w./~:-])${parent.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:/${PATH_CHAR}+)+`, 'g');
  const own = `${repoRoot}/`;
  return [...text.matchAll(pattern)]
    .filter((m) => m[0] !== repoRoot && !m[0].startsWith(own))
    .map((m) => ({ line: lineAt(text, m.index), path: m[0], reason: `absolute path into ${parent}, outside the repository` }));
}

/** Every path in `text` that points outside the repository, in order of position. */
export function findOutsidePaths(text: string, options: DetectOptions): OutsidePath[] {
  const fileDir = posix.dirname(options.file) === '.' ? '' : posix.dirname(options.file);
  const hits = relativeHits(text, fileDir);
  if (options.repoRoot) hits.push(...absoluteHits(text, options.repoRoot, options.genericParents ?? []));
  return hits.sort((a, b) => a.line - b.line);
}
