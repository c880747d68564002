/**
 * Config errors a person can act on: the bad value with the accepted ones, keys suggested only
 * from the level they stand at, the forms a union takes. Exact lines, file name stripped.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load';
import { InvalidConfig } from '../../lib/errors';

const dir = mkdtempSync(join(tmpdir(), 'labor-llm-messages-'));
const HEAD = 'schemaVersion: 1\nname: x\n';
const DATA = '  - {name: d, kind: data, source: synthetic, population: survey, persons: 5}\n';
const INIT = 'base: {init: {layers: 1, hidden: 8, heads: 2}}';

/** The problem lines of loading this YAML (without the "  - " bullets). */
function problems(name: string, yaml: string): string[] {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  try {
    loadConfig(file);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidConfig);
    const [head, ...lines] = (err as Error).message.split('\n');
    expect(head).toContain(file);
    return lines.map((l) => l.replace(/^\s*- /, ''));
  }
  throw new Error(`${name}: expected an InvalidConfig`);
}

describe('unknown values name the value and the accepted ones', () => {
  it('step kind', () => {
    expect(problems('kind', `${HEAD}steps:\n  - name: a\n    kind: teleport\n`)).toEqual([
      "steps[0].kind (line 5): unknown step kind 'teleport'; expected one of data, encode, finetune, fit, evaluate, analyze, report, compare",
    ]);
  });

  it('a missing step kind', () => {
    expect(problems('no-kind', `${HEAD}steps:\n  - name: a\n`)).toEqual([
      'steps[0].kind (line 4): missing step kind; expected one of data, encode, finetune, fit, evaluate, analyze, report, compare',
    ]);
  });

  it('data source', () => {
    expect(problems('source', `${HEAD}steps:\n  - {name: d, kind: data, source: sql, population: survey, persons: 5}\n`)).toEqual([
      "steps[0].source (line 4): unknown step source 'sql'; expected one of synthetic, career, table",
    ]);
  });

  it('provider', () => {
    expect(problems('provider', `${HEAD}steps:\n${DATA}  - {name: f, kind: finetune, data: d, provider: aws, ${INIT}}\n`)).toEqual([
      "steps[1].provider (line 5): unknown provider 'aws'; expected one of local, slurm",
    ]);
  });

  it('scorer kind and baselines', () => {
    expect(problems('scorer', `${HEAD}steps:\n${DATA}  - {name: e, kind: evaluate, data: d, model: d, scorer: {kind: turbo}, baselines: [markov, lstm]}\n`)).toEqual([
      "steps[1].scorer.kind (line 5): unknown scorer kind 'turbo'; expected one of fast, naive",
      "steps[1].baselines[1] (line 5): unknown baseline 'lstm'; expected one of marginal, markov, markov2, markov-gap",
    ]);
  });

  it('text template (checked against the registry)', () => {
    expect(problems('template', `${HEAD}steps:\n${DATA}  - {name: t, kind: encode, input: d, template: resum}\n`)).toEqual([
      "steps[1].template (line 5): unknown text template 'resum'; did you mean 'resume'? (known: resume, resume-codes, resume-no-birth-year, resume-no-education)",
    ]);
  });

  it('a single accepted value', () => {
    expect(problems('schema-version', `schemaVersion: 2\nname: x\nsteps:\n${DATA}`)).toEqual(['schemaVersion (line 1): expected 1, found 2']);
  });
});

describe('unions say which forms they accept', () => {
  it('lists the forms when none fits', () => {
    expect(problems('base', `${HEAD}steps:\n${DATA}  - {name: f, kind: finetune, data: d, base: {foo: 1}}\n`)).toEqual([
      "steps[1].base (line 5): expected a mapping with key 'init', or a mapping with key 'path', or a mapping with key 'step'; found a mapping with key 'foo'",
    ]);
    expect(problems('model', `${HEAD}steps:\n${DATA}  - {name: e, kind: evaluate, data: d, model: 5}\n`)).toEqual([
      "steps[1].model (line 5): expected the name of an earlier step, or a mapping with key 'path'; found 5",
    ]);
  });

  it('reports the problems of the only form of the value’s type', () => {
    expect(problems('template-key', `${HEAD}steps:\n${DATA}  - {name: t, kind: encode, input: d, template: {name: resume, versio: 1}}\n`)).toEqual([
      "steps[1].template (line 5): unknown key 'versio' (did you mean 'version'?)",
    ]);
  });

  it('reports the inner problem of the one form that fits', () => {
    const yaml = `${HEAD}steps:\n${DATA}  - {name: f, kind: finetune, data: d, base: {init: {architecture: gpt, layers: 1, hidden: 8, heads: 2}}}\n`;
    expect(problems('arch', yaml)).toEqual(["steps[1].base.init.architecture (line 5): expected 'llama', found 'gpt'"]);
  });
});

describe('unknown keys', () => {
  it('suggests a key of the same level', () => {
    expect(problems('stepz', `${HEAD}stepz:\n${DATA}`)).toEqual([
      "steps: missing required key 'steps' (expected array)",
      "(top level) (line 3): unknown key 'stepz' (did you mean 'steps'?)",
    ]);
  });

  it('never suggests the key itself; says where it belongs instead', () => {
    expect(problems('epochs', `${HEAD}epochs: 3\nsteps:\n${DATA}`)).toEqual([
      "(top level) (line 3): unknown key 'epochs'; 'epochs' is a key of finetune steps, 'career' in fit steps, not of the experiment; " +
        'expected one of schemaVersion, name, description, seed, timeouts, steps',
    ]);
  });

  it('inside a step, uses that step kind’s keys', () => {
    const [line] = problems('shards', `${HEAD}steps:\n${DATA}  - {name: f, kind: finetune, data: d, shards: 2, ${INIT}}\n`);
    expect(line).toMatch(/^steps\[1\] \(line 5\): unknown key 'shards'; 'shards' is a key of evaluate steps, not of finetune steps; expected one of kind, name, data, /);
    expect(line).not.toMatch(/persons|population|topK/);
    expect(problems('lr', `${HEAD}steps:\n${DATA}  - {name: f, kind: finetune, data: d, learnRate: 0.1, ${INIT}}\n`)).toEqual([
      "steps[1] (line 5): unknown key 'learnRate' (did you mean 'learningRate'?)",
    ]);
  });

  it('in a nested mapping, uses its keys', () => {
    expect(problems('lora', `${HEAD}steps:\n${DATA}  - {name: f, kind: finetune, data: d, lora: {rank: 4}, ${INIT}}\n`)).toEqual([
      "steps[1].lora (line 5): unknown key 'rank'; expected one of r, alpha, dropout, targetModules, merge",
    ]);
  });
});

describe('other problems', () => {
  it('a missing key and a wrong type', () => {
    expect(problems('types', `${HEAD}steps:\n  - {name: d, kind: data, source: synthetic, persons: many}\n`)).toEqual([
      "steps[0].population (line 4): missing population; expected one of resume, survey",
      "steps[0].persons (line 4): expected number, found 'many'",
    ]);
  });
});
