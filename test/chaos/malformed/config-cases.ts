/**
 * Malformed experiment configs from a seeded mutator over the valid fixtures: YAML syntax
 * errors, wrong types, unknown keys, bad step references, unknown kinds and enum values, missing
 * and out-of-range values, broken `extends`. Each case knows the key path or line it broke.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { pick, type MalformedCase } from './case';

const FIXTURES = ['test/fixtures/configs/tiny.yaml', 'experiments/quickstart.yaml'].map((f) => resolve(f));

type Path = (string | number)[];

/** `steps[1].base.init` as the config loader prints key paths. */
const formatPath = (p: Path) => p.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : k), '');

/** Every scalar leaf of a document, with its path. */
function leaves(node: unknown, path: Path = []): { path: Path; value: unknown }[] {
  if (isMap(node)) return node.items.flatMap((p) => leaves(p.value, [...path, String((p.key as { value: unknown }).value)]));
  if (isSeq(node)) return node.items.flatMap((n, i) => leaves(n, [...path, i]));
  if (isScalar(node)) return [{ path, value: node.value }];
  return [];
}

function lineOf(doc: Document, text: string, path: Path): number | undefined {
  const lc = new LineCounter();
  const again = parseDocument(text, { lineCounter: lc });
  const node = again.getIn(path, true) as Node | undefined;
  return node?.range ? lc.linePos(node.range[0]).line : undefined;
}

interface Mutation {
  what: string;
  /** Key paths (formatted) that name the problem. */
  keys?: string[];
  line?: number;
  /** Tolerance for a YAML parser's line (an error may be reported on the next line). */
  near?: number;
  /** Lines from `line` to the end of the file (a string that may legally span lines). */
  toEnd?: boolean;
  /** The file the message must name, when not the config itself. */
  file?: string;
  text: string;
}

const stepPaths = (doc: Document) => ((doc.get('steps') as { items: unknown[] }).items ?? []).map((_, i) => i);
const kindOf = (doc: Document, i: number) => String(doc.getIn(['steps', i, 'kind']));

/** Semantic mutations of the parsed document; each returns undefined when it does not apply. */
const SEMANTIC: ((doc: Document, r: () => number) => { what: string; path: Path; keys?: string[] } | undefined)[] = [
  // Wrong type of a leaf.
  (doc, r) => {
    const skip = /heartbeat|^step$|template|description|datasetName/;
    const leaf = pick(r, leaves(doc.contents).filter((l) => !skip.test(String(l.path.at(-1)))));
    const value = typeof leaf.value === 'number' ? pick(r, ['abc', 'ten', 'true']) : typeof leaf.value === 'string' ? pick(r, [42, [1, 2]]) : 'x';
    doc.setIn(leaf.path, value);
    return { what: `${formatPath(leaf.path)} set to ${JSON.stringify(value)}`, path: leaf.path };
  },
  // Unknown key: a misspelling of a key present, or a stranger, at the top level or in a step.
  (doc, r) => {
    const steps = stepPaths(doc);
    const where: Path = r() < 0.4 ? [] : ['steps', pick(r, steps)];
    const existing = leaves(where.length ? doc.getIn(where) : doc.contents).map((l) => String(l.path[0]));
    const key = r() < 0.6 ? `${pick(r, existing)}${pick(r, ['z', 's', 'x'])}` : pick(r, ['colour', 'epoch_count', 'outputDir', 'gpu']);
    if (where.length) doc.setIn([...where, key], 1);
    else doc.set(key, 1);
    return { what: `unknown key '${key}' ${where.length ? `in ${formatPath(where)}` : 'at the top level'}`, path: [...where, key], keys: [key] };
  },
  // A reference to a step that does not exist (or comes later).
  (doc, r) => {
    const refs = stepPaths(doc).flatMap((i) => (['input', 'data', 'model'] as const).filter((k) => typeof doc.getIn(['steps', i, k]) === 'string').map((k) => ['steps', i, k] as Path));
    if (!refs.length) return undefined;
    const path = pick(r, refs);
    const value = pick(r, ['no-such-step', 'surveyy', String(doc.getIn(['steps', stepPaths(doc).length - 1, 'name']))]);
    doc.setIn(path, value);
    return { what: `${formatPath(path)} refers to '${value}'`, path };
  },
  // Unknown kind or enum value.
  (doc, r) => {
    const i = pick(r, stepPaths(doc));
    const options: Record<string, [string, string][]> = {
      data: [['kind', 'teleport'], ['source', 'telepathy'], ['population', 'martians']],
      encode: [['kind', 'decode']],
      finetune: [['provider', 'cloud'], ['method', 'qlora'], ['precision', 'fp8'], ['device', 'tpu'], ['kind', 'fine-tune']],
      evaluate: [['split', 'holdout'], ['kind', 'evaluation']],
    };
    const [key, value] = pick(r, options[kindOf(doc, i)] ?? [['kind', 'teleport']]);
    doc.setIn(['steps', i, key], value);
    return { what: `steps[${i}].${key}: '${value}'`, path: ['steps', i, key] };
  },
  // A required key removed.
  (doc, r) => {
    const candidates: Path[] = [['schemaVersion'], ['name'], ['steps'], ...stepPaths(doc).flatMap((i) => [['steps', i, 'name'], ...(['persons', 'input', 'data', 'base', 'model'].filter((k) => doc.hasIn(['steps', i, k])).map((k) => ['steps', i, k]))] as Path[])];
    const path = pick(r, candidates);
    doc.deleteIn(path);
    return { what: `${formatPath(path)} removed`, path, keys: [formatPath(path), String(path.at(-1))] };
  },
  // A value out of range.
  (doc, r) => {
    const nums = leaves(doc.contents).filter((l) => typeof l.value === 'number' && !/^(seed|firstYear|lastYear|biennialAfter)$/.test(String(l.path.at(-1))));
    const leaf = pick(r, nums);
    const value = leaf.path.at(-1) === 'schemaVersion' ? 2 : pick(r, [-3, 0, 2.5]);
    if (value === 2.5 && /learningRate|alpha|dropout/.test(String(leaf.path.at(-1)))) return undefined;
    doc.setIn(leaf.path, value);
    return { what: `${formatPath(leaf.path)} set to ${value}`, path: leaf.path };
  },
  // Two steps with one name.
  (doc) => {
    const n = stepPaths(doc).length;
    doc.setIn(['steps', n - 1, 'name'], doc.getIn(['steps', 0, 'name']));
    return { what: `steps[${n - 1}].name duplicates steps[0]`, path: ['steps', n - 1, 'name'] };
  },
];

