/** What every chaos row gets: the server, fresh stores, a seeded random source, and its checks. */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StoreSnapshot } from './artifacts';
import type { ChaosServer } from './server';

export interface Check {
  row: string;
  tried: string;
  held: boolean;
  detail: string;
}

export interface Ctx {
  root: string;
  server: ChaosServer;
  /** A new, empty store folder (removed first if it exists). */
  store(name: string): string;
  /** The env of a `labor-llm` process on this store and the suite's server. */
  env(home: string): NodeJS.ProcessEnv;
  /** Artifacts of an undisturbed end-to-end run in the store `e2e-store` (set by the first row). */
  baseline?: StoreSnapshot;
  /** Seeded; each row gets its own stream, so `--only` reproduces a row's kills and mutations. */
  random: () => number;
  check(tried: string, held: boolean, detail?: string): void;
  log(line: string): void;
}

/** xorshift32: a seeded source for kill moments and mutations (the suite's rows are reproducible). */
export function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

export function makeCtx(root: string, server: ChaosServer, seed: number, checks: Check[], rowName: () => string): Ctx {
  const base = { ...process.env };
  // The suite decides where state lives and which server is used; nothing inherited may override it.
  for (const k of Object.keys(base)) if (k.startsWith('LABOR_LLM_') || k.startsWith('TEMPORAL_')) delete base[k];
  return {
    root,
    server,
    store(name) {
      const dir = join(root, 'stores', name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    env: (home) => ({ ...base, LABOR_LLM_HOME: home, TEMPORAL_ADDRESS: server.address }),
    random: seeded(seed),
    check(tried, held, detail = '') {
      checks.push({ row: rowName(), tried, held, detail });
      process.stderr.write(`  ${held ? 'held  ' : 'FAILED'} ${tried}${detail ? ` (${detail})` : ''}\n`);
    },
    log: (line) => process.stderr.write(`  ${line}\n`),
  };
}
