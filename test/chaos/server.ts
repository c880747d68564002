/**
 * The suite's own Temporal dev server: headless, its SQLite file in the suite's folder, so it can
 * be stopped and started again on the same port and database with its runs intact.
 */
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startServer, stopServer, type ServerOptions } from '../../temporal/server';

export interface ChaosServer {
  address: string;
  client: Client;
  /** Stops the server (SIGTERM) and starts it again on the same port and database. */
  restart(downMs: number): Promise<void>;
  /** Terminates every run still going (so a failed row cannot leak work into the next). */
  terminateRunning(): Promise<number>;
  stop(): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

/** A port with port+1 (UI), +10 (HTTP) and +20 (metrics) free too, below the ephemeral range. */
async function pickPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 21000 + Math.floor(Math.random() * 10000);
    const all = await Promise.all([port, port + 1, port + 10, port + 20].map(portFree));
    if (all.every(Boolean)) return port;
  }
  throw new Error('no free port for the Temporal dev server');
}

export async function startChaosServer(stateDir: string): Promise<ChaosServer> {
  const port = await pickPort();
  const options: ServerOptions = { stateDir: join(stateDir), binary: resolve('.venv/bin/temporal'), port, uiPort: port + 1, headless: true };
  const { address } = await startServer(options);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  return {
    address,
    client,
    async restart(downMs) {
      await stopServer(options);
      await new Promise((r) => setTimeout(r, downMs));
      await startServer(options);
    },
    async terminateRunning() {
      let n = 0;
      for await (const w of client.workflow.list({ query: 'ExecutionStatus="Running"' })) {
        await client.workflow.getHandle(w.workflowId, w.runId).terminate('chaos suite: row ended').catch(() => undefined);
        n++;
      }
      return n;
    },
    async stop() {
      await connection.close().catch(() => undefined);
      await stopServer(options);
    },
  };
}
