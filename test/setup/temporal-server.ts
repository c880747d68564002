/**
 * Starts one real Temporal dev server (our pinned binary, headless, SQLite in a temp folder) on a
 * free port for the whole test run, and stops it at the end. Tests read its address with
 * `inject('temporalAddress')`.
 */
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startThrowawayServer } from '../../temporal/server';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await startThrowawayServer(resolve('.venv/bin/temporal'));
  project.provide('temporalAddress', server.address);
  return () => server.stop();
}
