/**
 * Caches cannot serve artifacts of older code: step-code.json must match every step kind's code
 * closure (else: run `npm run step-code:update`, which bumps the changed kinds' versions), the
 * closures hold what each kind runs, and a version bump changes the kind's cache keys.
 */
import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../lib/artifacts/store';
import { PROJECT_ROOT } from '../../lib/env';
import type { StepConfig, StepKind } from '../../lib/config/schema';
import { codeDigest, STEP_ENTRIES, stepClosure, type Closure } from '../../activities/run/code-closure';
import { changedFiles, readStepCode, updatedStepCode } from '../../activities/run/step-code';
import { stepCacheKey } from '../../activities/run/resolve-step';

const kinds = Object.keys(STEP_ENTRIES) as StepKind[];
const closures = Object.fromEntries(kinds.map((k) => [k, stepClosure(PROJECT_ROOT, k)])) as Record<StepKind, Closure>;

describe('step code versions', () => {
  it.each(kinds)('%s: activities/run/step-code.json matches its code closure', (kind) => {
    const record = readStepCode().kinds[kind];
    if (record?.sha256 !== closures[kind].sha256) {
      expect.fail(
        `step kind '${kind}': its code changed since activities/run/step-code.json was written: ` +
          `${changedFiles(record, closures[kind]).join(', ')}. Run \`npm run step-code:update\` ` +
          `(it bumps the kind's version, so artifacts of the old code are rebuilt) and commit the file.`,
      );
    }
  });

  it('closures hold the thread tasks, workflows, trainer and npm packages each kind runs, and not the other kinds\' code', () => {
    const files = (k: StepKind) => Object.keys(closures[k].files);
    expect(files('data')).toEqual(expect.arrayContaining(['activities/data/prepare-data.ts', 'activities/data/panel-tasks.ts', 'lib/synth/generate.ts', 'npm:apache-arrow']));
    expect(files('data').filter((f) => f.startsWith('lib/text/') || f.startsWith('lib/lm/'))).toEqual([]);
    expect(files('encode')).toEqual(expect.arrayContaining(['activities/data/encode-tasks.ts', 'lib/text/encode.ts']));
    expect(files('encode').filter((f) => f.startsWith('lib/synth/'))).toEqual([]);
    // points.ts is imported dynamically; evaluate-tasks.ts is loaded into a thread by URL.
    expect(files('evaluate')).toEqual(expect.arrayContaining([
      'activities/evaluate/points.ts', 'activities/evaluate/evaluate-tasks.ts', 'workflows/evaluate.ts', 'lib/lm/fast-scorer.ts', 'npm:onnxruntime-node',
    ]));
    expect(files('finetune')).toEqual(expect.arrayContaining([
      'activities/finetune/training-spec.ts', 'workflows/fine-tune.ts', 'trainer/labor_trainer/train.py', 'trainer/requirements.txt',
    ]));
    // Type-only imports are not code that runs.
    expect(files('data')).not.toContain('temporal/run-types.ts');
    expect(files('analyze')).toEqual(expect.arrayContaining(['activities/analysis/analyze-tasks.ts', 'lib/analysis/one-step.ts']));
    // The report loads its renderer (and vega) dynamically: still its code.
    expect(files('report')).toEqual(expect.arrayContaining(['lib/report/render.ts', 'lib/compare/compare-evaluations.ts', 'npm:vega-lite']));
    for (const k of kinds) {
      const npm = Object.entries(closures[k].files).filter(([f]) => f.startsWith('npm:'));
      expect(npm.length, k).toBeGreaterThan(0);
      for (const [, version] of npm) expect(version).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  it('a digest ignores comments, types and layout, and sees any change to the code', () => {
    const base = codeDigest('a.ts', 'export function f(x: number): number {\n  return x + 1;\n}\n');
    expect(codeDigest('a.ts', '/** adds one */\nexport function f(x: number): number { return x + 1; } // why\n')).toBe(base);
    expect(codeDigest('a.ts', 'export function f(x: bigint | number): number {\n  return x + 1;\n}\n')).toBe(base);
    expect(codeDigest('a.ts', 'export function f(x: number): number {\n  return x + 2;\n}\n')).not.toBe(base);
    expect(codeDigest('a.py', 'x = 1\n')).not.toBe(codeDigest('a.py', 'x = 1  # comment\n'));
  });

  it('an update bumps the version of each changed kind only, unless kept, and a new version changes the cache key', () => {
    const current = updatedStepCode(undefined, closures).code;
    expect(Object.values(current.kinds).map((r) => r.version)).toEqual(kinds.map(() => 1));
    const changed: Record<StepKind, Closure> = {
      ...closures,
      evaluate: { sha256: 'x', files: { ...closures.evaluate.files, 'lib/lm/fast-scorer.ts': '0000000000000000' } },
      finetune: { sha256: 'y', files: closures.finetune.files },
    };
    const { code, bumped } = updatedStepCode(current, changed, ['finetune']);
    expect(bumped).toEqual(['evaluate']);
    expect(code.kinds.evaluate).toMatchObject({ version: 2, sha256: 'x' });
    expect(code.kinds.finetune).toMatchObject({ version: 1, sha256: 'y' });
    expect(code.kinds.data).toEqual(current.kinds.data);
    expect(changedFiles(current.kinds.evaluate, changed.evaluate)).toEqual(['lib/lm/fast-scorer.ts (changed)']);

    // The cache key carries the recorded version.
    const step = { kind: 'encode', name: 't', input: 'survey', template: { name: 'resume' } } as StepConfig;
    const { name: _n, ...config } = step;
    const key = (version: number) => cacheKey({ kind: 'encode', version, config, inputs: { input: 'abc' } });
    expect(stepCacheKey(step, { input: { sha256: 'abc' } }, 'x')).toBe(key(readStepCode().kinds.encode.version));
    expect(key(readStepCode().kinds.encode.version + 1)).not.toBe(key(readStepCode().kinds.encode.version));
  });
});
