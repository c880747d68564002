/**
 * The code closure of each step kind: every repository file its implementation can run (found
 * by bundling its entry modules with esbuild and reading the metafile; modules a task loads into
 * a worker thread through `new URL('./x.ts', import.meta.url)` are followed too), the versions of
 * the npm packages they import, and the Python they run (the trainer, the torch scorer). step-code.json
 * records a hash of each closure; the step-code test recomputes them, so a code change cannot
 * keep serving artifacts that older code built (see step-code.ts).
 *
 * Used by that test and by scripts/update-step-code.ts only: esbuild stays out of the worker.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { buildSync, transformSync, type Loader } from 'esbuild';
import type { StepKind } from '../../lib/config/schema';

/**
 * What each kind runs, relative to the repository root: the modules of its activities and
 * workflow, and folders or files it runs outside Node (every file under a folder counts, except
 * those under a `!folder` entry).
 */
const TORCH_SCORER = ['scorer/labor_scorer', 'trainer/labor_trainer/model_folder.py'];

export const STEP_ENTRIES: Record<StepKind, string[]> = {
  data: ['activities/data/prepare-data.ts'],
  encode: ['activities/data/encode-text.ts'],
  // The CAREER-style model lives beside the trainer but is not what a finetune step runs.
  finetune: ['activities/finetune/fine-tune-job.ts', 'workflows/fine-tune.ts', 'trainer/labor_trainer', '!trainer/labor_trainer/career', 'trainer/requirements.txt'],
  fit: ['activities/finetune/fine-tune-job.ts', 'workflows/fine-tune.ts', 'baselines/labor_baselines', 'trainer/labor_trainer', 'trainer/requirements.txt'],
  // The torch scorer, and the trainer's reader of model folders that it imports.
  evaluate: ['activities/evaluate/evaluate-activities.ts', 'workflows/evaluate.ts', ...TORCH_SCORER],
  analyze: ['activities/analysis/analyze-step.ts', ...TORCH_SCORER],
  report: ['activities/report/report-step.ts'],
  compare: ['activities/compare/compare-step.ts'],
};

export interface Closure {
  /** sha256 over `files`. */
  sha256: string;
  /** Repository path (or `npm:<package>`) -> digest of its code (or the package version). */
  files: Record<string, string>;
}

const THREAD_MODULE = /new URL\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g;
const LOADERS: Record<string, Loader> = { '.ts': 'ts', '.tsx': 'tsx', '.mts': 'ts', '.js': 'js', '.mjs': 'js', '.cjs': 'js' };
const NODE_SOURCE = /\.(ts|tsx|mts|js|mjs|cjs|json)$/;

/**
 * Digest of a file's code: TypeScript and JavaScript without comments, types and layout
 * (esbuild's transform), so an edited comment or type does not count as a change; other files
 * byte for byte.
 */
export function codeDigest(path: string, text: string): string {
  const loader = LOADERS[extname(path)];
  const code = loader ? transformSync(text, { loader, minifyWhitespace: true, legalComments: 'none', format: 'esm' }).code : text;
  return createHash('sha256').update(code).digest('hex').slice(0, 16);
}

function filesUnder(root: string, path: string): string[] {
  const abs = join(root, path);
  if (!existsSync(abs)) throw new Error(`step code entry not found: ${path}`);
  if (!statSync(abs).isDirectory()) return [path];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.parentPath.includes('__pycache__') && !e.name.endsWith('.pyc'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

function packageOf(specifier: string): string | null {
  if (specifier.startsWith('node:') || !/^[@a-z]/i.test(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function packageVersion(root: string, name: string): string {
  const file = join(root, 'node_modules', name, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : 'not installed';
}

/** Node modules reachable from `entries` (repository paths), and the npm packages they import. */
function nodeClosure(root: string, entries: string[]): { files: string[]; packages: string[] } {
  const all = new Set(entries);
  for (;;) {
    const { metafile } = buildSync({
      absWorkingDir: root, entryPoints: [...all], bundle: true, write: false, metafile: true, outdir: 'out',
      platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent',
    });
    const files = Object.keys(metafile.inputs).sort();
    const packages = new Set<string>();
    for (const input of Object.values(metafile.inputs)) {
      for (const imp of input.imports) {
        const name = imp.external ? packageOf(imp.path) : null;
        if (name) packages.add(name);
      }
    }
    // Modules loaded into worker threads by URL are entries of their own.
    const more = files.flatMap((f) =>
      [...readFileSync(join(root, f), 'utf8').matchAll(THREAD_MODULE)].map((m) => relative(root, resolve(root, dirname(f), m[1]))),
    ).filter((f) => !all.has(f) && NODE_SOURCE.test(f));
    if (more.length === 0) return { files, packages: [...packages].sort() };
    for (const f of more) all.add(f);
  }
}

export function stepClosure(root: string, kind: StepKind): Closure {
  const excluded = STEP_ENTRIES[kind].filter((e) => e.startsWith('!')).map((e) => `${e.slice(1)}/`);
  const entries = STEP_ENTRIES[kind].filter((e) => !e.startsWith('!'));
  const node = entries.filter((e) => NODE_SOURCE.test(e));
  const other = entries
    .filter((e) => !NODE_SOURCE.test(e))
    .flatMap((e) => filesUnder(root, e))
    .filter((f) => !excluded.some((x) => f.startsWith(x)));
  const { files, packages } = nodeClosure(root, node);
  const digests: Record<string, string> = {};
  for (const f of [...files, ...other].sort()) digests[f] = codeDigest(f, readFileSync(join(root, f), 'utf8'));
  for (const p of packages) digests[`npm:${p}`] = packageVersion(root, p);
  const sha256 = createHash('sha256').update(JSON.stringify(Object.entries(digests))).digest('hex');
  return { sha256, files: digests };
}
