/**
 * Loads an experiment config: YAML (or JSON) -> `extends:` fragments merged -> validated by the
 * schema (every problem reported at once, with key path and line) -> cross-step checks ->
 * paths resolved against the config's folder. The result is the resolved config and its hash.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Node } from 'yaml';
import { InvalidConfig } from '../errors';
import { getTemplate } from '../text/templates';
import { didYouMeanSuffix } from './did-you-mean';
import { hashJson } from './hash';
import { issueLines, lineSuffix, type LineOf } from './issues';
import { resolveAutoExport } from './onnx-export';
import { pooledDataProblems } from './pooled-data';
import { experimentConfig, type CompareStepConfig, type EvaluateStepConfig, type ExperimentConfig, type StepConfig } from './schema';
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
    throw new InvalidConfig(`${file}: expected a mapping of config keys at the top level, found ${value === null ? 'an empty file' : Array.isArray(value) ? 'a list' : typeof value}`);
  }
  // The line of a key (not of its value, which may start on the next line), or of the deepest
  // part of the path that exists.
  const lineOf = (path: (string | number)[]) => {
    let node: Node | null | undefined = doc.contents as Node;
    let line: number | undefined;
    for (const key of path) {
      let at: Node | null | undefined;
      if (isMap(node)) {
        // A line `: value` has no key node; its key reads as '' in the parsed value.
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : (p.key ?? '')) === key || (key === '' && isScalar(p.key) && p.key.value === null));
        at = (pair?.key ?? pair?.value) as Node | undefined;
        node = pair?.value as Node | undefined;
      } else if (isSeq(node)) {
        node = at = node.get(Number(key), true) as Node | undefined;
      } else break;
      if (at?.range) line = lineCounter.linePos(at.range[0]).line;
    }
    return line;
  };
  return { file, value, lineOf };
}

/** Deep merge: objects merge key by key, anything else (arrays included) is replaced (but see mergeConfig for steps). */
function merge(base: unknown, over: unknown): unknown {
  if (base && over && typeof base === 'object' && typeof over === 'object' && !Array.isArray(base) && !Array.isArray(over)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
    return out;
  }
  return over;
}

/**
 * Config-level merge: as `merge`, except that `steps` lists merge by step name, so fragments can
 * each contribute steps (the data step, the model, the evaluation) and override a fragment's step
 * key by key: a step whose name is already there is merged into it in place, a new one is appended.
 */
function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const { steps, ...rest } = over;
  const out = merge(base, rest) as Record<string, unknown>;
  if (steps === undefined) return out;
  if (!Array.isArray(base.steps) || !Array.isArray(steps)) return { ...out, steps };
  const merged = [...base.steps];
  for (const step of steps) {
    const name = step && typeof step === 'object' ? (step as Record<string, unknown>).name : undefined;
    const at = typeof name === 'string' ? merged.findIndex((s) => s && typeof s === 'object' && (s as Record<string, unknown>).name === name) : -1;
    if (at >= 0) merged[at] = merge(merged[at], step);
    else merged.push(step);
  }
  return { ...out, steps: merged };
}

/** Merges the config over its `extends` fragments; `fragments` collects them, lowest precedence first. */
function withExtends(parsed: ParsedFile, seen: string[] = [], fragments: ParsedFile[] = []): Record<string, unknown> {
  const { extends: ext, ...own } = parsed.value;
  if (ext === undefined) return own;
  const list = Array.isArray(ext) ? ext : [ext];
  let merged: Record<string, unknown> = {};
  for (const entry of list) {
    if (typeof entry !== 'string') throw new InvalidConfig(`${parsed.file}: 'extends' must be a path or a list of paths, found ${JSON.stringify(entry)}`);
    const file = resolve(dirname(parsed.file), entry);
    if (seen.includes(file)) throw new InvalidConfig(`${parsed.file}: 'extends' cycle: ${[...seen, file].join(' -> ')}`);
    if (!existsSync(file)) {
      const line = parsed.lineOf(['extends']);
      throw new InvalidConfig(`${parsed.file}: extends${line ? ` (line ${line})` : ''}: file not found: ${file}`);
    }
    const fragment = parseFile(file);
    merged = mergeConfig(merged, withExtends(fragment, [...seen, parsed.file], fragments));
    fragments.push(fragment);
  }
  return mergeConfig(merged, own);
}