/** Text-level mutations: YAML that does not parse, or is not a mapping. */
function syntax(text: string, r: () => number): Mutation {
  const lines = text.split('\n');
  const content = lines.map((l, i) => ({ l, i })).filter(({ l }) => l.trim() && !l.trim().startsWith('#'));
  const at = pick(r, content.slice(1)).i;
  const kind = Math.floor(r() * 7);
  const insert = (line: string, what: string): Mutation => {
    lines.splice(at, 0, line);
    return { what, line: at + 1, near: 2, text: lines.join('\n') };
  };
  switch (kind) {
    case 0:
      return insert(`${lines[at].match(/^\s*/)![0]}bad: [unclosed, list`, 'unclosed flow sequence');
    case 1:
      // A double-quoted string may span lines: a parser can only tell at the end of the file.
      return { ...insert(`${lines[at].match(/^\s*/)![0]}note: "unterminated`, 'unterminated quoted string'), near: 0, toEnd: true };
    case 2:
      lines[at] = `\t${lines[at].trimStart()}`;
      return { what: 'a tab for indentation', line: at + 1, near: 1, text: lines.join('\n') };
    case 3:
      return insert(`${lines[at].match(/^\s*/)![0]}: value without a key`, 'a value without a key');
    case 4: {
      const top = content.filter(({ l }) => /^[a-zA-Z]\w*:/.test(l));
      const dup = pick(r, top);
      lines.push(dup.l);
      return { what: `duplicate top-level key '${dup.l.split(':')[0]}'`, line: lines.length, near: 1, text: lines.join('\n') };
    }
    case 5:
      return { what: 'empty file', text: '' };
    default:
      return { what: 'a list at the top level', text: '- schemaVersion: 1\n- name: x\n' };
  }
}

/** `n` cases in `dir`, each a broken config checked by `validate` or (every third) `run`. */
export function configCases(dir: string, n: number, r: () => number): MalformedCase[] {
  const cases: MalformedCase[] = [];
  for (let k = 0; cases.length < n; k++) {
    const fixture = pick(r, FIXTURES);
    const source = readFileSync(fixture, 'utf8');
    const file = join(dir, `config-${String(k).padStart(3, '0')}.yaml`);
    let m: Mutation | undefined;
    const roll = r();
    if (roll < 0.2) m = syntax(source, r);
    else if (roll < 0.27) m = extendsCase(dir, k, source, r);
    else {
      const doc = parseDocument(source);
      const s = pick(r, SEMANTIC)(doc, r);
      if (!s) continue;
      const text = doc.toString();
      m = { what: s.what, keys: s.keys ?? [formatPath(s.path)], line: lineOf(doc, text, s.path), text };
    }
    if (!m) continue;
    writeFileSync(file, m.text);
    const near = m.near ?? 0;
    const last = m.toEnd ? m.text.split('\n').length + 1 : m.line! + near;
    const lines = m.line === undefined ? undefined : Array.from({ length: last - m.line + near + 1 }, (_, i) => m!.line! - near + i);
    cases.push({
      what: `config (${basename(fixture)}): ${m.what}`,
      args: k % 3 === 2 ? ['run', file] : ['validate', file],
      file: m.file ?? basename(file),
      lines,
      keys: m.keys,
    });
  }
  return cases;
}

/** `extends:` a fragment that is missing, or itself broken. */
function extendsCase(dir: string, k: number, source: string, r: () => number): Mutation {
  const fragment = `fragment-${String(k).padStart(3, '0')}.yaml`;
  if (r() < 0.4) {
    return { what: `extends a missing file ${fragment}`, keys: ['extends'], line: 1, text: `extends: ${fragment}\n${source}` };
  }
  const broken = pick(r, [
    { text: 'schemaVersion: 1\nseed: 11\nsede: 3\n', line: 3, key: 'sede' },
    { text: 'schemaVersion: 1\nseed: eleven\n', line: 2, key: 'seed' },
    { text: 'schemaVersion: 1\ntimeouts: { heartbeat: soon }\n', line: 2, key: 'timeouts.heartbeat' },
  ]);
  writeFileSync(join(dir, fragment), broken.text);
  // The fragment's keys must reach the merged config: the config's own copies are removed.
  const own = source.replace(/^(seed|schemaVersion|timeouts):.*$/gm, '');
  return { what: `extends a broken fragment ${fragment}`, keys: [broken.key], line: broken.line, file: fragment, text: `extends: ${fragment}\n${own}` };
}
