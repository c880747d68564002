/**
 * The Temporal dev server is stopped in the middle of a run (while the model trains) and started
 * again on the same port and SQLite database: the run completes, with the baseline's artifacts.
 */
import { compareStores, pathOnlyNote, snapshot } from '../artifacts';
import { e2eConfig } from '../configs';
import type { Ctx } from '../context';
import { labor, runIdOf } from '../processes';
import { lastLines } from './kill-worker';

const DOWN_MS = 3000;

export async function serverRestart(ctx: Ctx): Promise<void> {
  const home = ctx.store('e2e-store');
  const file = e2eConfig(ctx.root, 'chaos-restart');
  const t = Date.now();
  const run = labor(['run', file], ctx.env(home), { timeoutMs: 300_000 });
  await run.waitFor(/^\[model\] running/m, 180_000);
  await ctx.server.restart(DOWN_MS);
  const code = await run.done;
  ctx.check(
    `server stopped for ${DOWN_MS / 1000} s while the model trains, started again on its database: the run completes`,
    code === 0,
    code === 0 ? `${((Date.now() - t) / 1000).toFixed(0)} s, run ${runIdOf(run.stdout)}` : `exit ${code}: ${lastLines(run)}`,
  );
  if (!ctx.baseline) return;
  const after = await snapshot(home);
  const { differences, pathOnly } = compareStores(ctx.baseline, after);
  ctx.check('its artifacts equal the undisturbed run\'s', code === 0 && differences.length === 0, differences.join('; ') || `${after.artifacts.size} artifacts${pathOnlyNote(pathOnly)}`);
}
