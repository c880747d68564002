/**
 * Starting and following runs, shared by `run` and `resume`: the workflow id derives from the
 * experiment name and config hash, so the same config attaches to its running run instead of
 * starting a second one.
 */
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { LoadedConfig } from '../lib/config/load';
import { ConfigHash, ExperimentName, RunStatus } from '../temporal/search-attributes';
import type { RunExperimentInput, RunExperimentResult } from '../workflows/types';
import { say } from './output';
import { runUrl, type Session } from './session';
import { printSummary, watchRun } from './watch';

export const runIdFor = (loaded: Pick<LoadedConfig, 'config' | 'hash'>) => `${loaded.config.name}-${loaded.hash.slice(0, 10)}`;

export interface StartOptions {
  noCache?: boolean;
  rerun?: string[];
  queues: NonNullable<RunExperimentInput['queues']>;
}

export async function startRun(client: Client, loaded: LoadedConfig, opts: StartOptions): Promise<WorkflowHandle> {
  const input: RunExperimentInput = {
    config: loaded.config, configHash: loaded.hash, configFile: loaded.file,
    noCache: opts.noCache, rerun: opts.rerun, queues: opts.queues,
  };
  return client.workflow.start('runExperimentWorkflow', {
    workflowId: runIdFor(loaded),
    taskQueue: opts.queues.cpu,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: [
      { key: ExperimentName, value: loaded.config.name },
      { key: ConfigHash, value: loaded.hash },
      { key: RunStatus, value: 'running' },
    ],
    memo: { config: loaded.config, configFile: loaded.file, configHash: loaded.hash },
    staticSummary: `${loaded.config.name}: ${loaded.config.steps.map((s) => s.name).join(' → ')}`,
    staticDetails: loaded.config.description,
  });
}

/** Follows a run to its end, then prints the summary, the manifest and the Web UI link. */
export async function followRun(session: Session, handle: WorkflowHandle): Promise<RunExperimentResult> {
  const desc = await handle.describe();
  say(`run ${handle.workflowId} (${desc.runId})`);
  say(`Web UI: ${runUrl(session.settings, handle.workflowId, desc.runId)}`);
  const result = await watchRun(session.client, handle, { tty: !!process.stdout.isTTY && !process.env.CI });
  printSummary(result.steps);
  say();
  say(`manifest: ${result.manifestPath}`);
  say(`Web UI:   ${runUrl(session.settings, handle.workflowId, desc.runId)}`);
  return result;
}
