/**
 * Runs belong to their store: two stores (two LABOR_LLM_HOMEs, each `run` with its own
 * in-process workers) on one Temporal server run one experiment at the same moment, apart; and a
 * `run` whose options would change an identical running run is refused instead of attaching.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { cli, startCli } from './cli';

// The fixture as it is: other test files run it on this server too, each in a store of its own.
const TINY = resolve('test/fixtures/configs/tiny.yaml');
const dir = mkdtempSync(join(tmpdir(), 'labor-llm-cli-stores-'));
let client: Client;

beforeAll(async () => {
  client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
});
afterAll(async () => {
  await client?.connection.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A store of its own: its home, and a server folder that is never the real per-user one. */
function storeEnv(name: string): NodeJS.ProcessEnv {
  const home = join(dir, name);
  return { ...process.env, LABOR_LLM_HOME: home, LABOR_LLM_SERVER_DIR: join(home, 'server'), TEMPORAL_ADDRESS: inject('temporalAddress') };
}

const RUN_LINE = /^run (\S+) \((\S+)\) in store (\S+)$/m;

interface Finished {
  runId: string;
  store: string;
  manifest: { workflowId: string; steps: { name: string; output: { path: string; sha256: string } }[] };
}

function finished(r: { code: number | null; stdout: string; stderr: string }): Finished {
  expect(r.code, r.stderr).toBe(0);
  const [, runId, , store] = r.stdout.match(RUN_LINE)!;
  const path = r.stdout.match(/^manifest: (.+)$/m)![1];
  return { runId, store, manifest: JSON.parse(readFileSync(path, 'utf8')) };
}

/** Each step's output: the artifact's hash and every file's sha256 (its own manifest). */
function outputs(f: Finished): Record<string, unknown> {
  return Object.fromEntries(f.manifest.steps.map((s) => {
    const files = (JSON.parse(readFileSync(join(s.output.path, 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string }[] }).files;
    return [s.name, { sha256: s.output.sha256, files: files.map(({ path, sha256 }) => ({ path, sha256 })) }];
  }));
}

describe('stores on one Temporal server', () => {
  it('two stores run one experiment at the same moment: two runs, apart, with the outputs of a solo run', async () => {
    const solo = finished(await cli(['run', TINY], storeEnv('solo'), 120_000));
    const [a, b] = (await Promise.all([cli(['run', TINY], storeEnv('a'), 180_000), cli(['run', TINY], storeEnv('b'), 180_000)])).map(finished);

    // One short id (same config), three stores, three workflows on three pairs of task queues.
    expect(new Set([solo.runId, a.runId, b.runId]).size).toBe(1);
    expect(new Set([solo.store, a.store, b.store]).size).toBe(3);
    for (const f of [solo, a, b]) expect(f.manifest.workflowId).toBe(`${f.runId}@${f.store}`);
    const queueOf = async (f: Finished) => (await client.workflow.getHandle(f.manifest.workflowId).describe()).taskQueue;
    expect(await queueOf(a)).toBe(`labor-llm-${a.store}-cpu`);
    expect(await queueOf(b)).toBe(`labor-llm-${b.store}-cpu`);

    // Each store's artifacts were built in its own folder, by its own workers, byte-identical.
    for (const [f, name] of [[a, 'a'], [b, 'b']] as const) {
      for (const s of f.manifest.steps) expect(s.output.path.startsWith(join(dir, name, 'artifacts'))).toBe(true);
    }
    const expected = outputs(solo);
    expect(Object.keys(expected)).toEqual(['survey', 'text']);
    expect(outputs(a)).toEqual(expected);
    expect(outputs(b)).toEqual(expected);

    // A short id names a run of the caller's store; `list` shows its own store's runs.
    const status = await cli(['status', a.runId, '--json'], storeEnv('a'));
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ run: a.runId, workflowId: a.manifest.workflowId, store: a.store, status: 'succeeded' });
    let own: { workflowId: string; store: string }[] = [];
    let all: { workflowId: string }[] = [];
    // The visibility store may lag the runs' end a little.
    for (let i = 0; i < 20 && !(own.length && all.some((r) => r.workflowId === b.manifest.workflowId)); i++) {
      if (i) await sleep(500);
      own = JSON.parse((await cli(['list', '--json'], storeEnv('a'))).stdout);
      all = JSON.parse((await cli(['list', '--json', '--all-stores'], storeEnv('a'))).stdout);
    }
    expect(own).toEqual([expect.objectContaining({ run: a.runId, workflowId: a.manifest.workflowId, store: a.store })]);
    expect(all.map((r) => r.workflowId)).toEqual(expect.arrayContaining([solo, a, b].map((f) => f.manifest.workflowId)));

    // Another store's run is never resumed from here.
    const resume = await cli(['resume', b.manifest.workflowId], storeEnv('a'));
    expect(resume.code).toBe(2);
    expect(resume.stderr).toMatch(`run ${b.manifest.workflowId} belongs to store ${b.store}, not to this one (${a.store}`);
  }, 400_000);

  it('--rerun and --no-cache are refused, not ignored, when an identical run is running in the store', async () => {
    const env = storeEnv('attach');
    // No worker serves this store's queues: the run stays running.
    const first = startCli(['run', TINY, '--no-worker'], env, 120_000);
    const [, runId, temporalRunId, store] = await first.waitFor(RUN_LINE);
    try {
      for (const [flags, named] of [[['--rerun', 'text'], '--rerun text'], [['--no-cache'], '--no-cache']] as const) {
        const r = await cli(['run', TINY, ...flags], env);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(`error: run ${runId} of this config is already running in this store; ${named} cannot apply to a run that has started`);
        expect(r.stderr).toMatch(`labor-llm cancel ${runId}`);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      // Without such options, `run` attaches to the running run.
      const again = startCli(['run', TINY, '--no-worker'], env, 60_000);
      expect((await again.waitFor(RUN_LINE)).slice(1)).toEqual([runId, temporalRunId, store]);
      again.child.kill('SIGKILL');
      // The refused starts left it as it was: one execution, still running, options unchanged.
      const desc = await client.workflow.getHandle(`${runId}@${store}`).describe();
      expect([desc.runId, desc.status.name]).toEqual([temporalRunId, 'RUNNING']);
    } finally {
      await client.workflow.getHandle(`${runId}@${store}`).terminate('test over');
      await first.done;
    }
  }, 180_000);
});
