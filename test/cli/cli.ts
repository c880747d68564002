/** Runs `node bin/labor-llm.js …` as a child process, the way a person runs it. */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, spawnProc } from '../helpers/processes';

export { BIN };

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  /** Everything printed so far. */
  readonly stdout: string;
  readonly stderr: string;
  done: Promise<CliResult>;
  /** Resolves when stdout matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000, nodeArgs: string[] = []): RunningCli {
  // CI=1: plain progress lines whatever the terminal (stdout is a pipe here anyway).
  const p = spawnProc([process.execPath, ...nodeArgs, BIN, ...args], { ...env, CI: '1' }, timeoutMs);
  return {
    child: p.child,
    get stdout() {
      return p.stdout;
    },
    get stderr() {
      return p.stderr;
    },
    done: p.done.then((code) => ({ code, stdout: p.stdout, stderr: p.stderr })),
    waitFor: (pattern, ms = 30_000) => p.waitFor(pattern, ms),
  };
}

export const cli = (args: string[], env: NodeJS.ProcessEnv, timeoutMs?: number): Promise<CliResult> => startCli(args, env, timeoutMs).done;

/**
 * Node arguments that record every module the process (and its threads) resolves into
 * `traceFile`, one URL a line: to check what a command loads.
 */
export function moduleTrace(dir: string, traceFile: string): string[] {
  const hooks = join(dir, 'trace-hooks.mjs');
  writeFileSync(hooks, `import { appendFileSync } from 'node:fs';
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  appendFileSync(${JSON.stringify(traceFile)}, r.url + '\\n');
  return r;
}
`);
  const register = join(dir, 'trace-register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  return ['--import', pathToFileURL(register).href];
}

/** Heavy or worker-only modules the command line's own process must not load. */
export const HEAVY_MODULES = /@temporalio|onnxruntime|@huggingface|\/lib\/lm\/|webpack|apache-arrow/;
export const SCORING_MODULES = /onnxruntime|@huggingface|\/lib\/lm\//;