/**
 * Cross-step checks the schema cannot express: unique names, references to earlier steps of the
 * right kind, registered text templates.
 */
function checkSteps(steps: StepConfig[], lineOf: LineOf): string[] {
  const problems: string[] = [];
  const kinds = new Map<string, StepConfig['kind']>();
  const byName = new Map<string, StepConfig>();
  // A key like `data.1` names a list entry: shown as `data[1]`, as the schema's own errors show it.
  const at = (i: number, key: string) => `steps[${i}].${key.replace(/\.(\d+)/g, '[$1]')}${lineSuffix(lineOf(['steps', i, ...key.split('.')]))}`;
  steps.forEach((step, i) => {
    if (kinds.has(step.name)) problems.push(`${at(i, 'name')}: duplicate step name '${step.name}'`);
    for (const { key, step: ref, kinds: allowed } of stepInputs(step)) {
      const kind = kinds.get(ref);
      if (!kind) {
        problems.push(`${at(i, key)}: '${ref}' is not an earlier step${didYouMeanSuffix(ref, kinds.keys())}`);
      } else if (!allowed.includes(kind)) {
        problems.push(`${at(i, key)}: step '${ref}' is a ${kind} step; expected ${allowed.join(' or ')}`);
      }
    }
    if (step.kind === 'evaluate' && typeof step.model === 'string') {
      const model = byName.get(step.model);
      // The torch scorer reads the HF weights; only the ONNX scorer needs the export.
      if (model?.kind === 'finetune' && model.export === 'none' && step.scorer.backend === 'onnx') {
        problems.push(`${at(i, 'model')}: step '${step.model}' has export: none, so it writes no ONNX model for the scorer to read; set its export to onnx (or auto), or score with scorer.backend: torch`);
      }
      // A fit step's distributions are read, not scored: only its predicted splits exist, and there is no text to prompt.
      if (model?.kind === 'fit') {
        if (!model.predictSplits.includes(step.split)) {
          problems.push(`${at(i, 'split')}: fit step '${step.model}' predicts ${model.predictSplits.join(', ')}, not '${step.split}'; add it to its predictSplits`);
        }
        if (step.incontext) problems.push(`${at(i, 'incontext')}: step '${step.model}' is a fitted ${model.model} model, not a language model; in-context examples need a finetune step's model`);
      }
    }
    if (step.kind === 'finetune') problems.push(...pooledDataProblems(step, byName).map((p) => `${at(i, p.key)}: ${p.message}`));
    if (step.kind === 'analyze') {
      problems.push(...sameEvaluationPoints(step.evaluations, byName).map((p) => `${at(i, 'evaluations')}: ${p}`));
      if (step.trajectories?.scorer.backend === 'onnx') {
        for (const e of step.evaluations) {
          const evaluation = byName.get(e);
          const model = evaluation?.kind === 'evaluate' && typeof evaluation.model === 'string' ? byName.get(evaluation.model) : undefined;
          if (model?.kind === 'finetune' && model.export === 'none') {
            problems.push(`${at(i, 'trajectories')}: careers are sampled through the ONNX scorer, but step '${model.name}' (evaluated by '${e}') has export: none; set its export to onnx (or auto), or use trajectories.scorer.backend: torch`);
          }
        }
      }
    }
    if (step.kind === 'compare') problems.push(...compareProblems(step).map((p) => `${at(i, p.key)}: ${p.message}`));
    if (step.kind === 'report' && !step.analysis && step.evaluations.length === 0) {
      problems.push(`${at(i, 'kind')}: a report step needs 'analysis' (an analyze step) or 'evaluations' (evaluate steps); found neither`);
    }
    if (step.kind === 'encode') {
      try {
        getTemplate(step.template);
      } catch (err) {
        problems.push(`${at(i, 'template')}: ${(err as Error).message}`);
      }
    }
    kinds.set(step.name, step.kind);
    byName.set(step.name, step);
  });
  return problems;
}

