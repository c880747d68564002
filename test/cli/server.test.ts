/**
 * `labor-llm server`: where the embedded dev server keeps its database (LABOR_LLM_SERVER_DIR,
 * here a temporary folder, never the real per-user one), one server when two commands start it
 * at once, and `server status` naming the process that serves the port and its database.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freeServerPorts } from '../../temporal/server';
import { cli } from './cli';

const dir = mkdtempSync(join(tmpdir(), 'labor-llm-cli-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Embedded mode (no TEMPORAL_ADDRESS) on `port`, with its own store and server folder. */
function embeddedEnv(port: number, serverDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env, LABOR_LLM_HOME: join(dir, 'home'), LABOR_LLM_SERVER_DIR: serverDir,
    LABOR_LLM_TEMPORAL_PORT: String(port), LABOR_LLM_UI_PORT: String(port + 1),
  };
  delete env.TEMPORAL_ADDRESS;
  return env;
}

describe('labor-llm server', () => {
  it('status names the process serving the port and its database when this server folder did not start it', async () => {
    const port = Number(inject('temporalAddress').split(':')[1]);
    const serverDir = join(dir, 'not-the-tests-server');
    const r = await cli(['server', 'status'], embeddedEnv(port, serverDir));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(`127.0.0.1:${port}: serving`);
    const pid = Number(r.stdout.match(new RegExp(`started\\s+NOT from ${serverDir} \\(LABOR_LLM_SERVER_DIR\\): by process (\\d+)`))?.[1]);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('start-dev');
    // The test run's server (test/setup) keeps its database in its own temporary folder.
    expect(r.stdout).toMatch(/^ {2}database {2}\/\S*labor-llm-temporal-[^/]+\/temporal\.db$/m);
  });

  it('two starts at once make one server, on the database in LABOR_LLM_SERVER_DIR; stop ends it', async () => {
    const port = await freeServerPorts();
    const serverDir = join(dir, 'server');
    const env = embeddedEnv(port, serverDir);
    try {
      const starts = await Promise.all([cli(['server', 'start'], env, 120_000), cli(['server', 'start'], env, 120_000)]);
      for (const s of starts) expect(s.code, s.stderr).toBe(0);
      const out = starts.map((s) => s.stdout).sort();
      expect(out[0]).toMatch(new RegExp(`^already serving on 127\\.0\\.0\\.1:${port} \\(pid \\d+, started from ${serverDir}\\)`));
      expect(out[1]).toMatch(new RegExp(`^started on 127\\.0\\.0\\.1:${port} \\(pid \\d+\\); database ${serverDir}/temporal\\.db`));
      const pid = out[1].match(/\(pid (\d+)\)/)![1];
      expect(out[0]).toMatch(`(pid ${pid},`);

      const status = await cli(['server', 'status'], env);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(`127.0.0.1:${port}: serving`);
      expect(status.stdout).toMatch(`started   from ${serverDir} (pid ${pid})`);
      expect(status.stdout).toMatch(`database  ${serverDir}/temporal.db\n`);
    } finally {
      const stop = await cli(['server', 'stop'], env);
      expect(stop.stdout).toMatch(/^stopped$/m);
    }
    const after = await cli(['server', 'status'], env);
    expect(after.stdout).toMatch(`127.0.0.1:${port}: not serving`);
    expect(after.stdout).toMatch(`database  ${serverDir}/temporal.db (when started from here)`);
  }, 240_000);
});
