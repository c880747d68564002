/**
 * What every command that talks to Temporal needs: settings, the server (started when embedded),
 * a client. Kept here so commands stay thin.
 */
import type { Client, Connection } from '@temporalio/client';
import { readSettings, type Settings } from '../lib/env';
import { connectClient } from '../temporal/connection';
import { ensureSearchAttributes, isServing, serverOptions, startServer } from '../temporal/server';
import { say } from './output';

export interface Session {
  settings: Settings;
  client: Client;
  close(): Promise<void>;
}

/** Connects, starting the embedded dev server first if none serves its port. */
export async function openSession(opts: { startServer?: boolean } = {}): Promise<Session> {
  const settings = readSettings();
  if (settings.embedded) {
    if (opts.startServer !== false) {
      const { started, address } = await startServer(serverOptions(settings));
      if (started) say(`started the Temporal dev server on ${address} (Web UI ${settings.uiUrl})`);
    } else if (!(await isServing(settings.temporalAddress))) {
      throw new Error(`no Temporal server on ${settings.temporalAddress}: start one with \`labor-llm server start\``);
    }
  }
  const client = await connectClient(settings).catch((err: Error) => {
    throw new Error(`cannot reach Temporal at ${settings.temporalAddress}${settings.embedded ? '' : ' (TEMPORAL_ADDRESS)'}: ${err.message}`);
  });
  if (settings.embedded) await ensureSearchAttributes(client.connection as Connection, settings.TEMPORAL_NAMESPACE);
  return { settings, client, close: () => (client.connection as Connection).close() };
}

/** The Web UI page of a workflow run. */
export function runUrl(settings: Settings, workflowId: string, runId?: string): string {
  if (!settings.embedded) return `(open ${workflowId} in your cluster's Web UI)`;
  const base = `${settings.uiUrl}/namespaces/${encodeURIComponent(settings.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${runId}/history` : base;
}
