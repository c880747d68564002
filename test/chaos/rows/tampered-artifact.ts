/**
 * Artifacts whose bytes changed after they were written (a panel file, an evaluation file):
 * the next run of the experiment detects them, rebuilds those steps, reuses the others, and
 * ends with the undisturbed run's artifacts.
 */
import { openSync, readSync, writeSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compareStores, pathOnlyNote, snapshot, storeProblems } from '../artifacts';
import { e2eConfig } from '../configs';
import type { Ctx } from '../context';
import { labor } from '../processes';
import { lastLines } from './kill-worker';

/** Artifact kind -> a file of it to damage, and the step that must be rebuilt. */
const TARGETS = [
  { kind: 'panel', file: 'persons.arrow', step: 'survey' },
  { kind: 'evaluation', file: 'metrics.txt', step: 'eval' },
];

export async function tamperedArtifact(ctx: Ctx): Promise<void> {
  const home = ctx.store('e2e-store');
  const file = e2eConfig(ctx.root, 'chaos-tamper');
  const first = labor(['run', file], ctx.env(home));
  const code = await first.done;
  if (code !== 0) {
    ctx.check('a run to damage', false, `exit ${code}: ${lastLines(first)}`);
    return;
  }
  const before = await snapshot(home);
  const damaged: string[] = [];
  for (const t of TARGETS) {
    const id = [...before.folders.keys()].find((k) => k.startsWith(`${t.kind}/`));
    if (!id) continue;
    flipByte(join(before.folders.get(id)!, t.file), ctx.random());
    damaged.push(`${id}/${t.file}`);
  }
  const seen = await snapshot(home);
  ctx.check('a changed byte is detected (the artifact no longer verifies)', seen.damaged.length === damaged.length, `damaged ${damaged.join(', ')}; not verifying: ${seen.damaged.join(', ') || 'none'}`);

  const again = labor(['run', file], ctx.env(home));
  const rerun = await again.done;
  const rebuilt = TARGETS.filter((t) => new RegExp(`^\\[${t.step}\\] done`, 'm').test(again.stdout)).map((t) => t.step);
  const reused = (again.stdout.match(/^\[([\w-]+)\] cached/gm) ?? []).map((l) => l.slice(1, l.indexOf(']')));
  ctx.check(
    'the next run rebuilds the damaged steps',
    rerun === 0 && rebuilt.length === TARGETS.length,
    rerun === 0 ? `rebuilt: ${rebuilt.join(', ') || 'none'}; cached: ${reused.join(', ') || 'none'}` : `exit ${rerun}: ${lastLines(again)}`,
  );
  const after = await snapshot(home);
  const { differences, pathOnly } = compareStores(ctx.baseline ?? before, after);
  const problems = [...differences, ...storeProblems(after)];
  ctx.check('after it, every artifact verifies and equals the undisturbed run\'s', rerun === 0 && problems.length === 0, problems.join('; ') || `${after.artifacts.size} artifacts${pathOnlyNote(pathOnly)}`);
}

/** Changes one byte (chosen by `r` in [0, 1)) of a file, in place. */
function flipByte(path: string, r: number): void {
  const at = Math.floor(r * statSync(path).size);
  const fd = openSync(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    b[0] ^= 0xff;
    writeSync(fd, b, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}
