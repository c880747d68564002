import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import { expect, test } from 'vitest';

// The global setup gives the run one temp folder, removed at its end; tests and the processes
// they start must inherit it, or a failed test's leftovers stay on the host.
test('tests and their child processes use the run’s own temp folder', () => {
  expect(basename(tmpdir())).toMatch(/^labor-llm-tests-/);
  const python = execFileSync('python3', ['-c', 'import tempfile; print(tempfile.gettempdir())']).toString().trim();
  expect(python).toBe(tmpdir());
  expect(dirname(tmpdir())).not.toBe(tmpdir());
});
