/**
 * Printing helpers and the mapping from errors to exit codes (README: Exit codes). Loaded by
 * every command, so it imports nothing heavy (no Temporal SDK: errors are recognised by name).
 */
import { ExitCode, LaborError } from '../lib/errors';

const INPUT_FAILURE_TYPES = new Set(['InvalidConfig', 'InvalidData', 'InvalidModel']);

export const say = (line = ''): void => void process.stdout.write(line + '\n');
export const warn = (line: string): void => void process.stderr.write(line + '\n');

/** A mistake in how the command was called (an unknown run id, a flag that does not apply): exit code 2. */
export class UsageError extends LaborError {
  readonly type = 'UsageError';
}

interface FailureLike {
  name?: string;
  message?: string;
  type?: string;
  cause?: unknown;
}

/** The chain of causes of a Temporal failure, outermost first. */
function causes(err: unknown): FailureLike[] {
  const out: FailureLike[] = [];
  for (let e = err as FailureLike | undefined; e && out.length < 20; e = e.cause as FailureLike | undefined) out.push(e);
  return out;
}

/** Prints an error as a person should see it and returns the exit code. */
export function reportError(err: unknown): number {
  if (err instanceof LaborError) {
    warn(`error: ${err.message}`);
    return err.exitCode;
  }
  const e = err as FailureLike | undefined;
  if (e?.name === 'WorkflowFailedError') {
    const chain = causes(e.cause);
    if (chain.some((c) => c.name === 'CancelledFailure')) {
      warn('run cancelled');
      return ExitCode.runFailed;
    }
    if (chain.some((c) => c.name === 'TerminatedFailure')) {
      warn(`run terminated${chain[0]?.message ? `: ${chain[0].message}` : ''}`);
      return ExitCode.runFailed;
    }
    // The workflow's own failure names every failed step; the innermost cause is the detail.
    const type = chain[0]?.type;
    warn(`run failed: ${chain[0]?.message ?? chain.at(-1)?.message ?? e.message}`);
    const hint = (err as { hint?: string }).hint;
    if (hint) warn(hint);
    return type && INPUT_FAILURE_TYPES.has(type) ? ExitCode.invalidInput : ExitCode.runFailed;
  }
  if (e?.name === 'WorkflowNotFoundError') {
    const id = (err as { workflowId?: string }).workflowId;
    warn(id ? `error: no run '${id}' on this server: \`labor-llm list\` shows the runs` : `error: ${e.message}`);
    return ExitCode.invalidInput;
  }
  warn(`error: ${e?.message ?? String(err)}`);
  if (process.env.LABOR_LLM_LOG === 'debug') warn((err as Error)?.stack ?? '');
  return ExitCode.runFailed;
}

/** A left-aligned text table. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (cell ?? '').padEnd(widths[c])).join('  ').trimEnd()).join('\n');
}

/** A duration: "12.3s", "2m05s", "1h07m". Rounded to the unit shown first, then split (119.6 s is 2m00s, not 1m60s). */
export function seconds(ms?: number): string {
  if (ms === undefined) return '';
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  const m = Math.round(ms / 60_000);
  return `${Math.floor(m / 60)}h${pad(m % 60)}m`;
}

/** A timestamp as a person reads it: local date and time to the second. */
export function when(d: Date | number | undefined): string {
  if (d === undefined) return '';
  const t = new Date(d);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())} ${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}`;
}

/** Temporal's execution status names in the words the project uses (README, RunStatus). */
export function statusName(temporalStatus: string): string {
  const map: Record<string, string> = {
    RUNNING: 'running', COMPLETED: 'succeeded', FAILED: 'failed', CANCELLED: 'cancelled',
    TERMINATED: 'terminated', TIMED_OUT: 'timed out', CONTINUED_AS_NEW: 'continued',
  };
  return map[temporalStatus] ?? temporalStatus.toLowerCase();
}
