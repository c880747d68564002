/**
 * At least 100 generated malformed configs and data files, each given to the command that reads
 * it (`validate`, `run`, `data import`, `data synth`): exit code 2, a message naming the file
 * and the line or key, no stack trace, and nothing written (no output folder, no artifact).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { snapshot, storeProblems } from '../artifacts';
import type { Ctx } from '../context';
import { labor } from '../processes';
import type { MalformedCase } from '../malformed/case';
import { configCases } from '../malformed/config-cases';
import { dataCases } from '../malformed/data-cases';

const CONFIGS = 60;
const DATA = Number(process.env.CHAOS_DATA ?? 48);
/** Of the data cases, how many go through `run` (each starts a run on the server: seconds each). */
const DATA_RUNS = Number(process.env.CHAOS_DATA_RUNS ?? 6);
const PARALLEL = 2;

interface Outcome {
  c: MalformedCase;
  problems: string[];
  seconds: number;
}

/**
 * A `run` builds the store's workflow bundle on first use and shares the store's task queues
 * with the other case running beside it, whose worker may take one of its steps and exit; the
 * step is then retried after its timeout (2 minutes at most for a quick activity).
 */
const TIMEOUT_MS = 300_000;

export async function malformedInputs(ctx: Ctx): Promise<void> {
  const dir = join(ctx.root, 'malformed');
  mkdirSync(dir, { recursive: true });
  const cases = [...configCases(dir, CONFIGS, ctx.random), ...dataCases(dir, DATA, ctx.random, DATA_RUNS)];
  const home = ctx.store('malformed-store');
  const env = ctx.env(home);

  const outcomes: Outcome[] = [];
  const queue = [...cases];
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const t = Date.now();
        const problems = await tryCase(c, env);
        outcomes.push({ c, problems, seconds: (Date.now() - t) / 1000 });
      }
    }),
  );

  const store = await snapshot(home);
  const written = [...store.artifacts.keys(), ...storeProblems(store)];
  const groups = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    const group = `${o.c.args[0] === 'data' ? `data ${o.c.args[1]}` : o.c.args[0]} (${o.c.what.startsWith('config') ? 'configs' : 'data files'})`;
    groups.set(group, [...(groups.get(group) ?? []), o]);
  }
  for (const [group, os] of [...groups].sort()) {
    const bad = os.filter((o) => o.problems.length);
    ctx.check(
      `${group}: ${os.length} malformed inputs get exit 2, file and line/key named, no stack, nothing written`,
      bad.length === 0,
      `${bad.length ? `${bad.length} did not: ${bad.slice(0, 3).map((o) => `${o.c.what} -> ${o.problems.join(', ')}`).join(' | ')}${bad.length > 3 ? ' | …' : ''}` : 'all held'}; slowest ${Math.max(...os.map((o) => o.seconds)).toFixed(1)} s`,
    );
    for (const o of bad) ctx.log(`malformed: ${o.c.what}: ${o.problems.join('; ')}`);
  }
  ctx.check('at least 100 malformed inputs tried; the store got no artifact from any', outcomes.length >= 100 && written.length === 0, `${outcomes.length} inputs; store: ${written.join(', ') || 'nothing written'}`);
}

async function tryCase(c: MalformedCase, env: NodeJS.ProcessEnv): Promise<string[]> {
  const p = labor(c.args, env, { timeoutMs: TIMEOUT_MS });
  const code = await p.done;
  const err = p.stderr;
  const problems: string[] = [];
  // Killed at the timeout (null) or another code: what it printed says where it stood.
  if (code !== 2) problems.push(`exit ${code}${code === null ? ` (killed at the ${TIMEOUT_MS / 1000} s timeout)` : ''}; its output ends: ${p.stdout.replace(/\s+/g, ' ').trim().slice(-200) || '(nothing)'}`);
  if (!err.includes(basename(c.file))) problems.push(`${basename(c.file)} not named`);
  const lines = [...err.matchAll(/\blines? (\d+)/g)].map((m) => Number(m[1]));
  const located = (!c.lines && !c.keys) || c.lines?.some((l) => lines.includes(l)) || c.keys?.some((k) => err.includes(k));
  if (!located) problems.push(`no ${[c.lines && `line ${c.lines.join('|')}`, c.keys && `key ${c.keys.join('|')}`].filter(Boolean).join(' or ')} in: ${oneLine(err)}`);
  if (/^\s+at /m.test(err)) problems.push('stack trace');
  if (c.out && existsSync(c.out)) problems.push('output folder written');
  if (c.out && readdirSync(dirname(c.out)).some((f) => f.startsWith(`.${basename(c.out!)}`))) problems.push('temporary output folder left');
  return problems;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 160);
