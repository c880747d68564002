/**
 * Every shipped experiment under experiments/ (recursively) validates. Files in a `fragments/`
 * folder are not experiments: they are the `extends:` parts the experiments are made of, checked
 * through them, and each must be used by at least one experiment. The paper's matrix is complete.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../lib/config/load';
import type { EvaluateStepConfig, FinetuneStepConfig, StepConfig } from '../../lib/config/schema';

const ROOT = resolve('experiments');
const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : []));
const isFragment = (file: string) => relative(ROOT, file).split('/').includes('fragments');
const files = walk(ROOT);
const experiments = files.filter((f) => !isFragment(f));
const fragments = files.filter(isFragment);

/** The fragments a config extends, directly or through other fragments. */
function extendsOf(file: string): string[] {
  const ext = (parse(readFileSync(file, 'utf8')) as { extends?: string | string[] }).extends;
  return (ext === undefined ? [] : Array.isArray(ext) ? ext : [ext]).flatMap((p) => {
    const f = resolve(dirname(file), p);
    return [f, ...extendsOf(f)];
  });
}

describe('shipped experiments', () => {
  for (const file of experiments) {
    it(`${relative(ROOT, file)} validates`, () => {
      const { config } = loadConfig(file);
      expect(config.steps.length).toBeGreaterThan(0);
    });
  }

  it('every fragment is used by an experiment', () => {
    const used = new Set(experiments.flatMap(extendsOf));
    expect(fragments.length).toBeGreaterThan(0);
    expect(fragments.filter((f) => !used.has(f)).map((f) => relative(ROOT, f))).toEqual([]);
  });

  it("the paper's matrix: NLSY79, NLSY97, PSID x Llama-2 7B, 13B x full, LoRA x titles, codes; Slurm training, CUDA scoring", () => {
    const cells = experiments.filter((f) => relative(ROOT, f).startsWith('paper/')).map((f) => {
      const steps = loadConfig(f).config.steps;
      const of = <K extends StepConfig['kind']>(kind: K) => steps.find((s) => s.kind === kind) as Extract<StepConfig, { kind: K }>;
      const data = of('data') as { datasetName?: string };
      const model = of('finetune') as FinetuneStepConfig;
      const evaluate = of('evaluate') as EvaluateStepConfig;
      expect(model).toMatchObject({ provider: 'slurm', device: 'cuda', precision: 'bf16' });
      expect(evaluate.scorer).toMatchObject({ backend: 'torch', device: 'cuda', dtype: 'bf16' });
      const base = 'path' in model.base ? model.base.path : '';
      return [data.datasetName, /13b/i.test(base) ? '13b' : '7b', model.method, of('encode').template.name].join(' ');
    });
    const expected = ['NLSY79', 'NLSY97', 'PSID'].flatMap((d) => ['7b', '13b'].flatMap((s) => ['full', 'lora'].flatMap((m) => ['resume', 'resume-codes'].map((t) => `${d} ${s} ${m} ${t}`))));
    expect([...cells].sort()).toEqual([...expected].sort());
  });
});
