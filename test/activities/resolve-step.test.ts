import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDeps } from '../../activities';
import { resolveStep, stepCacheKey } from '../../activities/run/resolve-step';
import { externalFingerprints } from '../../activities/run/fingerprint';
import { fingerprintPath } from '../../lib/artifacts/fingerprint-path';
import { DEFAULT_TAXONOMY_PATH } from '../../lib/panel/taxonomy';
import { readSettings } from '../../lib/env';
import type { StepConfig } from '../../lib/config/schema';

describe('resolveStep', () => {
  const home = mkdtempSync(join(tmpdir(), 'labor-llm-resolve-'));
  const deps = defaultDeps(readSettings({ LABOR_LLM_HOME: home }));
  const resolve = resolveStep(deps);
  const csv = join(home, 'extract.csv');
  const step = { kind: 'data', source: 'table', name: 'survey', path: csv, taxonomy: 'default', splits: { train: 0.7, valid: 0.1, test: 0.2 }, seed: 0 } as StepConfig;

  it('finds a cached output, and misses it once an imported file changes', async () => {
    writeFileSync(csv, 'person_id,year\n1,2000\n');
    const first = await resolve({ step, inputs: {}, noCache: false, experiment: 'x' });
    expect(first.cached).toBeNull();
    await deps.store.create('panel', first.key, (dir) => {
      writeFileSync(join(dir, 'x.txt'), 'panel');
      return { summary: { persons: 1 } };
    });
    const again = await resolve({ step, inputs: {}, noCache: false, experiment: 'x' });
    expect(again.key).toBe(first.key);
    expect(again.cached?.summary).toEqual({ persons: 1 });
    expect(await resolve({ step, inputs: {}, noCache: true, experiment: 'x' })).toMatchObject({ key: first.key, cached: null });

    writeFileSync(csv, 'person_id,year\n1,2001\n');
    const changed = await resolve({ step, inputs: {}, noCache: false, experiment: 'x' });
    expect(changed.key).not.toBe(first.key);
    expect(changed.cached).toBeNull();
  });

  it('keys do not depend on the step name, and do depend on input hashes', async () => {
    const a = await resolve({ step: { ...step, name: 'other' } as StepConfig, inputs: {}, noCache: false, experiment: 'x' });
    const b = await resolve({ step, inputs: {}, noCache: false, experiment: 'x' });
    expect(a.key).toBe(b.key);
    const encode = { kind: 'encode', name: 't', input: 'survey', template: { name: 'resume' } } as StepConfig;
    const ref = (sha256: string) => ({ input: { kind: 'panel', key: 'k', path: '/p', sha256 } });
    expect((await resolve({ step: encode, inputs: ref('a'), noCache: false, experiment: 'x' })).key).not.toBe((await resolve({ step: encode, inputs: ref('b'), noCache: false, experiment: 'x' })).key);
  });

  it('a damaged artifact is not served from the cache', async () => {
    writeFileSync(csv, 'person_id,year\n9,2000\n');
    const r = await resolve({ step, inputs: {}, noCache: false, experiment: 'x' });
    const ref = await deps.store.create('panel', r.key, (dir) => {
      writeFileSync(join(dir, 'x.txt'), 'panel');
      return {};
    });
    writeFileSync(join(ref.path, 'x.txt'), 'tampered');
    expect((await resolve({ step, inputs: {}, noCache: false, experiment: 'x' })).cached).toBeNull();
    // The step runs again (as the workflow does on a miss): its new version is served, the damaged one is left alone.
    const rebuilt = await deps.store.create('panel', r.key, (dir) => {
      writeFileSync(join(dir, 'x.txt'), 'panel');
      return {};
    });
    expect(rebuilt.path).not.toBe(ref.path);
    expect((await resolve({ step, inputs: {}, noCache: false, experiment: 'x' })).cached?.artifact).toEqual(rebuilt);
  });

  it('the default taxonomy\'s content is part of a data step\'s key', async () => {
    const synth = { kind: 'data', source: 'synthetic', name: 's', population: 'survey', persons: 10, taxonomy: 'default', splits: { train: 0.7, valid: 0.1, test: 0.2 }, seed: 0 } as StepConfig;
    // The real default taxonomy is what resolveStep fingerprints...
    const real = await externalFingerprints(synth);
    expect(real['file:taxonomy'].sha256).toBe(await fingerprintPath(DEFAULT_TAXONOMY_PATH));
    expect((await resolve({ step: synth, inputs: {}, noCache: false, experiment: 'x' })).key).toBe(stepCacheKey(synth, real, 'x'));
    // ...and a changed default taxonomy (a copy, edited) gives another key.
    const copy = join(home, 'default-taxonomy.csv');
    writeFileSync(copy, readFileSync(DEFAULT_TAXONOMY_PATH));
    const same = await externalFingerprints(synth, { defaultTaxonomy: copy });
    expect(stepCacheKey(synth, same, 'x')).toBe(stepCacheKey(synth, real, 'x'));
    writeFileSync(copy, readFileSync(DEFAULT_TAXONOMY_PATH, 'utf8').replace(/\n([^,\n]+),([^,\n]+)/, '\n$1,$2 (renamed)'));
    const edited = await externalFingerprints(synth, { defaultTaxonomy: copy });
    expect(stepCacheKey(synth, edited, 'x')).not.toBe(stepCacheKey(synth, real, 'x'));
  });

  it('settings that say how a step runs (provider, stall timeout, shards) leave its key alone; what it computes changes it', () => {
    const finetune = { kind: 'finetune', name: 'ft', data: 'text', provider: 'local', base: { path: '/m' }, method: 'full', epochs: 1, stallTimeout: '30m' } as unknown as StepConfig;
    const inputs = { data: { sha256: 'abc' } };
    const key = stepCacheKey(finetune, inputs, 'x');
    expect(stepCacheKey({ ...finetune, provider: 'slurm', slurm: { partition: 'gpu' }, stallTimeout: '2h' } as StepConfig, inputs, 'x')).toBe(key);
    expect(stepCacheKey({ ...finetune, epochs: 2 } as StepConfig, inputs, 'x')).not.toBe(key);
    const evaluate = { kind: 'evaluate', name: 'ev', data: 'text', model: 'ft', shards: 2, topK: 5 } as unknown as StepConfig;
    expect(stepCacheKey({ ...evaluate, shards: 5 } as StepConfig, inputs, 'x')).toBe(stepCacheKey(evaluate, inputs, 'x'));
    expect(stepCacheKey({ ...evaluate, topK: 3 } as StepConfig, inputs, 'x')).not.toBe(stepCacheKey(evaluate, inputs, 'x'));
  });

  it('reports and comparisons are keyed by their experiment too (they name the run); other steps are shared across experiments', () => {
    const inputs = { analysis: { sha256: 'abc' } };
    const report = { kind: 'report', name: 'report', analysis: 'representativeness' } as unknown as StepConfig;
    const compare = { kind: 'compare', name: 'comparison', evaluations: ['ev'] } as unknown as StepConfig;
    for (const step of [report, compare]) {
      expect(stepCacheKey(step, inputs, 'quickstart')).toBe(stepCacheKey(step, inputs, 'quickstart'));
      expect(stepCacheKey(step, inputs, 'finding-toward-the-truth')).not.toBe(stepCacheKey(step, inputs, 'quickstart'));
    }
    const analyze = { kind: 'analyze', name: 'representativeness', evaluations: ['ev'] } as unknown as StepConfig;
    expect(stepCacheKey(analyze, inputs, 'finding-toward-the-truth')).toBe(stepCacheKey(analyze, inputs, 'quickstart'));
  });
});
