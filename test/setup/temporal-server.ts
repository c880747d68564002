/**
 * Starts one real Temporal dev server (our pinned binary, headless, SQLite in a temp folder) on a
 * free port for the whole test run, and stops it at the end. Tests read its address with
 * `inject('temporalAddress')`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startServer, stopServer, type ServerOptions } from '../../temporal/server';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

export default async function setup(project: TestProject) {
  const stateDir = mkdtempSync(join(tmpdir(), 'labor-llm-test-temporal-'));
  // Ports p (frontend), p+10 (http), p+20 (metrics) must all be free: pick a base well below the ephemeral range.
  const port = 20000 + ((await freePort()) % 20000);
  const options: ServerOptions = { stateDir, binary: resolve('.venv/bin/temporal'), port, uiPort: port + 1, headless: true };
  const { address } = await startServer(options);
  project.provide('temporalAddress', address);
  return async () => {
    await stopServer(options);
    rmSync(stateDir, { recursive: true, force: true });
  };
}
