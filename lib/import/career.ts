/**
 * Importer for the text format of CAREER (Vafa et al.): per split prefix, six files with one
 * person per line and space-separated tokens.
 *
 *   {prefix}.job        one token per observed year: a taxonomy code, or the special tokens
 *                       `unemployed`, `not_in_labor_force`, `education` (-> in_education)
 *   {prefix}.year       one integer per observed year, strictly increasing
 *   {prefix}.education  one token per observed year, kept as given
 *   {prefix}.ethnicity, {prefix}.gender, {prefix}.location   one token per person
 *   {prefix}.birth_year optional, one integer per person (CAREER has none: birth_year 0 = unknown)
 *
 * Prefixes `train`, `valid`, `test` give the split and person ids `<split>-<line>`. A single
 * split prefix, or the prefix `all`, is split by person with the seed and gets ids `p<line>`.
 * Every problem in every file is collected and reported at once.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SPLITS, UNKNOWN_BIRTH_YEAR, type Split } from '../artifacts/contracts';
import { InvalidData, ProblemList } from '../errors';
import type { Panel } from '../panel/panel';
import { DEFAULT_SPLIT_FRACTIONS, splitPersons, type SplitFractions } from '../panel/split';
import type { Taxonomy } from '../panel/taxonomy';
import { validatePanel } from '../panel/validate';
import { assemblePanel, importedSource, parseInt32, quote, type ImportedPerson, type ImportedYear } from './assemble';
import { CAREER_SPECIAL_TOKENS, leadingZeroHinter, stateResolver } from './state-codes';

export interface CareerImportOptions {
  taxonomy: Taxonomy;
  /** Dataset name for the text headers; default: the folder's name. */
  name?: string;
  /** Seed of the split by person, used only when the files carry no split (default 0). */
  seed?: number;
  /** Split fractions, used only when the files carry no split (default 70/10/20). */
  splits?: SplitFractions;
}

const PER_YEAR = ['job', 'year', 'education'] as const;
const PER_PERSON = ['ethnicity', 'gender', 'location'] as const;
const REQUIRED = [...PER_YEAR, ...PER_PERSON] as const;
const OPTIONAL = ['birth_year'] as const;
type Kind = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];
const PREFIXES = ['train', 'valid', 'test', 'all'] as const;
type Prefix = (typeof PREFIXES)[number];


/** One file's lines, each already split into tokens. */
type Lines = string[][];

export function importCareer(dir: string, options: CareerImportOptions): Panel {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new InvalidData(`CAREER data folder not found: ${root}`);
  const present = new Set(readdirSync(root));
  const prefixes = PREFIXES.filter((p) => [...REQUIRED, ...OPTIONAL].some((k) => present.has(`${p}.${k}`)));
  if (prefixes.length === 0) {
    const found = [...present].sort();
    throw new InvalidData(`${root}: no CAREER files found`, [
      `expected {train,valid,test}.{${REQUIRED.join(',')}} or all.{${REQUIRED.join(',')}}`,
      `found: ${found.length ? found.slice(0, 20).join(', ') + (found.length > 20 ? `, ... (${found.length} files)` : '') : 'nothing'}`,
    ]);
  }

  const problems = new ProblemList();
  if (prefixes.includes('all') && prefixes.length > 1) {
    problems.add('both all.* and split files (use one or the other)', `found prefixes ${prefixes.join(', ')}`);
  }
  const resolveState = stateResolver(options.taxonomy, CAREER_SPECIAL_TOKENS);
  const hint = leadingZeroHinter(options.taxonomy);

  // Persons per prefix, in line order; `line` is kept for ids.
  const parsed: { prefix: Prefix; line: number; person: ImportedPerson }[] = [];
  for (const prefix of prefixes) {
    const files = readPrefix(root, prefix, problems);
    for (const p of parsePrefix(prefix, files, resolveState, hint, problems)) parsed.push({ prefix, ...p });
  }
  problems.throwIfAny((m, d) => new InvalidData(m, d), `${root}: invalid CAREER data`);

  // One split prefix (or `all`) means the files carry no split: split by person with the seed.
  const resplit = prefixes.length === 1;
  if (resplit) {
    for (const p of parsed) p.person.row.person_id = `p${p.line}`;
    const splits = splitPersons(parsed.map((p) => p.person.row.person_id), options.seed ?? 0, options.splits ?? DEFAULT_SPLIT_FRACTIONS);
    parsed.forEach((p, i) => (p.person.row.split = splits[i]));
  }
  const panel = assemblePanel(options.name ?? basename(root), options.taxonomy, parsed.map((p) => p.person));
  validatePanel(panel, importedSource(root));
  return panel;
}