/** An analysis compares models point by point: its evaluations must score the same points. */
function sameEvaluationPoints(names: string[], byName: Map<string, StepConfig>): string[] {
  const evaluations = names.map((n) => byName.get(n)).filter((s): s is EvaluateStepConfig => s?.kind === 'evaluate');
  const [first, ...rest] = evaluations;
  const problems: string[] = [];
  for (const e of rest) {
    for (const key of ['data', 'split', 'maxPoints'] as const) {
      if (e[key] !== first[key]) {
        problems.push(`evaluations '${first.name}' and '${e.name}' differ in ${key} ('${first[key] ?? 'all'}' vs '${e[key] ?? 'all'}'); an analysis compares models on the same points`);
      }
    }
  }
  return problems;
}

/** A comparison's rows are `step:model`: each evaluation once, and a reference naming one of them. */
function compareProblems(step: CompareStepConfig): { key: string; message: string }[] {
  const problems = step.evaluations
    .filter((e, j) => step.evaluations.indexOf(e) !== j)
    .map((e) => ({ key: 'evaluations', message: `evaluation '${e}' is listed twice; list each once` }));
  const refStep = step.reference && step.reference !== 'none' ? step.reference.split(':')[0] : undefined;
  if (refStep !== undefined && !step.evaluations.includes(refStep)) {
    problems.push({
      key: 'reference',
      message: `'${step.reference}' names step '${refStep}', which is not one of this step's evaluations (${step.evaluations.join(', ')})${didYouMeanSuffix(refStep, step.evaluations)}`,
    });
  }
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
export function validateConfig(raw: unknown, file: string, baseDir: string, lineOf: LineOf = () => undefined): LoadedConfig {
  const result = experimentConfig.safeParse(raw);
  if (!result.success) {
    const lines = issueLines(result.error.issues, experimentConfig, raw, lineOf);
    throw new InvalidConfig(`${file}: invalid experiment config (${lines.length} problem${lines.length === 1 ? '' : 's'})`, lines);
  }
  const problems = checkSteps(result.data.steps, lineOf);
  if (problems.length) throw new InvalidConfig(`${file}: invalid experiment config`, problems);
  // Every step gets an explicit seed, so the resolved config (and each cache key) says which one ran.
  const seeded = {
    ...result.data,
    steps: result.data.steps.map((s) =>
      s.kind === 'encode' || s.kind === 'report' ? s : { ...s, seed: s.seed ?? (s.kind === 'data' ? dataSeed(result.data.seed, s.name) : result.data.seed) }),
  };
  const config = resolvePaths({ ...seeded, steps: resolveAutoExport(seeded.steps) }, baseDir);
  return { config, hash: hashJson(config), file };
}

/**
 * A data step's default seed: drawn from the experiment's seed and the step's name, so two
 * populations of one experiment (resumes and survey) are independent draws, not the same
 * persons under two labels; the resolved config shows the number.
 */
export function dataSeed(experimentSeed: number, stepName: string): number {
  return createHash('sha256').update(`${experimentSeed}\0${stepName}`).digest().readUInt32BE(0) >>> 1;
}

export function loadConfig(path: string): LoadedConfig {
  const file = resolve(path);
  const parsed = parseFile(file);
  const fragments: ParsedFile[] = [];
  const merged = withExtends(parsed, [], fragments);
  return validateConfig(merged, file, dirname(file), locate(parsed, fragments));
}

/**
 * Where a key path is set: in the config itself, else in the fragment whose value wins the merge
 * (named, since the config's own lines would point at the wrong file).
 */
function locate(config: ParsedFile, fragments: ParsedFile[]): LineOf {
  const has = (value: unknown, path: (string | number)[]) => {
    let v = value;
    for (const k of path) {
      if (!v || typeof v !== 'object' || !(k in v)) return false;
      v = (v as Record<string | number, unknown>)[k];
    }
    return true;
  };
  return (path) => {
    if (has(config.value, path)) return config.lineOf(path);
    const fragment = fragments.findLast((f) => has(f.value, path));
    const line = fragment?.lineOf(path);
    return fragment && line ? `${basename(fragment.file)} line ${line}` : config.lineOf(path);
  };
}
