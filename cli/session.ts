/**
 * What every command that talks to Temporal needs: settings, the store (its id scopes run ids
 * and task queues), the server (started when embedded), a client. Kept here so commands stay thin.
 */
import type { Client, Connection, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { readSettings, type Settings } from '../lib/env';
import { storeIdentity } from '../lib/store-identity';
import { connectClient } from '../temporal/connection';
import { describeServer, ensureSearchAttributes, isServing, serverOptions, startServer, type ServerOptions } from '../temporal/server';
import { storeQueues } from '../temporal/task-queues';
import type { Queues } from '../temporal/run-types';
import { say, UsageError } from './output';
import { displayRunId, resolveRunId } from './run-id';

/** The store this process works for: LABOR_LLM_HOME and its id. */
export interface StoreScope {
  home: string;
  id: string;
  /** The store's own task queues. */
  queues: Queues;
}

export interface Session {
  settings: Settings;
  store: StoreScope;
  client: Client;
  close(): Promise<void>;
}

/** The store of these settings, its id created on first use. */
export function openStore(settings: Settings): StoreScope {
  const home = settings.LABOR_LLM_HOME;
  const { id } = storeIdentity(home);
  return { home, id, queues: storeQueues(settings.LABOR_LLM_TASK_QUEUE_PREFIX, id) };
}

/** Says so when the port is served by a server this user's server folder did not start. */
async function noteOtherServer(o: ServerOptions): Promise<void> {
  const s = await describeServer(o);
  if (!s.serving || s.ours) return;
  const db = s.db ?? (s.db === null ? 'none: its state is in memory' : 'unknown');
  say(`using the Temporal server already on ${s.address}${s.pid ? ` (pid ${s.pid})` : ''}, not started from ${o.stateDir}; its database: ${db}.`);
  say('  Runs of this store are kept apart from other stores\' runs there; `labor-llm server status` tells more.');
}

/** Connects, starting the embedded dev server first if none serves its port. */
export async function openSession(opts: { startServer?: boolean } = {}): Promise<Session> {
  const settings = readSettings();
  const store = openStore(settings);
  if (settings.embedded) {
    const o = serverOptions(settings);
    if (opts.startServer !== false) {
      const { started, address, db } = await startServer(o);
      if (started) {
        say(`started the Temporal dev server on ${address} (Web UI ${settings.uiUrl}); database ${db}`);
        say('  every labor-llm store of this user shares it; each store sees and runs only its own runs');
      } else {
        await noteOtherServer(o);
      }
    } else if (!(await isServing(settings.temporalAddress))) {
      throw new Error(`no Temporal server on ${settings.temporalAddress}: start one with \`labor-llm server start\``);
    }
  }
  const client = await connectClient(settings).catch((err: Error) => {
    throw new Error(`cannot reach Temporal at ${settings.temporalAddress}${settings.embedded ? '' : ' (TEMPORAL_ADDRESS)'}: ${err.message}`);
  });
  if (settings.embedded) await ensureSearchAttributes(client.connection as Connection, settings.TEMPORAL_NAMESPACE);
  return { settings, store, client, close: () => (client.connection as Connection).close() };
}

export interface FoundRun {
  workflowId: string;
  /** How to name it to the person: the short id for this store's runs. */
  name: string;
  /** It belongs to this session's store. */
  own: boolean;
  /** The store it belongs to. */
  store: string;
  handle: WorkflowHandle;
  desc: WorkflowExecutionDescription;
}

/** A run id as typed (`status`, `resume`, `cancel`): a short id names a run of this store. */
export async function findRun(session: Session, typed: string): Promise<FoundRun> {
  const { workflowId, store } = resolveRunId(typed, session.store.id);
  const own = store === session.store.id;
  const handle = session.client.workflow.getHandle(workflowId);
  try {
    const desc = await handle.describe();
    return { workflowId, name: displayRunId(workflowId, session.store.id), own, store, handle, desc };
  } catch (err) {
    if ((err as Error)?.name !== 'WorkflowNotFoundError') throw err;
    const where = own ? `this store (${session.store.id}, ${session.store.home})` : `store ${store}`;
    throw new UsageError(`no run '${typed}' in ${where}: \`labor-llm list\` shows this store's runs, \`labor-llm list --all-stores\` every store's`);
  }
}
