/**
 * Loads an experiment config: YAML (or JSON) -> `extends:` fragments merged -> validated by the
 * schema (every problem reported at once, with key path and line) -> cross-step checks ->
 * paths resolved against the config's folder. The result is the resolved config and its hash.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import type { z } from 'zod';
import { InvalidConfig } from '../errors';
import { didYouMeanSuffix } from './did-you-mean';
import { hashJson } from './hash';
import { experimentConfig, KNOWN_KEYS, type ExperimentConfig, type StepConfig } from './schema';
import { stepInputs } from './steps';

export interface LoadedConfig {
  config: ExperimentConfig;
  /** sha256 of the canonical JSON of the resolved config. */
  hash: string;
  file: string;
}

interface ParsedFile {
  file: string;
  value: Record<string, unknown>;
  lineOf: (path: (string | number)[]) => number | undefined;
}

function parseFile(file: string): ParsedFile {
  if (!existsSync(file)) throw new InvalidConfig(`config file not found: ${file}`);
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter, prettyErrors: true });
  if (doc.errors.length) {
    throw new InvalidConfig(`${file}: not valid YAML`, doc.errors.map((e) => `line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`));
  }
  const value = doc.toJS();
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidConfig(`${file}: expected a mapping of config keys at the top level, found ${value === null ? 'an empty file' : typeof value}`);
  }
  const lineOf = (path: (string | number)[]) => {
    let node: Node | null | undefined = doc.contents as Node;
    let line: number | undefined;
    for (const key of path) {
      if (isMap(node)) node = node.get(key, true) as Node | undefined;
      else if (isSeq(node)) node = node.get(Number(key), true) as Node | undefined;
      else break;
      if (node?.range) line = lineCounter.linePos(node.range[0]).line;
    }
    return line;
  };
  return { file, value, lineOf };
}

/** Deep merge: objects merge key by key, anything else (arrays included) is replaced. */
function merge(base: unknown, over: unknown): unknown {
  if (base && over && typeof base === 'object' && typeof over === 'object' && !Array.isArray(base) && !Array.isArray(over)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
    return out;
  }
  return over;
}

function withExtends(parsed: ParsedFile, seen: string[] = []): Record<string, unknown> {
  const { extends: ext, ...own } = parsed.value;
  if (ext === undefined) return own;
  const list = Array.isArray(ext) ? ext : [ext];
  let merged: Record<string, unknown> = {};
  for (const entry of list) {
    if (typeof entry !== 'string') throw new InvalidConfig(`${parsed.file}: 'extends' must be a path or a list of paths, found ${JSON.stringify(entry)}`);
    const file = resolve(dirname(parsed.file), entry);
    if (seen.includes(file)) throw new InvalidConfig(`${parsed.file}: 'extends' cycle: ${[...seen, file].join(' -> ')}`);
    merged = merge(merged, withExtends(parseFile(file), [...seen, parsed.file])) as Record<string, unknown>;
  }
  return merge(merged, own) as Record<string, unknown>;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '') || '(top level)';
}

function issueLines(issues: z.core.$ZodIssue[], lineOf: ParsedFile['lineOf']): string[] {
  return issues.map((issue) => {
    const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    const line = lineOf(path);
    const at = `${formatPath(path)}${line ? ` (line ${line})` : ''}`;
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map((k) => {
          const keyLine = lineOf([...path, k]) ?? line;
          return `${formatPath(path)}${keyLine ? ` (line ${keyLine})` : ''}: unknown key '${k}'${didYouMeanSuffix(k, KNOWN_KEYS)}`;
        })
        .join('\n  - ');
    }
    if (issue.code === 'invalid_union' && 'errors' in issue) {
      const alternatives = issue.errors.map((errs) => errs.map((e) => e.message).join(', '));
      return `${at}: none of the accepted forms matched (${alternatives.join(' | ')})`;
    }
    return `${at}: ${issue.message}`;
  });
}

/** Cross-step checks the schema cannot express: unique names, references to earlier steps of the right kind. */
function checkSteps(steps: StepConfig[]): string[] {
  const problems: string[] = [];
  const kinds = new Map<string, StepConfig['kind']>();
  steps.forEach((step, i) => {
    if (kinds.has(step.name)) problems.push(`steps[${i}].name: duplicate step name '${step.name}'`);
    for (const { key, step: ref, kinds: allowed } of stepInputs(step)) {
      const kind = kinds.get(ref);
      if (!kind) {
        problems.push(`steps[${i}].${key}: '${ref}' is not an earlier step${didYouMeanSuffix(ref, kinds.keys())}`);
      } else if (!allowed.includes(kind)) {
        problems.push(`steps[${i}].${key}: step '${ref}' is a ${kind} step; expected ${allowed.join(' or ')}`);
      }
    }
    kinds.set(step.name, step.kind);
  });
  return problems;
}

const abs = (baseDir: string, p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));

/** Makes every path in the config absolute, relative to the config file's folder. */
function resolvePaths(config: ExperimentConfig, baseDir: string): ExperimentConfig {
  const steps = config.steps.map((s): StepConfig => {
    switch (s.kind) {
      case 'data':
        return {
          ...s,
          taxonomy: s.taxonomy === 'default' ? s.taxonomy : abs(baseDir, s.taxonomy),
          ...('path' in s ? { path: abs(baseDir, s.path) } : {}),
        };
      case 'finetune':
        return 'path' in s.base ? { ...s, base: { path: abs(baseDir, s.base.path) } } : s;
      case 'evaluate':
        return typeof s.model === 'object' ? { ...s, model: { path: abs(baseDir, s.model.path) } } : s;
      default:
        return s;
    }
  });
  return { ...config, steps };
}

/** Validates a config object (already parsed); `lineOf` maps key paths to source lines. */
export function validateConfig(raw: unknown, file: string, baseDir: string, lineOf: ParsedFile['lineOf'] = () => undefined): LoadedConfig {
  const result = experimentConfig.safeParse(raw);
  if (!result.success) {
    throw new InvalidConfig(`${file}: invalid experiment config (${result.error.issues.length} problem${result.error.issues.length === 1 ? '' : 's'})`, issueLines(result.error.issues, lineOf));
  }
  const problems = checkSteps(result.data.steps);
  if (problems.length) throw new InvalidConfig(`${file}: invalid experiment config`, problems);
  // Every step gets an explicit seed, so the resolved config (and each cache key) says which one ran.
  const seeded = { ...result.data, steps: result.data.steps.map((s) => (s.kind === 'encode' ? s : { ...s, seed: s.seed ?? result.data.seed })) };
  const config = resolvePaths(seeded, baseDir);
  return { config, hash: hashJson(config), file };
}

export function loadConfig(path: string): LoadedConfig {
  const file = resolve(path);
  const parsed = parseFile(file);
  return validateConfig(withExtends(parsed), file, dirname(file), parsed.lineOf);
}
