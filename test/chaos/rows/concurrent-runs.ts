/**
 * Two `run` commands on one config at the same moment: in one store they make one run (one
 * workflow execution) that both follow; in two stores, two runs, each complete and correct.
 */
import { compareStores, pathOnlyNote, snapshot, storeProblems } from '../artifacts';
import { e2eConfig } from '../configs';
import type { Ctx } from '../context';
import { labor, runIdOf } from '../processes';
import { lastLines } from './kill-worker';

export async function concurrentRuns(ctx: Ctx): Promise<void> {
  await oneStore(ctx);
  await twoStores(ctx);
}

async function oneStore(ctx: Ctx): Promise<void> {
  const home = ctx.store('e2e-store');
  const name = 'chaos-same-store';
  const file = e2eConfig(ctx.root, name);
  const runs = [labor(['run', file], ctx.env(home)), labor(['run', file], ctx.env(home))];
  const codes = await Promise.all(runs.map((r) => r.done));
  const executions = await countExecutions(ctx, name, 1);
  const ids = runs.map((r) => r.stdout.match(/^run \S+ \((\S+)\)/m)?.[1]);
  ctx.check(
    'one store: two `run`s at once both exit 0 and follow one workflow execution',
    codes.every((c) => c === 0) && executions === 1 && ids[0] === ids[1],
    codes.every((c) => c === 0) ? `${executions} execution(s); runs followed: ${ids.join(', ')}` : runs.map((r, i) => `run ${i + 1} exit ${codes[i]}: ${lastLines(r, 2)}`).join('; '),
  );
  const after = await snapshot(home);
  if (!ctx.baseline) return;
  const { differences, pathOnly } = compareStores(ctx.baseline, after);
  const problems = [...differences, ...storeProblems(after)];
  ctx.check('one store: artifacts as an undisturbed run\'s', problems.length === 0, problems.join('; ') || `${after.artifacts.size} artifacts${pathOnlyNote(pathOnly)}`);
}

async function twoStores(ctx: Ctx): Promise<void> {
  const homes = [ctx.store('e2e-store'), ctx.store('second-store')];
  const name = 'chaos-two-stores';
  const file = e2eConfig(ctx.root, name);
  const runs = homes.map((home) => labor(['run', file], ctx.env(home)));
  const codes = await Promise.all(runs.map((r) => r.done));
  const executions = await countExecutions(ctx, name, 2);
  ctx.check(
    'two stores: two `run`s at once make two runs, both exit 0',
    codes.every((c) => c === 0) && executions === 2,
    codes.every((c) => c === 0) ? `${executions} execution(s): ${runs.map((r) => runIdOf(r.stdout)).join(', ')}` : runs.map((r, i) => `store ${i + 1} exit ${codes[i]}: ${lastLines(r, 2)}`).join('; '),
  );
  // Without the first row's baseline (`--only`), the second store is compared with the first.
  const expected = ctx.baseline ?? (await snapshot(homes[0]));
  for (const [i, home] of homes.entries()) {
    const after = await snapshot(home);
    const { differences, pathOnly } = compareStores(expected, after);
    const problems = [...differences, ...storeProblems(after)];
    ctx.check(`two stores: store ${i + 1} has the artifacts of an undisturbed run`, problems.length === 0, problems.join('; ') || `${after.artifacts.size} artifacts${pathOnlyNote(pathOnly)}`);
  }
}

/** Run executions of the experiment on the server (the visibility store may lag: waits for `expected`). */
async function countExecutions(ctx: Ctx, experiment: string, expected: number): Promise<number> {
  let n = 0;
  for (let i = 0; i < 10; i++) {
    n = 0;
    // Child workflows (a step's, `<run>/<step>`) may carry the name too: runs only.
    for await (const w of ctx.server.client.workflow.list({ query: `ExperimentName="${experiment}"` })) if (!w.workflowId.includes('/')) n++;
    if (n >= expected) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return n;
}
