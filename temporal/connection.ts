/** Connects to Temporal: the embedded dev server or the cluster named by TEMPORAL_ADDRESS. */
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Settings } from '../lib/env';
import { installRuntime } from './worker';

function tls(settings: Settings) {
  if (!settings.TEMPORAL_TLS_CERT && !settings.TEMPORAL_TLS_CA) return undefined;
  return {
    serverRootCACertificate: settings.TEMPORAL_TLS_CA ? readFileSync(settings.TEMPORAL_TLS_CA) : undefined,
    clientCertPair:
      settings.TEMPORAL_TLS_CERT && settings.TEMPORAL_TLS_KEY
        ? { crt: readFileSync(settings.TEMPORAL_TLS_CERT), key: readFileSync(settings.TEMPORAL_TLS_KEY) }
        : undefined,
  };
}

export async function connectClient(settings: Settings): Promise<Client> {
  const connection = await Connection.connect({ address: settings.temporalAddress, tls: tls(settings) });
  return new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE });
}

export function connectWorker(settings: Settings): Promise<NativeConnection> {
  installRuntime();
  return NativeConnection.connect({ address: settings.temporalAddress, tls: tls(settings) });
}
