/**
 * `export: auto` resolves to `none` for a finetune step that no ONNX scorer of the experiment
 * reads, and stays `auto` (the trainer's `onnx`) for one that is read, so its cache key is unchanged.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load';
import type { FinetuneStepConfig } from '../../lib/config/schema';

const INIT = 'base: {init: {layers: 1, hidden: 32, heads: 2, vocabSize: 512}}';

function exports(steps: string): Record<string, string> {
  const file = join(mkdtempSync(join(tmpdir(), 'labor-llm-export-')), 'x.yaml');
  writeFileSync(file, `schemaVersion: 1\nname: x\nsteps:\n  - {name: d, kind: data, source: synthetic, population: survey, persons: 20}\n  - {name: t, kind: encode, input: d}\n${steps}`);
  const finetunes = loadConfig(file).config.steps.filter((s): s is FinetuneStepConfig => s.kind === 'finetune');
  return Object.fromEntries(finetunes.map((s) => [s.name, s.export]));
}

const ft = (name: string, base = INIT, more = '') => `  - {name: ${name}, kind: finetune, data: t, ${base}${more}}\n`;
const ev = (name: string, model: string, scorer = '{}') => `  - {name: ${name}, kind: evaluate, data: t, model: ${model}, scorer: ${scorer}}\n`;

it('a model only used as a base, or scored by torch only, is not exported to ONNX', () => {
  expect(exports(ft('foundation') + ft('tuned', 'base: {step: foundation}') + ev('e', 'tuned'))).toEqual({ foundation: 'none', tuned: 'auto' });
  expect(exports(ft('m') + ev('e', 'm', '{backend: torch}'))).toEqual({ m: 'none' });
  expect(exports(ft('m') + ev('a', 'm', '{backend: torch}') + ev('b', 'm'))).toEqual({ m: 'auto' });
});

it('an analysis that samples careers through ONNX reads the evaluated model', () => {
  const torchEval = ft('m') + ev('e', 'm', '{backend: torch}');
  const analyze = (backend: string) => `  - {name: a, kind: analyze, evaluations: [e], trajectories: {scorer: {backend: ${backend}}}}\n`;
  expect(exports(torchEval + analyze('onnx'))).toEqual({ m: 'auto' });
  expect(exports(torchEval + analyze('torch'))).toEqual({ m: 'none' });
});

it('careers sampled through ONNX from a model with export: none are a config error', () => {
  const steps = ft('m', INIT, ', export: none') + ev('e', 'm', '{backend: torch}') + `  - {name: a, kind: analyze, evaluations: [e], trajectories: {}}\n`;
  expect(() => exports(steps)).toThrow(/steps\[4\]\.trajectories \(line 8\): careers are sampled through the ONNX scorer, but step 'm' \(evaluated by 'e'\) has export: none/);
});

it('an explicit choice stands', () => {
  expect(exports(ft('m', INIT, ', export: onnx') + ev('e', 'm', '{backend: torch}'))).toEqual({ m: 'onnx' });
  expect(exports(ft('m', INIT, ', export: none') + ev('e', 'm', '{backend: torch}'))).toEqual({ m: 'none' });
});
