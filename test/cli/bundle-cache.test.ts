/** The workflow bundle cache that makes a cached rerun start fast (temporal/workflow-bundle.ts). */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { bundleHash, bundleSources, loadWorkflowBundle } from '../../temporal/workflow-bundle';

const dir = mkdtempSync(join(tmpdir(), 'labor-llm-bundle-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('hashes every source the bundle can include', () => {
  const files = bundleSources().map((f) => relative(process.cwd(), f));
  for (const f of ['workflows/index.ts', 'workflows/run-experiment.ts', 'temporal/search-attributes.ts', 'temporal/task-queues.ts', 'lib/config/steps.ts', 'lib/config/schema.ts']) {
    expect(files).toContain(f);
  }
  // Type-only imports are erased: the activities and the scoring code are not in the bundle.
  expect(files.filter((f) => f.startsWith('activities/') || f.startsWith('lib/lm/'))).toEqual([]);
  expect(bundleHash()).toMatch(/^[0-9a-f]{24}$/);
  expect(bundleHash()).toBe(bundleHash());
});

it('builds once, then serves the bundle from the cache folder', async () => {
  const first = await loadWorkflowBundle(dir);
  expect(first.cached).toBe(false);
  expect(first.path).toBe(join(dir, `workflow-bundle-${bundleHash()}.js`));
  expect(first.code).toContain('runExperimentWorkflow');

  const second = await loadWorkflowBundle(dir);
  expect(second).toMatchObject({ cached: true, path: first.path });
  expect(second.code).toBe(first.code);
  expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);

  // An empty (torn) file is not trusted: it is rebuilt.
  writeFileSync(first.path!, '');
  expect((await loadWorkflowBundle(dir)).cached).toBe(false);
}, 60_000);
