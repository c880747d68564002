/** Runs `node bin/labor-llm.js …` as a child process, the way a person runs it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const BIN = resolve('bin/labor-llm.js');

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
  const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], { env: { ...env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d;
    listeners.forEach((l) => l());
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<CliResult>((res, rej) => {
    child.on('error', rej);
    child.on('close', (code) => {
      clearTimeout(timer);
      listeners.forEach((l) => l());
      res({ code, stdout, stderr });
    });
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    done,
    waitFor(pattern, ms = 30_000) {
      return new Promise((res, rej) => {
        const check = () => {
          const m = stdout.match(pattern);
          if (m) {
            listeners.delete(check);
            clearTimeout(t);
            res(m);
          } else if (child.exitCode !== null) {
            listeners.delete(check);
            clearTimeout(t);
            rej(new Error(`exited ${child.exitCode} before printing ${pattern}:\n${stdout}\n${stderr}`));
          }
        };
        const t = setTimeout(() => {
          listeners.delete(check);
          rej(new Error(`no ${pattern} within ${ms} ms:\n${stdout}\n${stderr}`));
        }, ms);
        listeners.add(check);
        check();
      });
    },
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
