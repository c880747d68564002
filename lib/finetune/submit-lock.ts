/**
 * A per-job lock file created with O_EXCL, held around submit so that two workers submitting
 * the same spec at once start one process. A lock left by a dead holder on this host is broken.
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync, linkSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pidAlive, readProcStat } from './process-info';
import { ProviderError } from './job';

interface LockOwner {
  pid: number;
  startTime?: number;
  host: string;
  token: string;
  at: string;
}

export interface LockOptions {
  /** Give up waiting after this long (default 120 s). */
  timeoutMs?: number;
  /** A lock older than this is broken even if its holder looks alive or is on another host (default 10 min). */
  staleMs?: number;
  pollMs?: number;
}

export async function withSubmitLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const { timeoutMs = 120_000, staleMs = 600_000, pollMs = 50 } = options;
  const me: LockOwner = {
    pid: process.pid,
    startTime: readProcStat(process.pid)?.startTime,
    host: hostname(),
    token: randomBytes(8).toString('hex'),
    at: new Date().toISOString(),
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (tryCreate(path, me)) break;
    breakIfStale(path, staleMs);
    if (Date.now() > deadline) {
      throw new ProviderError(`submit lock ${path}: still held after ${timeoutMs} ms by ${safeRead(path) ?? '(unknown)'}; remove the file if its holder is gone`);
    }
    await sleep(pollMs);
  }
  try {
    return await fn();
  } finally {
    // Release only our own lock (a stale-breaker may have replaced it in a pathological case).
    if (safeRead(path)?.includes(me.token)) rmSync(path, { force: true });
  }
}

function tryCreate(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function breakIfStale(path: string, staleMs: number): void {
  const text = safeRead(path);
  if (text === undefined) return;
  let owner: Partial<LockOwner> = {};
  try {
    owner = JSON.parse(text);
  } catch {
    // Holder crashed between create and write, or is writing now: judge by age only.
  }
  let ageMs = 0;
  try {
    ageMs = Date.now() - statSync(path).mtimeMs;
  } catch {
    return;
  }
  const deadHolder = owner.host === hostname() && typeof owner.pid === 'number' && !pidAlive(owner.pid, owner.startTime);
  const unreadable = owner.pid === undefined && ageMs > 5_000;
  if (!deadHolder && !unreadable && ageMs < staleMs) return;
  // Move it aside, then check we moved the lock we judged; if a new holder slipped in, put theirs back.
  const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  if (safeRead(aside) !== text) {
    try {
      linkSync(aside, path);
    } catch {
      /* someone else holds it now; they keep it */
    }
  }
  rmSync(aside, { force: true });
}
