/**
 * Follows a run: polls the workflow's progress query (and its children's, for training and
 * scoring detail), draws progress bars on a terminal or plain lines otherwise, and resolves
 * with the run's result.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, WorkflowHandle } from '@temporalio/client';
import cliProgress from 'cli-progress';
import type { RunExperimentResult, RunProgress, StepState } from '../temporal/run-types';
import { join } from 'node:path';
import { stablePathOf } from '../lib/artifacts/stable-path';
import { say, seconds, table } from './output';

const childId = (workflowId: string, step: string) => `${workflowId}/${step}`;

/** The run's progress with live detail from the finetune/evaluate child workflows. */
export async function readProgress(client: Client, handle: WorkflowHandle): Promise<RunProgress | undefined> {
  let progress: RunProgress;
  try {
    progress = await handle.query<RunProgress>('progress');
  } catch {
    return undefined; // not started yet, or no worker to answer
  }
  await Promise.all(
    progress.steps
      .filter((s) => s.status === 'running' && (s.kind === 'finetune' || s.kind === 'fit' || s.kind === 'evaluate'))
      .map(async (s) => {
        try {
          const p = await client.workflow.getHandle(childId(handle.workflowId, s.name)).query<Record<string, unknown>>('progress');
          if (s.kind === 'finetune' || s.kind === 'fit') Object.assign(s, { detail: p.detail, fraction: p.fraction });
          else Object.assign(s, { detail: `shards ${p.shardsDone}/${p.shards} · ${p.points} points`, fraction: Number(p.shardsDone) / Math.max(1, Number(p.shards)) });
        } catch {
          /* child not started yet */
        }
      }),
  );
  return progress;
}

const cancelled = (s: StepState) => s.status === 'failed' && /^[\w ]*cancell?ed$/i.test(s.error ?? '');

function statusWord(s: StepState): string {
  if (cancelled(s)) return 'cancelled';
  return s.status === 'cached' ? 'cached ✓' : s.status === 'done' ? 'done ✓' : s.status === 'failed' ? 'FAILED' : s.status;
}

export async function watchRun(client: Client, handle: WorkflowHandle, opts: { tty: boolean; intervalMs?: number }): Promise<RunExperimentResult> {
  const result = handle.result() as Promise<RunExperimentResult>;
  let settled = false;
  result.then(() => (settled = true), () => (settled = true));

  const bars = opts.tty ? new cliProgress.MultiBar({ format: ' {name} {bar} {status} {detail}', hideCursor: true, clearOnComplete: false, barsize: 20, autopadding: true }, cliProgress.Presets.shades_classic) : undefined;
  const barOf = new Map<string, cliProgress.SingleBar>();
  // Plain lines (logs, CI): one per change of status; detail updates at most every 10 s; a
  // step seen 'running' once without detail (a cache lookup, usually) is not worth a line.
  const last = new Map<string, { status: string; line: string; at: number; polls: number }>();
  const plainLine = (s: StepState, line: string) => {
    const prev = last.get(s.name);
    const polls = prev?.status === s.status ? prev.polls + 1 : 1;
    const now = Date.now();
    last.set(s.name, { status: s.status, line: prev?.line ?? '', at: prev?.at ?? 0, polls });
    if (s.status === 'pending' || line === prev?.line) return;
    if (s.status === 'running' && !s.detail && polls < 2) return;
    if (prev?.status === s.status && prev.line && s.status === 'running' && now - prev.at < 10_000) return;
    say(line);
    last.set(s.name, { status: s.status, line, at: now, polls });
  };
  const render = (p: RunProgress) => {
    const width = Math.max(...p.steps.map((s) => s.name.length));
    for (const s of p.steps) {
      const fraction = ['done', 'cached'].includes(s.status) ? 1 : s.fraction ?? 0;
      const payload = { name: s.name.padEnd(width), status: statusWord(s), detail: cancelled(s) ? '' : s.status === 'failed' ? s.error?.split('\n')[0] ?? '' : s.detail ?? '' };
      if (bars) {
        let bar = barOf.get(s.name);
        if (!bar) barOf.set(s.name, (bar = bars.create(100, 0, payload)));
        bar.update(Math.round(fraction * 100), payload);
      } else {
        plainLine(s, `[${s.name}] ${payload.status}${payload.detail ? ` · ${payload.detail}` : ''}`);
      }
    }
  };

  try {
    while (!settled) {
      const p = await readProgress(client, handle);
      if (p) render(p);
      // An unref'd timer: a pending poll interval must not hold the process open after the run ends.
      await Promise.race([sleep(opts.intervalMs ?? 500, undefined, { ref: false }), result.catch(() => undefined)]);
    }
    const final = await result;
    render({ experiment: '', configHash: '', status: 'succeeded', steps: final.steps });
    return final;
  } catch (err) {
    const p = await readProgress(client, handle).catch(() => undefined);
    if (p) render(p);
    throw err;
  } finally {
    bars?.stop();
  }
}

/** The end-of-run summary: one row per step, then the evaluation tables. */
export function printSummary(steps: StepState[]): void {
  const facts = (s: StepState) =>
    Object.entries(s.summary ?? {})
      .filter(([k, v]) => k !== 'table' && v !== undefined && v !== null && typeof v !== 'object')
      .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : v}`)
      .join(' ');
  say();
  say(table([['step', 'kind', 'status', 'time', 'summary'], ...steps.map((s) => [s.name, s.kind, s.status, s.status === 'cached' ? '' : seconds(s.finishedAt && s.startedAt ? s.finishedAt - s.startedAt : undefined), facts(s)])]));
  // A comparison tabulates every evaluation's models at once: then its table alone.
  const compared = steps.some((s) => s.kind === 'compare' && typeof s.summary?.table === 'string');
  for (const s of steps) {
    if (typeof s.summary?.table !== 'string' || (compared && s.kind !== 'compare')) continue;
    say();
    say(s.kind === 'compare' ? `${s.name}: every model, best first` : `${s.name}: ${s.summary.points} prediction points`);
    say(s.summary.table);
  }
  // The report is what a person opens next: its full path, last.
  for (const s of steps) {
    if (s.kind === 'report' && s.artifact && typeof s.summary?.report === 'string') say(`\nreport (${s.name}): ${join(stablePathOf(s.artifact), s.summary.report)}`);
  }
}

/** 4 significant digits for small values, whole numbers from 1,000 on, exponents only when tiny. */
export function formatNumber(v: number): string {
  if (Number.isInteger(v) || Math.abs(v) >= 1000) return Math.round(v).toString();
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(1);
  return Number(v.toPrecision(4)).toString();
}
