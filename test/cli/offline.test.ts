/** Commands that need no Temporal server: help, validate, data synth / import / inspect. */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { parse } from 'yaml';
import { cli, HEAVY_MODULES, moduleTrace, startCli } from './cli';

const dir = mkdtempSync(join(tmpdir(), 'labor-llm-cli-offline-'));
// A store and server folder of its own, and the test server's address: nothing here may start a server.
const env = { ...process.env, LABOR_LLM_HOME: join(dir, 'home'), LABOR_LLM_SERVER_DIR: join(dir, 'server'), TEMPORAL_ADDRESS: inject('temporalAddress') };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('labor-llm without a server', () => {
  // Fast start-up is checked by what loads (no Temporal SDK, no Arrow), not by a clock.
  it('prints help without loading the Temporal SDK or Arrow; usage errors exit 2', async () => {
    const help = await cli(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/labor-llm run <config>/);
    expect(help.stdout).toMatch(/Exit codes: 0 success, 1 the run failed, 2 invalid input/);

    for (const args of [['--help'], ['validate', 'test/fixtures/configs/tiny.yaml'], ['data', 'inspect', '--help']]) {
      const trace = join(dir, `trace-${args.join('-').replace(/[^a-z0-9-]/gi, '_')}.txt`);
      const r = await startCli(args, env, 30_000, moduleTrace(dir, trace)).done;
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      const loaded = readFileSync(trace, 'utf8').split('\n');
      expect(loaded.some((u) => u.includes('cli/main.ts'))).toBe(true);
      expect(loaded.filter((u) => HEAVY_MODULES.test(u))).toEqual([]);
    }

    const bad = await cli(['frobnicate'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/error: Unknown argument: frobnicate/);
  });

  it('validate prints the resolved config and exits 0', async () => {
    const r = await cli(['validate', 'test/fixtures/configs/tiny.yaml'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tiny\.yaml: valid/);
    expect(r.stdout).toMatch(/run id tiny-[0-9a-f]{10}/);
    // The output is the resolved config as YAML (header lines are comments), defaults applied.
    const resolved = parse(r.stdout);
    expect(resolved.name).toBe('tiny');
    expect(resolved.steps[0]).toMatchObject({ name: 'survey', kind: 'data', persons: 200, taxonomy: 'default', firstYear: 1980 });
    expect(resolved.steps[1]).toMatchObject({ name: 'text', kind: 'encode', template: { name: 'resume' } });

    const json = await cli(['validate', '--json', 'test/fixtures/configs/tiny.yaml'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ runId: expect.stringMatching(/^tiny-/), config: { name: 'tiny' } });
  });

  it('validate exits 2 on a bad config, naming each problem with its key path and line', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'schemaVersion: 1\nname: bad\nsteps:\n  - name: survey\n    kind: data\n    source: synthetic\n    population: survey\n    persns: 200\n  - {name: text, kind: encode, input: survey}\n');
    const r = await cli(['validate', file], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/invalid experiment config/);
    expect(r.stderr).toMatch(/steps\[0\][^\n]*\(line \d+\)[^\n]*persns[^\n]*did you mean 'persons'/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace

    const missing = await cli(['validate', join(dir, 'nope.yaml')], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/config file not found: .*nope\.yaml/);
  });

  it('data synth --out then data inspect --json round-trips; an occupied --out exits 2', async () => {
    const out = join(dir, 'synth');
    const synth = await cli(['data', 'synth', '--persons', '40', '--seed', '3', '--out', out], env);
    expect(synth.code).toBe(0);
    expect(synth.stdout).toMatch(/40 persons/);
    expect(synth.stdout).toMatch(`written to ${out}`);

    const inspect = await cli(['data', 'inspect', out, '--json'], env);
    expect(inspect.code).toBe(0);
    const summary = JSON.parse(inspect.stdout);
    expect(summary).toMatchObject({ persons: 40, oracle: true });
    expect(Object.values(summary.splits as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(40);

    const again = await cli(['data', 'synth', '--persons', '40', '--out', out], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--out .*synth: folder exists and is not empty/);
  });

  it('data import --format career works, and a ragged file exits 2 naming file and line, writing nothing', async () => {
    const out = join(dir, 'career');
    const ok = await cli(['data', 'import', '--format', 'career', 'test/fixtures/import/career', '--out', out], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/5 persons, 12 person-years/);
    expect(JSON.parse((await cli(['data', 'inspect', out, '--json'], env)).stdout)).toMatchObject({ persons: 5, personYears: 12 });

    const broken = join(dir, 'career-broken');
    cpSync('test/fixtures/import/career', broken, { recursive: true });
    const job = join(broken, 'train.job');
    const lines = readFileSync(job, 'utf8').split('\n');
    lines[1] = lines[1].split(' ').slice(0, -1).join(' '); // drop a token: line 2 is now ragged
    writeFileSync(job, lines.join('\n'));
    const badOut = join(dir, 'career-bad-out');
    const bad = await cli(['data', 'import', '--format', 'career', broken, '--out', badOut], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ragged line/);
    expect(bad.stderr).toMatch(/train\.job line 2/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(badOut)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes('career-bad-out'))).toEqual([]); // no temp folder left
  });
});
