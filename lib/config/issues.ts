/**
 * Schema problems in words a person can act on: the key path and line, the value found, and
 * what would be accepted (the valid values of an enum or a step kind, the keys valid at that
 * level, the forms a union takes).
 */
import type { z } from 'zod';
import { didYouMean } from './did-you-mean';
import { keyLevels, keysAt, unionForms } from './schema-walk';

type Path = (string | number)[];
/** A line of the config file, or (a string) a place in one of its `extends` fragments: "base.yaml line 3". */
export type LineOf = (path: Path) => number | string | undefined;

/** " (line 3)" or " (base.yaml line 3)"; "" when unknown. */
export const lineSuffix = (line: number | string | undefined): string => (line ? ` (${typeof line === 'number' ? `line ${line}` : line})` : '');

interface Context {
  schema: z.ZodType;
  raw: unknown;
  lineOf: LineOf;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '') || '(top level)';
}

function valueAt(raw: unknown, path: Path): unknown {
  let v = raw;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

/** `'teleport'` for strings, JSON for anything else. */
const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));
const list = (values: readonly unknown[]) => values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') {
    const keys = Object.keys(v);
    return keys.length ? `a mapping with key${keys.length === 1 ? '' : 's'} ${keys.map((k) => `'${k}'`).join(', ')}` : 'an empty mapping';
  }
  return show(v);
}

const WORDS_NEEDING_OWNER = new Set(['kind', 'name', 'source', 'version']);
const singular = (w: string) => (w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w);

/** What the value at `path` is called: "step kind", "scorer kind", "baseline", "provider". */
function labelFor(path: Path): string {
  const last = path[path.length - 1];
  const before = path[path.length - 2];
  if (typeof last === 'number') return typeof before === 'string' ? singular(before) : 'value';
  if (last === undefined) return 'value';
  if (!WORDS_NEEDING_OWNER.has(last) || before === undefined) return last;
  if (typeof before === 'number') {
    const collection = path[path.length - 3];
    return typeof collection === 'string' ? `${singular(collection)} ${last}` : last;
  }
  return `${before} ${last}`;
}

function where(path: Path, ctx: Context, line = ctx.lineOf(path)): string {
  return `${formatPath(path)}${lineSuffix(line)}`;
}

/** The level's name as keyLevels gives it: "the experiment", "finetune steps", "'lora' in finetune steps". */
function levelLabel(path: Path, raw: unknown): string {
  if (path.length === 0) return 'the experiment';
  if (path.length === 2 && path[0] === 'steps' && typeof path[1] === 'number') {
    const kind = valueAt(raw, [...path, 'kind']);
    return typeof kind === 'string' ? `${kind} steps` : 'a step';
  }
  const i = path.findLastIndex((k) => typeof k === 'string');
  return `'${String(path[i])}' in ${levelLabel(path.slice(0, i), raw)}`;
}

function unknownKey(path: Path, key: string, ctx: Context): string {
  const at = where(path, ctx, ctx.lineOf([...path, key]) ?? ctx.lineOf(path));
  const here = keysAt(ctx.schema, path, ctx.raw).filter((k) => k !== key);
  const guess = didYouMean(key, here);
  if (guess) return `${at}: unknown key '${key}' (did you mean '${guess}'?)`;
  const hereLabel = levelLabel(path, ctx.raw);
  const elsewhere = keyLevels(ctx.schema).filter((l) => l.keys.includes(key) && l.label !== hereLabel).map((l) => l.label);
  const hint = elsewhere.length ? `; '${key}' is a key of ${elsewhere.join(', ')}, not of ${hereLabel}` : '';
  return `${at}: unknown key '${key}'${hint}; expected one of ${here.join(', ')}`;
}

/**
 * Of a union's alternatives, the one the value was meant as: the only one of the value's type
 * (a mapping, a string), or the only one whose problems all lie below its top level.
 */
function closeAlternative(errors: z.core.$ZodIssue[][], value: unknown): z.core.$ZodIssue[] | undefined {
  const sameType = errors.filter((errs) => !errs.some((e) => e.path.length === 0 && e.code === 'invalid_type'));
  if (sameType.length === 1) return sameType[0];
  const topLevel = (e: z.core.$ZodIssue) =>
    e.path.length === 0 || (e.path.length === 1 && e.code === 'invalid_type' && valueAt(value, e.path as Path) === undefined);
  const fits = sameType.filter((errs) => !errs.some(topLevel));
  return fits.length === 1 ? fits[0] : undefined;
}

function formatIssue(issue: z.core.$ZodIssue, ctx: Context, prefix: Path = []): string[] {
  const path = [...prefix, ...issue.path.filter((k): k is string | number => typeof k !== 'symbol')];
  const value = valueAt(ctx.raw, path);
  const label = labelFor(path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => unknownKey(path, k, ctx));
    case 'invalid_union': {
      if ('options' in issue && Array.isArray(issue.options) && issue.options.length) {
        const what = value === undefined ? `missing ${label}` : `unknown ${label} ${show(value)}`;
        return [`${where(path, ctx)}: ${what}; expected one of ${list(issue.options)}`];
      }
      const close = closeAlternative(issue.errors, value);
      if (close) return close.flatMap((e) => formatIssue(e, ctx, path));
      const forms = unionForms(ctx.schema, path, ctx.raw);
      return [`${where(path, ctx)}: expected ${forms.length ? forms.join(', or ') : 'another form'}; found ${describeValue(value)}`];
    }
    case 'invalid_value': {
      if (value === undefined) return [`${where(path, ctx)}: missing ${label}; expected ${issue.values.length > 1 ? 'one of ' : ''}${list(issue.values)}`];
      if (issue.values.length === 1) return [`${where(path, ctx)}: expected ${show(issue.values[0])}, found ${show(value)}`];
      return [`${where(path, ctx)}: unknown ${label} ${show(value)}; expected one of ${list(issue.values)}`];
    }
    case 'invalid_type':
      return value === undefined
        ? [`${where(path, ctx)}: missing required key '${String(path[path.length - 1])}' (expected ${issue.expected})`]
        : [`${where(path, ctx)}: expected ${issue.expected}, found ${describeValue(value)}`];
    default:
      return [`${where(path, ctx)}: ${issue.message}`];
  }
}

/** One line per problem (an issue with several unknown keys gives one line each). */
export function issueLines(issues: readonly z.core.$ZodIssue[], schema: z.ZodType, raw: unknown, lineOf: LineOf): string[] {
  const ctx: Context = { schema, raw, lineOf };
  return issues.flatMap((issue) => formatIssue(issue, ctx));
}