/** Reads the prefix's files that exist; records missing and empty ones. */
function readPrefix(root: string, prefix: Prefix, problems: ProblemList): Partial<Record<Kind, Lines>> {
  const files: Partial<Record<Kind, Lines>> = {};
  for (const kind of [...REQUIRED, ...OPTIONAL]) {
    const name = `${prefix}.${kind}`;
    if (!existsSync(join(root, name))) {
      if ((REQUIRED as readonly string[]).includes(kind)) problems.add('missing file', name);
      continue;
    }
    const text = readFileSync(join(root, name), 'utf8');
    if (text.trim() === '') {
      problems.add('empty file', name);
      continue;
    }
    const lines = text.split(/\r?\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    files[kind] = lines.map((l) => (l.trim() === '' ? [] : l.trim().split(/\s+/)));
  }
  const counts = Object.entries(files).map(([kind, lines]) => `${prefix}.${kind} has ${lines!.length}`);
  if (new Set(Object.values(files).map((l) => l!.length)).size > 1) {
    problems.add('line counts differ between the files of one prefix (one line per person)', counts.join(', '));
  }
  return files;
}

/** Checks every line of a prefix's files and builds its persons (meaningful only without problems). */
function parsePrefix(
  prefix: Prefix,
  files: Partial<Record<Kind, Lines>>,
  resolveState: (token: string) => string | undefined,
  hint: (token: string) => string,
  problems: ProblemList,
): { line: number; person: ImportedPerson }[] {
  const n = Math.max(0, ...Object.values(files).map((l) => l!.length));
  const out: { line: number; person: ImportedPerson }[] = [];
  for (let i = 0; i < n; i++) {
    const line = i + 1;
    const at = (kind: Kind) => `${prefix}.${kind} line ${line}`;
    const get = (kind: Kind) => files[kind]?.[i];
    const job = get('job');
    const year = get('year');
    const education = get('education');

    if (job && job.length === 0) problems.add('empty line in a per-year file (a person with no observed year)', at('job'));
    for (const [kind, tokens] of [['year', year], ['education', education]] as const) {
      if (job && tokens && tokens.length !== job.length) {
        problems.add(
          `ragged line: token counts differ between .job and .${kind}`,
          `${at(kind)} has ${tokens.length} token(s), ${prefix}.job line ${line} has ${job.length}`,
        );
      }
    }

    const years: (number | undefined)[] = (year ?? []).map((t, k) => {
      const v = parseInt32(t);
      if (v === undefined) problems.add('non-integer year', `${at('year')} token ${k + 1}: ${quote(t)}`);
      return v;
    });
    let last: number | undefined;
    years.forEach((v, k) => {
      if (v === undefined) return;
      if (last !== undefined && v === last) problems.add('year duplicated within a person', `${at('year')} token ${k + 1}: ${v} again`);
      else if (last !== undefined && v < last) problems.add('years out of order within a person', `${at('year')} token ${k + 1}: ${v} after ${last}`);
      last = v;
    });

    const states = (job ?? []).map((t, k) => {
      const code = resolveState(t);
      if (code === undefined) problems.add('unknown occupation code (not in the taxonomy)', `${at('job')} token ${k + 1}: ${quote(t)}${hint(t)}`);
      return code;
    });

    const single = (kind: Kind): string | undefined => {
      const tokens = get(kind);
      if (tokens === undefined) return undefined;
      if (tokens.length !== 1) {
        problems.add('per-person file line must have exactly 1 token', `${at(kind)} has ${tokens.length}${tokens.length ? `: ${quote(tokens.join(' '))}` : ''}`);
        return undefined;
      }
      return tokens[0];
    };
    const race = single('ethnicity');
    const gender = single('gender');
    const region = single('location');
    const birthToken = single('birth_year');
    let birth_year = UNKNOWN_BIRTH_YEAR;
    if (birthToken !== undefined) {
      const v = parseInt32(birthToken);
      if (v === undefined) problems.add('non-integer birth year', `${at('birth_year')}: ${quote(birthToken)}`);
      else birth_year = v;
    }

    const rows: ImportedYear[] = (job ?? []).map((_, k) => ({
      year: years[k] ?? 0,
      state: states[k] ?? '',
      education: education?.[k] ?? '',
    }));
    const split: Split = (SPLITS as readonly string[]).includes(prefix) ? (prefix as Split) : 'train';
    out.push({
      line,
      person: {
        row: { person_id: `${prefix}-${line}`, gender: gender ?? '', race: race ?? '', region: region ?? '', birth_year, split },
        years: rows,
      },
    });
  }
  return out;
}
