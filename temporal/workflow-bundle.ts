/**
 * The workflow bundle, cached on disk: bundling (webpack) takes over a second, and every CLI
 * process that runs an in-process worker needs it. The file name carries a hash of every source
 * the bundle could include and of the SDK versions, so a changed workflow is never served stale.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFileAtomic } from '../lib/artifacts/atomic';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WORKFLOWS_PATH = join(ROOT, 'workflows/index.ts');

/** Folders hashed whole: the workflows and the workflow-safe modules they import at run time. */
const HASHED_DIRS = ['workflows', 'temporal', 'lib/config'];
/** Packages whose code or bundler ends up in (or shapes) the bundle. */
const HASHED_PACKAGES = ['@temporalio/workflow', '@temporalio/worker', '@temporalio/common', '@temporalio/proto'];
const SOURCE = /\.(ts|mts|js|mjs|cjs|json)$/;

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && SOURCE.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** Relative imports of a module that survive compilation (`import type` / `export type` are erased). */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm)) {
    if (m[2]) continue;
    const spec = m[3] ?? m[4];
    const base = resolve(dirname(file), spec);
    const found = [base, `${base}.ts`, `${base}.mts`, `${base}.js`, join(base, 'index.ts')].find((p) => existsSync(p) && statSync(p).isFile());
    if (found) out.push(found);
  }
  return out;
}

/** Every file the bundle could include: the hashed folders plus the value-import closure of the workflows. */
export function bundleSources(): string[] {
  const files = new Set(HASHED_DIRS.flatMap((d) => listFiles(join(ROOT, d))));
  const queue = [WORKFLOWS_PATH];
  while (queue.length) {
    const f = queue.pop()!;
    for (const dep of valueImports(f)) {
      if (!files.has(dep)) queue.push(dep);
      files.add(dep);
    }
    files.add(f);
  }
  return [...files].sort();
}

/** Hash of the bundle's inputs: relative path and content of each source, and the SDK versions. */
export function bundleHash(): string {
  const hash = createHash('sha256');
  for (const f of bundleSources()) hash.update(`${relative(ROOT, f)}\0`).update(readFileSync(f)).update('\0');
  const require = createRequire(import.meta.url);
  for (const p of HASHED_PACKAGES) {
    let version = 'none';
    try {
      version = (require(`${p}/package.json`) as { version: string }).version;
    } catch {
      /* not installed: the bundle fails anyway */
    }
    hash.update(`${p}@${version}\n`);
  }
  return hash.digest('hex').slice(0, 24);
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

/** Keep this many bundles (other checkouts or versions may share the state folder). */
const KEEP = 4;

/**
 * The bundle's code: read from `<cacheDir>/workflow-bundle-<hash>.js`, or built and written
 * there atomically. Without a cacheDir it is built every time.
 */
export async function loadWorkflowBundle(cacheDir?: string): Promise<{ code: string; cached: boolean; path?: string }> {
  if (!cacheDir) return { code: (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger })).code, cached: false };
  const path = join(cacheDir, `workflow-bundle-${bundleHash()}.js`);
  if (existsSync(path)) {
    const code = readFileSync(path, 'utf8');
    if (code.length > 0) return { code, cached: true, path };
  }
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  try {
    writeFileAtomic(path, code);
    prune(cacheDir, path);
  } catch {
    return { code, cached: false }; // a read-only state folder: bundle again next time
  }
  return { code, cached: false, path };
}

function prune(cacheDir: string, keep: string): void {
  try {
    const old = readdirSync(cacheDir)
      .filter((n) => /^workflow-bundle-[0-9a-f]+\.js$/.test(n) && join(cacheDir, n) !== keep)
      .map((n) => ({ path: join(cacheDir, n), mtime: statSync(join(cacheDir, n)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime)
      .slice(KEEP - 1);
    for (const f of old) rmSync(f.path, { force: true });
  } catch {
    /* another process pruned first */
  }
}
