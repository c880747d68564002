/** Printing helpers and the mapping from errors to exit codes (README: Exit codes). */
import { WorkflowFailedError } from '@temporalio/client';
import { ExitCode, LaborError } from '../lib/errors';

const INPUT_FAILURE_TYPES = new Set(['InvalidConfig', 'InvalidData', 'InvalidModel']);

export const say = (line = ''): void => void process.stdout.write(line + '\n');
export const warn = (line: string): void => void process.stderr.write(line + '\n');

/** Prints an error as a person should see it and returns the exit code. */
export function reportError(err: unknown): number {
  if (err instanceof LaborError) {
    warn(`error: ${err.message}`);
    return err.exitCode;
  }
  if (err instanceof WorkflowFailedError) {
    let cause = err.cause as { message?: string; type?: string; cause?: unknown } | undefined;
    const type = cause?.type;
    while (cause?.cause) cause = cause.cause as typeof cause;
    warn(`run failed: ${(err.cause as Error | undefined)?.message ?? cause?.message ?? err.message}`);
    return type && INPUT_FAILURE_TYPES.has(type) ? ExitCode.invalidInput : ExitCode.runFailed;
  }
  warn(`error: ${(err as Error)?.message ?? String(err)}`);
  if (process.env.LABOR_LLM_LOG === 'debug') warn((err as Error)?.stack ?? '');
  return ExitCode.runFailed;
}

/** A left-aligned text table. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (cell ?? '').padEnd(widths[c])).join('  ').trimEnd()).join('\n');
}

export function seconds(ms?: number): string {
  return ms === undefined ? '' : `${(ms / 1000).toFixed(1)}s`;
}
