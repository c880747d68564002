/**
 * The reliability suite (`npm run test:chaos`): kills, restarts, failing disks, concurrent runs,
 * damaged artifacts and malformed input, tried against the real command line, a real Temporal
 * dev server and the real trainer. Prints one table of what was tried and what held, then
 * `chaos: N passed, N failed`; exits 1 if anything did not hold.
 *
 *   npm run test:chaos                      every row
 *   npm run test:chaos -- --only malformed  rows whose name contains a word
 *   CHAOS_SEED=7 npm run test:chaos         other kill moments and mutations
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCtx, seeded, type Check } from './context';
import { killAll } from './processes';
import { startChaosServer } from './server';
import { killWorker } from './rows/kill-worker';
import { serverRestart } from './rows/server-restart';
import { writeFailures } from './rows/write-failures';
import { concurrentRuns } from './rows/concurrent-runs';
import { tamperedArtifact } from './rows/tampered-artifact';
import { malformedInputs } from './rows/malformed-inputs';
import type { Ctx } from './context';

const ROWS: [string, (ctx: Ctx) => Promise<void>][] = [
  ['worker SIGKILL', killWorker],
  ['server restart', serverRestart],
  ['write failure', writeFailures],
  ['concurrent runs', concurrentRuns],
  ['tampered artifact', tamperedArtifact],
  ['malformed input', malformedInputs],
];

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const seed = Number(process.env.CHAOS_SEED ?? 1);
const root = mkdtempSync(join(tmpdir(), 'labor-llm-chaos-'));
// The processes the rows start make their temp folders here too, so the suite's end removes them.
process.env.TMPDIR = root;
const checks: Check[] = [];
let current = '';
const started = Date.now();

const server = await startChaosServer(join(root, 'temporal'));
const ctx = makeCtx(root, server, seed, checks, () => current);
process.on('exit', killAll);
try {
  for (const [i, [name, row]] of ROWS.entries()) {
    if (only && !name.includes(only)) continue;
    current = name;
    ctx.random = seeded(seed * 7919 + i);
    const t = Date.now();
    process.stderr.write(`${name}\n`);
    try {
      await row(ctx);
    } catch (err) {
      ctx.check('the row ran to its end', false, (err as Error).message.split('\n')[0]);
    }
    killAll();
    await server.terminateRunning().catch(() => undefined);
    process.stderr.write(`  (${((Date.now() - t) / 1000).toFixed(0)} s)\n`);
  }
} finally {
  killAll();
  await server.stop();
  rmSync(root, { recursive: true, force: true });
}

const passed = checks.filter((c) => c.held).length;
const failed = checks.length - passed;
const rows = [['row', 'tried', 'held', 'detail'], ...checks.map((c) => [c.row, c.tried, c.held ? 'yes' : 'NO', c.detail])];
const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
process.stdout.write(`\nchaos suite (seed ${seed}, ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
for (const r of rows) process.stdout.write(`${r.slice(0, 3).map((c, i) => c.padEnd(widths[i])).join('  ')}  ${r[3]}\n`.trimEnd() + '\n');
process.stdout.write(`chaos: ${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || checks.length === 0 ? 1 : 0);
