/** A store's id: created once, read back unchanged, one id when processes race to create it. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../lib/env';
import { InvalidConfig } from '../../lib/errors';
import { STORE_FILE, STORE_ID_PATTERN, storeIdentity } from '../../lib/store-identity';

const dir = mkdtempSync(join(tmpdir(), 'labor-llm-store-id-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `n` processes that load the module, wait for a go file, then create the id at once. */
async function race(home: string, n: number): Promise<string[]> {
  const go = join(dir, `go-${n}`);
  const script = join(dir, 'racer.ts');
  writeFileSync(script, `import { existsSync } from 'node:fs';
import { storeIdentity } from ${JSON.stringify(pathToFileURL(resolve('lib/store-identity.ts')).href)};
process.stdout.write('ready\\n');
while (!existsSync(${JSON.stringify(go)})) { /* spin: every racer starts within a millisecond */ }
process.stdout.write(storeIdentity(${JSON.stringify(home)}).id + '\\n');
`);
  const outputs: string[] = Array(n).fill('');
  let ready = 0;
  let allReady!: () => void;
  const readyAll = new Promise<void>((res) => (allReady = res));
  const done = Array.from({ length: n }, (_, i) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d: Buffer) => {
      const before = outputs[i];
      outputs[i] += d;
      if (!before.includes('ready') && outputs[i].includes('ready\n') && ++ready === n) allReady();
    });
    return new Promise<number | null>((res) => child.on('close', res));
  });
  await readyAll;
  writeFileSync(go, '');
  expect(await Promise.all(done)).toEqual(Array(n).fill(0));
  return outputs.map((o) => o.replace('ready\n', '').trim());
}

describe('store identity', () => {
  it('is created once and read back unchanged', () => {
    const home = join(dir, 'once');
    const first = storeIdentity(home);
    expect(first.id).toMatch(STORE_ID_PATTERN);
    expect(first.file).toBe(join(home, STORE_FILE));
    expect(JSON.parse(readFileSync(first.file, 'utf8'))).toEqual({ id: first.id, createdAt: first.createdAt });
    expect(storeIdentity(home)).toEqual(first);
    expect(readdirSync(home)).toEqual([STORE_FILE]); // no temporary file left
    // Another folder is another store.
    expect(storeIdentity(join(dir, 'other')).id).not.toBe(first.id);
  });

  it('processes creating it at the same moment all get one id', async () => {
    const home = join(dir, 'raced');
    const ids = await race(home, 6);
    expect(ids[0]).toMatch(STORE_ID_PATTERN);
    expect(new Set(ids)).toEqual(new Set([ids[0]]));
    expect(storeIdentity(home).id).toBe(ids[0]);
    expect(readdirSync(home)).toEqual([STORE_FILE]);
  }, 60_000);

  it('a damaged file is an error naming the file, expected and found', () => {
    const home = join(dir, 'damaged');
    storeIdentity(home);
    writeFileSync(join(home, STORE_FILE), '{"id": "NOT AN ID"}');
    expect(() => storeIdentity(home)).toThrow(InvalidConfig);
    expect(() => storeIdentity(home)).toThrow(/store\.json: not a labor-llm store identity[\s\S]*expected JSON \{"id"[\s\S]*found "\{\\"id\\": \\"NOT AN ID\\"\}"/);
  });
});

describe('the dev server folder', () => {
  it('defaults to a per-user state folder, outside any store; LABOR_LLM_SERVER_DIR overrides it', () => {
    expect(readSettings({ HOME: '/home/u' }).serverDir).toBe('/home/u/.local/state/labor-llm/temporal');
    expect(readSettings({ HOME: '/home/u', XDG_STATE_HOME: '/var/state' }).serverDir).toBe('/var/state/labor-llm/temporal');
    // The XDG spec ignores a relative XDG_STATE_HOME.
    expect(readSettings({ HOME: '/home/u', XDG_STATE_HOME: 'rel' }).serverDir).toBe('/home/u/.local/state/labor-llm/temporal');
    expect(readSettings({ HOME: '/home/u', LABOR_LLM_SERVER_DIR: '/srv/t' }).serverDir).toBe('/srv/t');
  });
});
