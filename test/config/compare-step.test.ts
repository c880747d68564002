/**
 * The compare step's config: its reference names a model as `step:model`, and the step part is
 * checked at load against the step's own evaluations (the model part only at run time, once the
 * evaluations say which models they have).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load';
import { InvalidConfig } from '../../lib/errors';

const dir = mkdtempSync(join(tmpdir(), 'labor-llm-compare-config-'));

function config(name: string, compare: string, evaluations = '[eval-a, eval-b]'): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `schemaVersion: 1\nname: ${name}\nsteps:\n` +
      '  - {name: d, kind: data, source: synthetic, population: survey, persons: 5}\n' +
      '  - {name: t, kind: encode, input: d}\n' +
      '  - {name: eval-a, kind: evaluate, data: t, model: {path: /nowhere/a}}\n' +
      '  - {name: eval-b, kind: evaluate, data: t, model: {path: /nowhere/b}}\n' +
      `  - {name: cmp, kind: compare, evaluations: ${evaluations}${compare}}\n`,
  );
  return file;
}

const problems = (name: string, compare: string, evaluations?: string): string[] => {
  try {
    loadConfig(config(name, compare, evaluations));
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidConfig);
    return (err as Error).message.split('\n').slice(1).map((l) => l.replace(/^\s*- /, ''));
  }
  throw new Error(`${name}: expected an InvalidConfig`);
};

describe('compare step config', () => {
  it('resolves defaults: bootstrap 200, the experiment seed, no reference (the first evaluation\'s model)', () => {
    const step = loadConfig(config('ok', '')).config.steps[4];
    expect(step).toEqual({ kind: 'compare', name: 'cmp', evaluations: ['eval-a', 'eval-b'], bootstrap: 200, seed: 0 });
    const chosen = loadConfig(config('chosen', ', reference: eval-b:markov, bootstrap: 0')).config.steps[4];
    expect(chosen).toMatchObject({ reference: 'eval-b:markov', bootstrap: 0 });
    expect(loadConfig(config('none', ', reference: none')).config.steps[4]).toMatchObject({ reference: 'none' });
  });

  it('a reference naming a step that is not one of its evaluations is refused at load, with the line and a suggestion', () => {
    expect(problems('unknown-step', ', reference: eval-c:model')).toEqual([
      "steps[4].reference (line 8): 'eval-c:model' names step 'eval-c', which is not one of this step's evaluations (eval-a, eval-b) (did you mean 'eval-a'?)",
    ]);
  });

  it('a reference not of the form step:model is refused, saying the form', () => {
    const [line] = problems('no-colon', ', reference: markov');
    expect(line).toMatch(/^steps\[4\]\.reference \(line 8\): expected 'step:model' .* or 'none', found 'markov'$/);
  });

  it('an evaluation listed twice is refused (its rows would share names)', () => {
    expect(problems('twice', '', '[eval-a, eval-a]').join('\n')).toContain("evaluation 'eval-a' is listed twice");
  });

  it('evaluations must be evaluate steps', () => {
    expect(problems('wrong-kind', '', '[t]').join('\n')).toContain("step 't' is a encode step; expected evaluate");
  });
});
