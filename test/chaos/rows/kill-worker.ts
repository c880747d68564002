/**
 * An undisturbed end-to-end run (the baseline every other row compares with), then the same
 * experiment followed by `run --no-worker` while `labor-llm worker` processes are SIGKILLed at
 * seeded random moments and started again: every run completes, every artifact is
 * byte-identical to the baseline's.
 */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { e2eConfig } from '../configs';
import { compareStores, pathOnlyNote, snapshot } from '../artifacts';
import type { Ctx } from '../context';
import { labor, runIdOf, type Proc } from '../processes';

/** Two trials at least; more (up to MAX_TRIALS) while the runs finished before MIN_KILLS kills landed. */
const TRIALS = 2;
const MAX_TRIALS = 4;
const MIN_KILLS = 10;
export const WORKER_READY = /^worker .*serving/m;
const KILLS_PER_TRIAL = 5;

export async function killWorker(ctx: Ctx): Promise<void> {
  const home = ctx.store('e2e-store');
  const file = e2eConfig(ctx.root, 'chaos-e2e');
  const t0 = Date.now();
  const base = labor(['run', file], ctx.env(home));
  const code = await base.done;
  ctx.check('undisturbed end-to-end run (data, encode, finetune, evaluate)', code === 0, code === 0 ? `${((Date.now() - t0) / 1000).toFixed(0)} s` : `exit ${code}: ${lastLines(base)}`);
  if (code !== 0) return;
  // Kept aside for the whole suite: other rows compare with it, and reuse its store path.
  const kept = join(ctx.root, 'baseline-store');
  renameSync(home, kept);
  ctx.baseline = await snapshot(kept, home);

  let kills = 0;
  for (let trial = 1; trial <= TRIALS || (kills < MIN_KILLS && trial <= MAX_TRIALS); trial++) {
    // The same store path as the baseline (paths are written into some artifacts), emptied.
    ctx.store('e2e-store');
    const config = e2eConfig(ctx.root, `chaos-kill-${trial}`, '8s');
    const t = Date.now();
    const follower = labor(['run', config, '--no-worker'], ctx.env(home), { timeoutMs: 360_000 });
    const at: string[] = [];
    let worker: Proc | undefined;
    if (trial % 2 === 0) {
      // Even trials spend their kills on the later steps (training, scoring): one worker does the first ones.
      worker = labor(['worker'], ctx.env(home));
      await follower.waitFor(/^\[text\] done/m, 180_000).catch(() => undefined);
      await worker.kill('SIGKILL');
      at.push(runningStep(follower.stdout));
      kills++;
    }
    for (let k = at.length; k < KILLS_PER_TRIAL && !follower.exited(); k++) {
      worker = labor(['worker'], ctx.env(home));
      // Random moments after the worker is up: mostly inside a step, sometimes between steps.
      await worker.waitFor(WORKER_READY, 60_000).catch(() => undefined);
      await Promise.race([sleep(500 + ctx.random() * 6000), follower.done]);
      if (follower.exited()) break;
      at.push(runningStep(follower.stdout));
      await worker.kill('SIGKILL');
      kills++;
    }
    worker = labor(['worker'], ctx.env(home));
    const code = await follower.done;
    await worker.kill('SIGTERM');
    const after = await snapshot(home);
    const { differences, pathOnly } = compareStores(ctx.baseline, after);
    // A SIGKILL mid-build leaves its hidden build folder behind (nothing can clean up after it).
    const leftovers = after.temporary.length ? `; ${after.temporary.length} hidden .tmp build folder(s) of killed builds left` : '';
    ctx.check(
      `trial ${trial}: ${at.length} SIGKILLs of the worker (during: ${summarize(at)}); the run completes`,
      code === 0,
      code === 0 ? `${((Date.now() - t) / 1000).toFixed(0)} s, run ${runIdOf(follower.stdout)}` : `exit ${code}: ${lastLines(follower)}`,
    );
    ctx.check(
      `trial ${trial}: every artifact verifies and is byte-identical to the undisturbed run`,
      code === 0 && differences.length === 0 && after.damaged.length === 0,
      [...differences, ...after.damaged.map((d) => `damaged ${d}`)].join('; ') || `${after.artifacts.size} artifacts${pathOnlyNote(pathOnly)}${leftovers}`,
    );
    await ctx.server.terminateRunning();
  }
  ctx.check(`at least ${MIN_KILLS} worker kills in total`, kills >= MIN_KILLS, `${kills} kills`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The step the follower last reported running (or between steps). */
function runningStep(stdout: string): string {
  const lines = [...stdout.matchAll(/^\[([\w-]+)\] (\w+)/gm)];
  const last = lines.at(-1);
  return last && last[2] === 'running' ? last[1] : last ? `after ${last[1]}` : 'start';
}

function summarize(at: string[]): string {
  const counts = new Map<string, number>();
  for (const a of at) counts.set(a, (counts.get(a) ?? 0) + 1);
  return [...counts].map(([s, n]) => (n > 1 ? `${s} ×${n}` : s)).join(', ');
}

export function lastLines(p: Proc, n = 3): string {
  return (p.stderr.trim() || p.stdout.trim()).split('\n').slice(-n).join(' | ');
}
