/**
 * The project is self-contained: no tracked file (code, tests, benchmarks, scripts, docs,
 * comments) names a path outside the repository, so a clone with nothing beside it works.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findOutsidePaths, type DetectOptions } from './outside-paths';

const ROOT = resolve(import.meta.dirname, '../..');
const GENERIC_PARENTS = ['/tmp', '/var/tmp', tmpdir(), homedir(), dirname(homedir())];

// Samples are built at run time so that this file itself names no outside path.
const UP = '..' + '/';
const PARENT = ['', 'srv', 'checkouts'].join('/');
const at = (s: string) => s.replaceAll('@P', PARENT);
const detect = (text: string, file: string, extra: Partial<DetectOptions> = {}) =>
  findOutsidePaths(at(text), { file, repoRoot: at('@P/repo'), genericParents: GENERIC_PARENTS, ...extra }).map((h) => h.path);

describe('findOutsidePaths', () => {
  it('flags relative paths that climb out of the repository from the file’s folder', () => {
    expect(detect(`const x = '${UP}shared/data/a.csv';`, 'package.json')).toEqual([`${UP}shared/data/a.csv`]);
    expect(detect(`import x from '${UP}${UP}x';`, 'index.ts')).toEqual([`${UP}${UP}x`]);
    expect(detect(`resolve(import.meta.dirname, '${UP}${UP}${UP}shared/x.csv')`, 'bench/score.ts')).toEqual([`${UP}${UP}${UP}shared/x.csv`]);
    expect(detect(`see [notes](${UP}${UP}notes.md) first`, 'docs/a.md')).toEqual([`${UP}${UP}notes.md`]);
  });

  it('joins path segments given as separate literals', () => {
    const py = `path = os.path.join(HERE, "..", "..", "shared", "data", "a.csv")`;
    expect(detect(py, 'trainer/bench.py')).toEqual([`${UP}${UP}shared/data/a.csv`]);
    expect(detect(`resolve(here, '..', '..')`, 'test/finetune/helpers.ts')).toEqual([]);
  });

  it('resolves from the repository root after an identifier naming it or a command-line option', () => {
    expect(detect(`resolve(REPO_ROOT, '${UP}shared/data/a.csv')`, 'test/import/helpers.ts')).toEqual([`${UP}shared/data/a.csv`]);
    expect(detect(`join(PROJECT_ROOT, 'data/a.csv')`, 'lib/x.ts')).toEqual([]);
    expect(detect(`.example('$0 data import --taxonomy ${UP}shared/a.csv')`, 'cli/commands/data.ts')).toEqual([`${UP}shared/a.csv`]);
  });

  it('flags absolute paths into the repository’s parent folder, with their line', () => {
    const hits = findOutsidePaths(at('one\n# see @P/shared/notes.md\n'), { file: 'r.txt', repoRoot: at('@P/repo') });
    expect(hits).toEqual([{ line: 2, path: at('@P/shared/notes.md'), reason: at('absolute path into @P, outside the repository') }]);
    expect(detect('cp @P/other-clone/x .', 'scripts/a.sh')).toEqual([at('@P/other-clone/x')]);
  });

  it('leaves alone paths that stay inside, URLs, ellipses and generic parents', () => {
    expect(detect(`import { x } from '${UP}lib/x';`, 'test/a.test.ts')).toEqual([]);
    expect(detect(`import { x } from '${UP}${UP}lib/x';`, 'test/lm/a.test.ts')).toEqual([]);
    expect(detect(`const ROOT = resolve(import.meta.dirname, '${UP}..');`, 'test/lm/fixtures.ts')).toEqual([]);
    expect(detect(`provider.status('${UP}etc')`, 'test/finetune/a.test.ts')).toEqual([]);
    expect(detect(`https://example.com/a/${UP}${UP}${UP}b and http://x.org@P/shared`, 'README.md')).toEqual([]);
    expect(detect('wait.../ then', 'README.md')).toEqual([]);
    expect(detect('cd "$(dirname "$0")/.."', '.ci/run')).toEqual([]);
    expect(detect('the repo @P/repo/data/a.csv and @P/repo', 'README.md')).toEqual([]);
    expect(detect('--out /tmp/panel', 'cli/a.ts', { repoRoot: '/tmp/clone' })).toEqual([]);
  });
});

function trackedTextFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' });
  return out.split('\0').filter(Boolean);
}

describe('the repository', () => {
  it('names no path outside itself in any tracked text file', () => {
    const problems: string[] = [];
    let scanned = 0;
    for (const file of trackedTextFiles()) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(ROOT, file));
      } catch {
        continue; // tracked but deleted in the working tree
      }
      if (bytes.includes(0)) continue; // binary
      scanned++;
      for (const hit of findOutsidePaths(bytes.toString('utf8'), { file, repoRoot: ROOT, genericParents: GENERIC_PARENTS })) {
        problems.push(`${file}:${hit.line}: '${hit.path}' ${hit.reason}`);
      }
    }
    expect(scanned).toBeGreaterThan(100);
    expect(problems, `paths outside the repository:\n${problems.join('\n')}`).toEqual([]);
  });
});
