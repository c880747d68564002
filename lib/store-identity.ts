/**
 * A store's identity. A store is the state folder (LABOR_LLM_HOME: artifacts, jobs, run
 * manifests); its id is a short random name created once and kept in `<home>/store.json`. The
 * id scopes workflow ids and task queues, so two stores on one Temporal server never attach to
 * each other's runs nor run each other's steps, while workers on many machines that share one
 * store (through a shared file system) read the same id and cooperate.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidConfig } from './errors';

export const STORE_FILE = 'store.json';
/** 8 characters of lower-case base32: 40 random bits, readable in ids and queue names. */
export const STORE_ID_PATTERN = /^[a-z2-7]{8}$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export interface StoreIdentity {
  id: string;
  createdAt: string;
  /** The file it was read from. */
  file: string;
}

function newId(): string {
  return [...randomBytes(8)].map((b) => ALPHABET[b & 31]).join('');
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function read(file: string): StoreIdentity | undefined {
  for (let attempt = 0; ; attempt++) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    // Without hard links, creation falls back to an exclusive create, whose file is briefly empty.
    if (text === '' && attempt < 50) {
      sleepSync(20);
      continue;
    }
    let parsed: { id?: unknown; createdAt?: unknown } | undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed?.id === 'string' && STORE_ID_PATTERN.test(parsed.id)) {
      return { id: parsed.id, createdAt: String(parsed.createdAt ?? ''), file };
    }
    throw new InvalidConfig(`${file}: not a labor-llm store identity`, [
      `expected JSON {"id": "<8 characters a-z, 2-7>"}, found ${JSON.stringify(text.slice(0, 80))}`,
      'restore the file, or delete it to give this store a new id (runs started under the old id then belong to no store here)',
    ]);
  }
}

/**
 * The store's identity, created on first use. Creation is atomic: the file is written under a
 * temporary name and hard-linked into place, which fails if another process got there first;
 * every racer then reads the one winning id.
 */
export function storeIdentity(home: string): StoreIdentity {
  const file = join(home, STORE_FILE);
  const existing = read(file);
  if (existing) return existing;
  mkdirSync(home, { recursive: true });
  const body = JSON.stringify({ id: newId(), createdAt: new Date().toISOString() }, null, 2) + '\n';
  const tmp = join(home, `.${STORE_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, body);
    linkSync(tmp, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') {
      try {
        writeFileSync(file, body, { flag: 'wx' });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    } else if (code !== 'EEXIST') {
      throw err;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  const won = read(file);
  if (!won) throw new Error(`${file}: vanished right after it was created`);
  return won;
}
