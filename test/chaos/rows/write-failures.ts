/**
 * Artifact writes fail, in a worker that cannot write its store; nothing on the host changes:
 *
 * - read-only store folder: as root (permissions do not stop root) the worker runs in a private
 *   mount namespace (`unshare -m`) where `<store>/artifacts` is bind-mounted read-only; as any
 *   other user the folder is made read-only with chmod.
 * - full disk: the worker runs with RLIMIT_FSIZE (`prlimit --fsize`), so a write stops part way
 *   through a file with EFBIG, as it would stop with ENOSPC on a full disk. (A tiny tmpfs would
 *   need a mount over the store, which vanishes with its contents when the fault is "fixed".)
 *
 * Each: the failure is clear (the run fails at once, not retried, with a message that names the
 * cause and a path, and a person sees it in `run`'s output and in `status`), no damaged artifact
 * or build folder is left, and `labor-llm resume <run>` after the fix completes with the
 * baseline's artifacts.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { compareStores, snapshot, storeProblems } from '../artifacts';
import { dataConfig } from '../configs';
import type { Ctx } from '../context';
import { labor, type Proc } from '../processes';
import { lastLines, WORKER_READY } from './kill-worker';

interface Fault {
  name: string;
  /** The experiment's name (words of the cause would match the checks on its output). */
  experiment: string;
  /** Command prefix for the worker, or a reason it cannot be simulated here. */
  prepare(artifacts: string): string[] | { unavailable: string };
  undo(artifacts: string): void;
  /** What the failure message must say. */
  cause: RegExp;
}

const isRoot = process.getuid?.() === 0;

const READ_ONLY: Fault = {
  name: 'read-only store folder',
  experiment: 'chaos-ro',
  prepare(artifacts) {
    if (!isRoot) {
      chmodSync(artifacts, 0o555);
      return [];
    }
    const probe = spawnSync('unshare', ['-m', 'true']);
    if (probe.status !== 0) return { unavailable: `running as root and \`unshare -m\` is not permitted: ${probe.stderr.toString().trim()}` };
    const q = JSON.stringify(artifacts);
    return ['unshare', '-m', 'sh', '-c', `mount --bind ${q} ${q} && mount -o remount,bind,ro ${q} ${q} && exec "$0" "$@"`];
  },
  undo(artifacts) {
    if (!isRoot) chmodSync(artifacts, 0o755);
  },
  cause: /read-only|EROFS|EACCES|permission denied/i,
};

/** Below the synthetic panel's oracle file (~600 KB), above its other files. */
const FSIZE_BYTES = 256 * 1024;

const FULL_DISK: Fault = {
  name: `full disk (worker file size limit ${FSIZE_BYTES / 1024} KB)`,
  experiment: 'chaos-disk',
  prepare: () => ['prlimit', `--fsize=${FSIZE_BYTES}`],
  undo: () => undefined,
  cause: /EFBIG|file too large|ENOSPC|no space/i,
};

export async function writeFailures(ctx: Ctx): Promise<void> {
  for (const fault of [READ_ONLY, FULL_DISK]) await tryFault(ctx, fault);
}

async function tryFault(ctx: Ctx, fault: Fault): Promise<void> {
  const home = ctx.store('e2e-store');
  const artifacts = join(home, 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  // The worker's workflow bundle is written once per store; copied here so the fault hits artifacts only.
  const cache = join(ctx.root, 'baseline-store', 'cache');
  if (existsSync(cache)) cpSync(cache, join(home, 'cache'), { recursive: true });
  const name = fault.experiment;
  const file = dataConfig(ctx.root, name);
  const prefix = fault.prepare(artifacts);
  if (!Array.isArray(prefix)) {
    ctx.check(`${fault.name}: simulated`, false, prefix.unavailable);
    return;
  }
  const env = ctx.env(home);
  const follower = labor(['run', file, '--no-worker'], env, { timeoutMs: 300_000 });
  let worker: Proc | undefined;
  try {
    const [, runId] = await follower.waitFor(/^run (\S+) \(/m, 60_000);
    worker = labor(['worker'], env, { prefix });
    await worker.waitFor(WORKER_READY, 60_000);
    const failure = await runFailure(ctx, name, 90_000);
    ctx.check(
      `${fault.name}: the run fails at once, its failure names the cause and the path`,
      !!failure && fault.cause.test(failure) && failure.includes(home),
      failure ? oneLine(failure) : 'the run did not fail within 90 s (a storage failure should not be retried)',
    );
    const followed = await follower.done;
    const status = labor(['status', runId], env);
    await status.done;
    const seen = (out: string) => out.split('\n').find((l) => fault.cause.test(l));
    const inRun = seen(`${follower.stdout}\n${follower.stderr}`);
    const inStatus = seen(status.stdout);
    ctx.check(
      `${fault.name}: a person sees it (\`run\` exits 1 saying it, \`status\` shows it)`,
      followed === 1 && !!inRun && !!inStatus,
      `run exit ${followed}; run: ${inRun ? oneLine(inRun) : 'not shown'}; status: ${inStatus ? oneLine(inStatus) : 'not shown'}`,
    );
    const after = await snapshot(home);
    const problems = storeProblems(after);
    ctx.check(`${fault.name}: no damaged artifact or build folder left`, problems.length === 0, problems.join('; ') || `${after.artifacts.size} artifacts, all verify`);

    // The fix: the worker goes (with its namespace or limit), the folder is writable again.
    await worker.kill('SIGKILL');
    fault.undo(artifacts);
    await follower.kill('SIGKILL');
    const resume = labor(['resume', runId], env, { timeoutMs: 240_000 });
    const code = await resume.done;
    const fixed = await snapshot(home);
    const { differences } = compareStores(ctx.baseline ?? fixed, fixed, { only: ['panel', 'text'] });
    ctx.check(
      `${fault.name}: \`labor-llm resume\` after the fix completes, artifacts as undisturbed`,
      code === 0 && differences.length === 0 && storeProblems(fixed).length === 0,
      code === 0 ? differences.join('; ') || `${fixed.artifacts.size} artifacts` : `exit ${code}: ${lastLines(resume)}`,
    );
  } finally {
    fault.undo(artifacts);
    await worker?.kill('SIGKILL');
    await follower.kill('SIGKILL');
  }
}

/** The failure of the experiment's run, once it has failed. */
async function runFailure(ctx: Ctx, experiment: string, timeoutMs: number): Promise<string | undefined> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
    for await (const w of ctx.server.client.workflow.list({ query: `ExperimentName="${experiment}" AND ExecutionStatus="Failed"` })) {
      try {
        await ctx.server.client.workflow.getHandle(w.workflowId, w.runId).result();
      } catch (err) {
        const messages: string[] = [];
        for (let e = err as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) if (e.message) messages.push(e.message);
        return messages.join(': ');
      }
    }
  }
  return undefined;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').slice(0, 200);
