/**
 * Child processes of the tests and the chaos suite, followed as a person follows them: output
 * so far, waiting for a line, the exit code; every one still running can be killed at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const BIN = resolve('bin/labor-llm.js');

export interface Proc {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Exit code (null when killed by a signal). */
  done: Promise<number | null>;
  exited(): boolean;
  /** Resolves with the match once stdout matches; rejects if the process ends first or on timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const live = new Set<ChildProcess>();

/** SIGKILLs every process the suite started that is still running. */
export function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}

/**
 * Runs `command` (argv[0] = executable) with `env`. A shell prefix such as
 * `['sh', '-c', 'ulimit -f 64; exec "$0" "$@"']` can go before the node command.
 */
export function spawnProc(argv: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): Proc {
  const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d;
    listeners.forEach((l) => l());
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  let exitedFlag = false;
  const done = new Promise<number | null>((res) => {
    child.on('error', () => res(null));
    child.on('close', (code) => {
      exitedFlag = true;
      clearTimeout(timer);
      live.delete(child);
      listeners.forEach((l) => l());
      res(code);
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
    exited: () => exitedFlag,
    waitFor(pattern, ms = 120_000) {
      return new Promise((res, rej) => {
        const check = () => {
          const m = stdout.match(pattern);
          if (m || exitedFlag) {
            listeners.delete(check);
            clearTimeout(t);
            if (m) res(m);
            else rej(new Error(`exited before printing ${pattern}: ${(stderr || stdout).trim().split('\n').slice(-3).join(' | ')}`));
          }
        };
        const t = setTimeout(() => {
          listeners.delete(check);
          rej(new Error(`no ${pattern} within ${ms / 1000} s`));
        }, ms);
        listeners.add(check);
        check();
      });
    },
    async kill(signal = 'SIGKILL') {
      if (!exitedFlag) child.kill(signal);
      await done;
    },
  };
}
