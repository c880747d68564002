import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataSeed, loadConfig } from '../../lib/config/load';
import { InvalidConfig } from '../../lib/errors';

const dir = mkdtempSync(join(tmpdir(), 'labor-llm-config-'));
function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
function errorOf(fn: () => unknown): InvalidConfig {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidConfig);
    return err as InvalidConfig;
  }
  throw new Error('expected an InvalidConfig');
}

describe('loadConfig', () => {
  it('applies defaults, fills seeds and resolves paths', () => {
    const { config, hash } = loadConfig('test/fixtures/configs/tiny.yaml');
    // A data step's seed is drawn from the experiment's (3) and its name; other steps take the experiment's.
    expect(config.steps[0]).toMatchObject({ kind: 'data', seed: dataSeed(3, 'survey'), firstYear: 1980, splits: { train: 0.7, valid: 0.1, test: 0.2 } });
    expect(config.steps[1]).toMatchObject({ kind: 'encode', template: { name: 'resume' } });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes equal configs equally, whatever the key order', () => {
    const a = write('a.yaml', 'schemaVersion: 1\nname: x\nsteps:\n  - {name: d, kind: data, source: synthetic, population: survey, persons: 5}\n');
    const b = write('b.yaml', 'name: x\nsteps:\n  - {persons: 5, population: survey, source: synthetic, kind: data, name: d}\nschemaVersion: 1\n');
    const c = write('c.yaml', 'schemaVersion: 1\nname: x\nsteps:\n  - {name: d, kind: data, source: synthetic, population: survey, persons: 6}\n');
    expect(loadConfig(a).hash).toBe(loadConfig(b).hash);
    expect(loadConfig(a).hash).not.toBe(loadConfig(c).hash);
  });

  it('reports every problem at once with key path, line and a did-you-mean', () => {
    const file = write(
      'bad.yaml',
      [
        'schemaVersion: 1',
        'name: bad',
        'steps:',
        '  - name: d',
        '    kind: data',
        '    source: synthetic',
        '    population: survey',
        '    persns: 10',
        '  - name: t',
        '    kind: encode',
        '    input: d',
        '  - name: f',
        '    kind: finetune',
        '    data: t',
        '    base: { init: { layers: 1, hidden: 8, heads: 2 } }',
        '    learningRat: 0.1',
      ].join('\n'),
    );
    const err = errorOf(() => loadConfig(file));
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/steps\[0\] \(line 8\): unknown key 'persns' \(did you mean 'persons'\?\)/);
    expect(err.message).toMatch(/steps\[0\]\.persons.*expected number/);
    expect(err.message).toMatch(/steps\[2\] \(line 16\): unknown key 'learningRat' \(did you mean 'learningRate'\?\)/);
  });

  it('rejects references to missing or later steps, and of the wrong kind', () => {
    const file = write(
      'refs.yaml',
      'schemaVersion: 1\nname: r\nsteps:\n  - {name: t, kind: encode, input: survy}\n  - {name: survey, kind: data, source: synthetic, population: survey, persons: 5}\n  - {name: t2, kind: encode, input: t}\n',
    );
    const err = errorOf(() => loadConfig(file));
    expect(err.message).toContain("steps[0].input (line 4): 'survy' is not an earlier step");
    expect(err.message).toContain("steps[2].input (line 6): step 't' is a encode step; expected data");
  });

  it('an evaluation needs an ONNX model: a finetune step with export: none cannot be evaluated', () => {
    const file = write(
      'export-none.yaml',
      'schemaVersion: 1\nname: x\nsteps:\n  - {name: survey, kind: data, source: synthetic, population: survey, persons: 5}\n' +
        '  - {name: t, kind: encode, input: survey}\n' +
        '  - {name: ft, kind: finetune, data: t, base: {init: {layers: 1, hidden: 8, heads: 2}}, export: none}\n' +
        '  - {name: e, kind: evaluate, data: t, model: ft}\n',
    );
    expect(errorOf(() => loadConfig(file)).message).toContain("steps[3].model (line 7): step 'ft' has export: none, so it writes no ONNX model");
    // The torch scorer reads the HF weights, so it needs no export.
    writeFileSync(file, readFileSync(file, 'utf8').replace('model: ft}', 'model: ft, scorer: {backend: torch}}'));
    expect(loadConfig(file).config.steps[3]).toMatchObject({ scorer: { backend: 'torch' } });
  });

  it('an analysis compares evaluations of the same points; a report needs something to report', () => {
    const file = write(
      'analyze.yaml',
      'schemaVersion: 1\nname: a\nsteps:\n  - {name: survey, kind: data, source: synthetic, population: survey, persons: 5}\n' +
        '  - {name: t, kind: encode, input: survey}\n' +
        '  - {name: e1, kind: evaluate, data: t, model: {path: m}, maxPoints: 10}\n' +
        '  - {name: e2, kind: evaluate, data: t, model: {path: m}, split: valid}\n' +
        '  - {name: rep, kind: analyze, evaluations: [e1, e2, t]}\n' +
        '  - {name: html, kind: report}\n',
    );
    const err = errorOf(() => loadConfig(file));
    expect(err.message).toContain("steps[4].evaluations[2] (line 8): step 't' is a encode step; expected evaluate");
    expect(err.message).toContain("steps[4].evaluations (line 8): evaluations 'e1' and 'e2' differ in split ('test' vs 'valid')");
    expect(err.message).toContain("evaluations 'e1' and 'e2' differ in maxPoints ('10' vs 'all')");
    expect(err.message).toContain("steps[5].kind (line 9): a report step needs 'analysis' (an analyze step) or 'evaluations' (evaluate steps); found neither");
  });

  describe('a finetune step pooling several encode steps (data: [a, b])', () => {
    const head =
      'schemaVersion: 1\nname: p\nsteps:\n  - {name: survey, kind: data, source: synthetic, population: survey, persons: 5}\n' +
      '  - {name: later, kind: data, source: synthetic, population: survey, persons: 5}\n' +
      '  - {name: survey-text, kind: encode, input: survey}\n' +
      '  - {name: later-text, kind: encode, input: later}\n';
    const ft = (data: string) => `  - {name: ft, kind: finetune, data: ${data}, base: {init: {layers: 1, hidden: 8, heads: 2}}}\n`;

    it('loads a list in order; a one-name list is the name itself, with the same config hash', () => {
      const pooled = loadConfig(write('pooled.yaml', head + ft('[survey-text, later-text]')));
      expect(pooled.config.steps[4]).toMatchObject({ kind: 'finetune', data: ['survey-text', 'later-text'] });
      const one = loadConfig(write('pooled-one.yaml', head + ft('survey-text')));
      const listOfOne = loadConfig(write('pooled-list-of-one.yaml', head + ft('[survey-text]')));
      expect(listOfOne.config.steps[4]).toMatchObject({ data: 'survey-text' });
      expect(listOfOne.hash).toBe(one.hash);
      expect(pooled.hash).not.toBe(one.hash);
    });

    it('names the list entry of an unknown step, a step of another kind, a duplicate and another template', () => {
      const file = write(
        'pooled-bad.yaml',
        head +
          '  - {name: codes-text, kind: encode, input: later, template: resume-codes}\n' +
          '  - name: ft\n    kind: finetune\n    base: {init: {layers: 1, hidden: 8, heads: 2}}\n    data:\n' +
          '      - survey-text\n      - later-txt\n      - survey\n      - survey-text\n      - codes-text\n',
      );
      const err = errorOf(() => loadConfig(file));
      expect(err.message).toContain("steps[5].data[1] (line 14): 'later-txt' is not an earlier step (did you mean 'later-text'?)");
      expect(err.message).toContain("steps[5].data[2] (line 15): step 'survey' is a data step; expected encode");
      expect(err.message).toContain("steps[5].data[3] (line 16): 'survey-text' is listed twice (also data[0]); pool each encode step once");
      expect(err.message).toMatch(/steps\[5\]\.data\[4\] \(line 17\): step 'codes-text' encodes with template resume-codes@\d+, but 'survey-text' \(data\[0\]\) with resume@\d+; pooled texts must share one template/);
      expect(err.message).not.toContain('data[0] (line');
    });

    it('an empty list is a schema error at the key', () => {
      expect(errorOf(() => loadConfig(write('pooled-empty.yaml', head + ft('[]')))).message).toContain('steps[4].data (line 8): expected the name of an encode step or a non-empty list of them, found an empty list');
    });
  });

  it('merges extends: fragments, the including file winning', () => {
    const file = write('ext.yaml', `extends: ${resolve('test/fixtures/configs/base-fragment.yaml')}\nname: e\nsteps:\n  - {name: d, kind: data, source: synthetic, population: survey, persons: 5}\n`);
    const { config } = loadConfig(file);
    expect(config).toMatchObject({ seed: 11, description: 'shared settings', name: 'e' });
    expect(config.steps[0]).toMatchObject({ seed: dataSeed(11, 'd') });
  });

  it('extends: fragments contribute steps, merged by name (a later one overrides key by key, a new one is appended)', () => {
    const data = write('frag-data.yaml', 'steps:\n  - {name: d, kind: data, source: synthetic, population: survey, persons: 5}\n');
    const enc = write('frag-enc.yaml', 'steps:\n  - {name: t, kind: encode, input: d, template: resume}\n');
    const codes = write('frag-codes.yaml', 'steps:\n  - {name: t, template: resume-codes}\n  - {name: d, persons: 7}\n');
    const file = write('merged.yaml', `extends: [${data}, ${enc}, ${codes}]\nschemaVersion: 1\nname: m\n`);
    const { config } = loadConfig(file);
    expect(config.steps.map((s) => s.name)).toEqual(['d', 't']);
    expect(config.steps[0]).toMatchObject({ kind: 'data', persons: 7 });
    expect(config.steps[1]).toMatchObject({ kind: 'encode', input: 'd', template: { name: 'resume-codes' } });
  });

  it('names the file for missing files and broken YAML', () => {
    expect(errorOf(() => loadConfig(join(dir, 'nope.yaml'))).message).toContain('config file not found');
    const broken = write('broken.yaml', 'name: [unclosed\n');
    expect(errorOf(() => loadConfig(broken)).message).toMatch(/not valid YAML[\s\S]*line \d+: Flow sequence/);
  });

  it('configs cannot name unregistered generators', () => {
    const file = write('gen.yaml', 'schemaVersion: 1\nname: g\nsteps:\n  - {name: d, kind: data, source: synthetic, population: survey, persons: 5, generator: {name: evil, version: 1}}\n');
    expect(errorOf(() => loadConfig(file)).message).toContain('steps[0].generator.name');
  });
});
