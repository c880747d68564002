/**
 * Child processes of the chaos suite: `labor-llm` commands run the way a person runs them, and
 * every one of them is killed when the suite ends (even when a row throws).
 */
import { BIN, spawnProc, type Proc } from '../helpers/processes';

export { killAll, type Proc } from '../helpers/processes';

/** `node bin/labor-llm.js …` with CI=1 (plain progress lines). */
export function labor(args: string[], env: NodeJS.ProcessEnv, opts: { timeoutMs?: number; prefix?: string[] } = {}): Proc {
  return spawnProc([...(opts.prefix ?? []), process.execPath, BIN, ...args], { ...env, CI: '1' }, opts.timeoutMs);
}

/** The run id a `run`/`resume` prints first. */
export const runIdOf = (stdout: string): string | undefined => stdout.match(/^run (\S+) \(/m)?.[1];
