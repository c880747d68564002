/**
 * Commands against the test run's Temporal server, each a child process with the harness env
 * (its own state folder and task queues): run, status, list, cancel, resume.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/temporal';
import { cli, moduleTrace, SCORING_MODULES, startCli } from './cli';

let h: Harness;
let dir: string;
// Experiment names (so workflow ids) of their own: other test files run tiny.yaml on the same server.
const tag = randomBytes(3).toString('hex');

beforeAll(async () => {
  h = await createHarness({ workers: false });
  dir = mkdtempSync(join(tmpdir(), 'labor-llm-cli-runs-'));
});
afterAll(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The fixture's tiny experiment (a data step, an encode step) under another name. */
function tinyConfig(name: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `extends: ${resolve('test/fixtures/configs/tiny.yaml')}\nname: ${name}\n`);
  return file;
}

const runIdOf = (stdout: string) => stdout.match(/^run (\S+) \(/m)?.[1];

describe('labor-llm against a Temporal server', () => {
  it('run: exit 0, plain progress, manifest and Web UI; then status and list show the run', async () => {
    // A generous bound on the process, not a speed check: the run starts a worker (the first time,
    // it bundles the workflows) and took over a minute on a loaded two-core machine.
    const r = await cli(['run', tinyConfig(`cli-tiny-${tag}`)], h.env, 150_000);
    expect(r.code, r.stderr).toBe(0);
    const runId = runIdOf(r.stdout)!;
    expect(runId).toMatch(new RegExp(`^cli-tiny-${tag}-[0-9a-f]{10}$`));
    // TEMPORAL_ADDRESS is set (the test server, headless): the link names the run for a cluster's UI.
    expect(r.stdout).toMatch(new RegExp(`^Web UI: .*${runId}`, 'm'));
    // Not a terminal: one plain line per step state, no progress-bar escape codes.
    expect(r.stdout).toMatch(/^\[survey\] done ✓$/m);
    expect(r.stdout).toMatch(/^\[text\] done ✓$/m);
    expect(r.stdout).not.toMatch(/\x1b\[/);
    expect(r.stdout).toMatch(/^text\s+encode\s+done\s+\S+s\s+template=resume@1 texts=200/m);
    const manifest = r.stdout.match(/^manifest: (.+)$/m)?.[1];
    expect(manifest && existsSync(manifest)).toBe(true);
    expect(JSON.parse(readFileSync(manifest!, 'utf8'))).toMatchObject({ status: 'succeeded' });
    expect(r.stderr).toBe('');

    const status = await cli(['status', runId], h.env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^run ${runId}: succeeded`, 'm'));
    expect(status.stdout).toMatch(/^survey\s+data\s+done/m);
    expect(status.stdout).toMatch(`manifest: ${manifest}`);

    // A rerun with every step cached prints the results from the store at once: no run is
    // started, and its process loads neither the Temporal SDK nor the scoring stack.
    const trace = join(dir, 'run-trace.txt');
    const again = await startCli(['run', tinyConfig(`cli-tiny-${tag}`)], h.env, 150_000, moduleTrace(dir, trace)).done;
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(`every step of cli-tiny-${tag} is cached in this store: nothing to run, so no run was started`);
    expect(again.stdout).toMatch(/^survey\s+data\s+cached\s+dataset=synthetic/m);
    expect(again.stdout).toMatch(/^text\s+encode\s+cached\s+template=resume@1 texts=200/m);
    expect(again.stdout).not.toMatch(/^run /m);
    const loaded = readFileSync(trace, 'utf8').split('\n');
    expect(loaded.filter((u) => /@temporalio|temporal\/worker\.ts|apache-arrow/.test(u))).toEqual([]);
    expect(loaded.filter((u) => SCORING_MODULES.test(u))).toEqual([]);

    // --rerun computes the named step again, through a run.
    const rerun = await cli(['run', tinyConfig(`cli-tiny-${tag}`), '--rerun', 'text'], h.env, 150_000);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/^\[survey\] cached ✓$/m);
    expect(rerun.stdout).toMatch(/^\[text\] done ✓$/m);

    // The visibility store may lag the run's end a little.
    let listed: { run: string; status: string }[] = [];
    for (let i = 0; i < 10 && listed.filter((x) => x.status === 'succeeded').length < 2; i++) {
      if (i) await sleep(500);
      const list = await cli(['list', '--experiment', `cli-tiny-${tag}`, '--json'], h.env);
      expect(list.code, list.stderr).toBe(0);
      listed = JSON.parse(list.stdout);
    }
    // Two runs: the first and the --rerun; the fully cached rerun started none.
    expect(listed.filter((x) => x.run === runId)).toEqual([
      expect.objectContaining({ status: 'succeeded', experiment: `cli-tiny-${tag}` }),
      expect.objectContaining({ status: 'succeeded', experiment: `cli-tiny-${tag}` }),
    ]);
  }, 180_000); // several CLI processes: slow on a loaded machine

  it('status of an unknown run exits 2', async () => {
    const r = await cli(['status', `no-such-run-${tag}`], h.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no-such-run/);
    expect(r.stderr).toMatch(/labor-llm list/);
  });

  it('cancel: a run started with --no-worker ends cancelled once a worker carries the cancellation out', async () => {
    // --no-cache: the first test cached these steps, and a fully cached run starts nothing.
    const run = startCli(['run', tinyConfig(`cli-cancel-${tag}`), '--no-worker', '--no-cache'], h.env);
    const [, runId] = await run.waitFor(/^run (\S+) \(/m);
    const cancel = await cli(['cancel', runId, '--wait', '0'], h.env);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toMatch(`cancellation requested for ${runId}`);

    await h.startWorkers();
    try {
      const ended = await run.done;
      expect(ended.code).toBe(1);
      expect(ended.stderr).toMatch(/^run cancelled$/m);
      const status = await cli(['status', runId], h.env);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`^run ${runId}: cancelled`, 'm'));
    } finally {
      await h.stopWorkers();
    }
  });

  it('resume: a run failed on bad data exits 2; after the fix, resume exits 0 and reuses the finished step', async () => {
    const taxonomy = join(dir, 'taxonomy.csv');
    writeFileSync(taxonomy, 'code,title\n1,Cooks\n2,Cooks\n'); // one title for two codes: invalid
    const file = join(dir, 'resume.yaml');
    writeFileSync(
      file,
      `schemaVersion: 1\nname: cli-resume-${tag}\ntimeouts: { heartbeat: 5s }\nsteps:\n` +
        `  - {name: good, kind: data, source: synthetic, population: survey, persons: 50}\n` +
        `  - {name: bad, kind: data, source: synthetic, population: survey, persons: 50, taxonomy: taxonomy.csv}\n` +
        `  - {name: text, kind: encode, input: bad}\n`,
    );
    const failed = await cli(['run', file], h.env);
    expect(failed.code).toBe(2); // bad input, not a failed computation
    const runId = runIdOf(failed.stdout)!;
    expect(failed.stdout).toMatch(/^\[good\] done ✓$/m);
    expect(failed.stdout).toMatch(/^\[bad\] FAILED · .*taxonomy\.csv: invalid taxonomy/m);
    expect(failed.stderr).toMatch(/^run failed: step 'bad' failed: .*taxonomy\.csv/m);
    expect(failed.stderr).toMatch(/one title for two codes/);
    expect(failed.stderr).toMatch(`labor-llm resume ${runId}`);
    expect(failed.stderr).not.toMatch(/\[temporal warn\]|\n\s+at /);

    const status = await cli(['status', runId], h.env);
    expect(status.stdout).toMatch(new RegExp(`^run ${runId}: failed`, 'm'));
    expect(status.stdout).toMatch(/one title for two codes/);

    writeFileSync(taxonomy, 'code,title\n1,Cooks\n2,Bakers\n');
    const resumed = await cli(['resume', runId], h.env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^\[good\] cached ✓$/m);
    expect(resumed.stdout).toMatch(/^\[bad\] done ✓$/m);
    expect(resumed.stdout).toMatch(/^\[text\] done ✓$/m);
    expect(resumed.stdout).toMatch(/^manifest: /m);
  }, 180_000); // several CLI processes: slow on a loaded machine
});
