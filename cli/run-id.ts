/**
 * Run ids (light: `validate` uses them). A run's workflow id is `<experiment>-<config hash, 10
 * hex>@<store id>`: the part before `@` is what a person types (within their store, it names the
 * run), the store id keeps two stores on one Temporal server apart.
 */
import type { LoadedConfig } from '../lib/config/load';

/** The short id: experiment name and config hash. */
export const runIdFor = (loaded: Pick<LoadedConfig, 'config' | 'hash'>) => `${loaded.config.name}-${loaded.hash.slice(0, 10)}`;

/** The workflow id of a short id in a store. */
export const workflowIdOf = (runId: string, storeId: string) => `${runId}@${storeId}`;

/**
 * What a person typed, resolved in their store: a short id gets the store's id; a full id
 * (`…@<store>`) stays as it is and may name another store's run.
 */
export function resolveRunId(typed: string, storeId: string): { workflowId: string; runId: string; store: string } {
  const at = typed.lastIndexOf('@');
  if (at < 0) return { workflowId: workflowIdOf(typed, storeId), runId: typed, store: storeId };
  return { workflowId: typed, runId: typed.slice(0, at), store: typed.slice(at + 1) };
}

/** How a workflow id reads to a person in a store: the short id for its own runs, the full id otherwise. */
export function displayRunId(workflowId: string, storeId: string): string {
  const suffix = `@${storeId}`;
  return workflowId.endsWith(suffix) ? workflowId.slice(0, -suffix.length) : workflowId;
}
