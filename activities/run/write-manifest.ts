/**
 * The run manifest: everything needed to audit or reproduce a run, written next to the
 * artifacts: resolved config, code commit, package versions, seeds, input and output hashes,
 * per-step timings and cache hits.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../lib/artifacts/atomic';
import { PROJECT_ROOT } from '../../lib/env';
import type { RunManifest, WriteManifestInput } from '../../temporal/run-types';
import type { ActivityDeps } from '../deps';

const TRACKED_PACKAGES = [
  '@temporalio/worker', 'onnxruntime-node', '@huggingface/transformers', 'apache-arrow', 'zod',
];

function codeCommit(): string | null {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${commit}+dirty` : commit;
  } catch {
    return null;
  }
}

let versions: Record<string, string> | undefined;
function packageVersions(): Record<string, string> {
  if (versions) return versions;
  versions = { node: process.version };
  for (const name of TRACKED_PACKAGES) {
    const file = join(PROJECT_ROOT, 'node_modules', name, 'package.json');
    if (existsSync(file)) versions[name] = JSON.parse(readFileSync(file, 'utf8')).version;
  }
  const requirements = join(PROJECT_ROOT, 'trainer/requirements.txt');
  if (existsSync(requirements)) {
    for (const line of readFileSync(requirements, 'utf8').split('\n')) {
      const m = /^([A-Za-z0-9_.-]+)==(\S+)/.exec(line.trim());
      if (m) versions[`python:${m[1]}`] = m[2];
    }
  }
  return versions;
}

export function runManifestPath(deps: ActivityDeps, workflowId: string, runId: string): string {
  return join(deps.runsDir, workflowId, runId, 'manifest.json');
}

/** The manifest of a run (finished, or so far). */
export function runManifest(input: WriteManifestInput): RunManifest {
  return {
    workflowId: input.workflowId,
    runId: input.runId,
    experiment: input.config.name,
    status: input.status,
    configFile: input.configFile,
    configHash: input.configHash,
    codeCommit: codeCommit(),
    packages: packageVersions(),
    startedAt: new Date(input.startedAt).toISOString(),
    finishedAt: new Date(input.finishedAt).toISOString(),
    seeds: Object.fromEntries(input.config.steps.filter((s) => 'seed' in s).map((s) => [s.name, (s as { seed?: number }).seed])),
    steps: input.steps.map((s) => ({
      name: s.name,
      kind: s.kind,
      status: s.status,
      cached: s.status === 'cached',
      key: s.key,
      output: s.artifact ? { path: s.artifact.path, sha256: s.artifact.sha256 } : undefined,
      seconds: s.startedAt && s.finishedAt ? (s.finishedAt - s.startedAt) / 1000 : undefined,
      summary: s.summary,
      error: s.error,
    })),
    config: input.config,
  };
}

export function writeRunManifest(deps: ActivityDeps) {
  return async (input: WriteManifestInput): Promise<{ path: string }> => {
    const path = runManifestPath(deps, input.workflowId, input.runId);
    writeJsonAtomic(path, runManifest(input));
    return { path };
  };
}
