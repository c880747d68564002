/** Panel folders written by `labor-llm data`: whole or not at all. */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { writePanel } from '../lib/panel/panel-io';
import { formatPanelSummary, summarizePanel } from '../lib/panel/inspect';
import type { Panel } from '../lib/panel/panel';
import { say, UsageError } from './output';

/** Fails before any work when `out` cannot be written (so a long import is not wasted). */
export function checkOutFolder(out: string): string {
  const dir = resolve(out);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UsageError(`--out ${dir}: folder exists and is not empty (choose a new folder, or empty this one)`);
  return dir;
}

/** Writes a panel into `out`: built in a sibling temp folder, then renamed. */
export function writePanelFolder(out: string, panel: Panel): void {
  const dir = checkOutFolder(out);
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  try {
    writePanel(tmp, panel);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  say(formatPanelSummary(summarizePanel(panel)));
  say(`written to ${dir}`);
}
