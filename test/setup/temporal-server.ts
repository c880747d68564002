/**
 * Starts one real Temporal dev server (our pinned binary, headless, SQLite in a temp folder) on a
 * free port for the whole test run, and stops it at the end. Tests read its address with
 * `inject('temporalAddress')`.
 *
 * Every temp folder of the run (tests', their child processes', the server's) lives under one
 * folder that is removed at the end: TMPDIR is set before the test processes are forked, which
 * inherit it, so a test that fails before its own cleanup leaves nothing behind on the host.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startThrowawayServer } from '../../temporal/server';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

export default async function setup(project: TestProject) {
  const runTmp = mkdtempSync(join(tmpdir(), 'labor-llm-tests-'));
  process.env.TMPDIR = runTmp;
  const server = await startThrowawayServer(resolve('.venv/bin/temporal'));
  project.provide('temporalAddress', server.address);
  return async () => {
    await server.stop();
    rmSync(runTmp, { recursive: true, force: true });
  };
}
