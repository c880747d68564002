import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobProvider, JobStatus } from '../../lib/finetune';
import type { TrainerCommand } from '../../lib/finetune/trainer-command';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'finetune');
export const VENV_PYTHON = join(REPO_ROOT, '.venv', 'bin', 'python');

/** The fake trainer package: same `-m labor_trainer.train --job-dir DIR` interface. */
export const FAKE_TRAINER: TrainerCommand = { python: VENV_PYTHON, trainerPath: join(FIXTURES, 'fake_trainer') };

export function tempJobsRoot(prefix = 'labor-llm-ft-'): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Polls status until `until` holds (default: a terminal state). */
export async function waitUntil(
  provider: JobProvider,
  jobId: string,
  until: (s: JobStatus) => boolean = (s) => !['pending', 'running'].includes(s.state),
  timeoutMs = 30_000,
): Promise<JobStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: JobStatus | undefined;
  while (Date.now() < deadline) {
    last = await provider.status(jobId);
    if (until(last)) return last;
    await sleep(50);
  }
  throw new Error(`job ${jobId}: condition not met within ${timeoutMs} ms; last status ${JSON.stringify(last)}`);
}

/** Lines of runs.log: one per trainer process started in the job folder. */
export function runsOf(jobDir: string): { pid: number; start: number }[] {
  let text = '';
  try {
    text = readFileSync(join(jobDir, 'runs.log'), 'utf8');
  } catch {
    return [];
  }
  return text.trim().split('\n').filter(Boolean).map((l) => {
    const [pid, start] = l.split(' ').map(Number);
    return { pid, start };
  });
}

export function pidRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
