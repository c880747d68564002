/**
 * The import rules of design.md section 3: workflow code imports at run time only the
 * workflow SDK and workflow-safe modules; lib/ never reaches into the runtime layers. The
 * bundle check (webpack refusing Node modules) runs in the worker tests; this one names the
 * offending line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../temporal/worker';

const WORKFLOW_SAFE = [
  '@temporalio/workflow',
  '@temporalio/common',
  '../temporal/search-attributes',
  '../temporal/task-queues',
  '../lib/config/steps',
  '../lib/errors',
];

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Non-type imports of a file: [specifier, line]. */
function runtimeImports(file: string): [string, number][] {
  const out: [string, number][] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const m = /^\s*(?:import|export)\s+(?!type\b)(?:[^'"]*\sfrom\s+)?['"]([^'"]+)['"]/.exec(line);
      if (m) out.push([m[1], i + 1]);
    });
  // multi-line imports: the `from` line carries the specifier
  readFileSync(file, 'utf8').replace(/^import\s+(?!type\b)\{[^}]*\}\s*from\s*['"]([^'"]+)['"]/gms, (_, spec: string) => {
    if (!out.some(([s]) => s === spec)) out.push([spec, 0]);
    return '';
  });
  return out;
}

describe('import rules', () => {
  it('workflows import only workflow-safe modules at run time', () => {
    const offending = sources('workflows').flatMap((f) =>
      runtimeImports(f)
        .filter(([spec]) => !spec.startsWith('./') && !WORKFLOW_SAFE.includes(spec))
        .map(([spec, line]) => `${f}:${line} imports ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('lib never imports workflows, activities, temporal or cli', () => {
    const offending = sources('lib').flatMap((f) =>
      runtimeImports(f)
        .filter(([spec]) => /(^|\/)(workflows|activities|temporal|cli)(\/|$)/.test(spec) && spec.startsWith('.'))
        .map(([spec, line]) => `${f}:${line} imports ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('the workflow bundle builds (webpack rejects Node built-ins in workflow code)', async () => {
    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
    expect(bundle.code).toContain('runExperimentWorkflow');
  }, 120_000);
});
