/**
 * The evaluate step's torch backend: one shard scored by the Python scorer (scorer/labor_scorer,
 * `python -m labor_scorer.shard`) as a child process of the activity. It reads the shard's
 * requests table and writes one results table per batch (lib/lm/arrow-form.ts); each becomes
 * the same batch files as the ONNX path writes (evaluate-tasks.ts), so merging, predictions and
 * metrics are unchanged and a retried shard resumes after its last reported batch.
 *
 * Every line the child prints (model loaded, batch done) heartbeats; a child silent for twice the
 * heartbeat timeout is killed (the server has failed the attempt by then), as is one whose
 * activity is cancelled. A child that fails: an error with the tail of its stderr.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { NON_RETRYABLE_TYPES } from '../../lib/errors';
import { readResults, requestsTable } from '../../lib/lm/arrow-form';
import { scorerPythonPath, type TorchCommand } from '../../lib/lm/torch-scorer';
import type { ScoreShardTask } from './evaluate-tasks';
import { batchesToSkip, batchFile, mergeBatches, readFloat64, shardLabels, writeBatch } from './shard-batches';
import { selectPoints } from './points';
import { shardContexts } from './incontext-contexts';


export interface Bf16Check {
  points: number;
  max_abs_logprob_diff: number;
  mean_abs_diff: number;
}

const STALL_FACTOR = 2;
const STDERR_TAIL = 4000;

/** Scores the shard; with `checkPoints` (bf16 only) a sample is scored again in fp32 and compared. */
export async function scoreShardTorch(task: ScoreShardTask, cmd: TorchCommand, checkPoints = 0): Promise<{ points: number; truncated: number; scorer: unknown }> {
  const { step, start, end, dir } = task;
  const s = step.scorer;
  mkdirSync(dir, { recursive: true });
  const labels = shardLabels(task);
  const points = selectPoints(task.encodedDir, step);
  const contexts = await shardContexts(task, points, labels);
  const ids = Array.from({ length: end - start }, (_, j) => String(start + j));
  const requests = join(dir, 'requests.arrow');
  const candidates = join(dir, 'candidates.json');
  writeFileSync(requests, tableToIPC(requestsTable(ids.map((id, j) => ({ request_id: id, context: contexts.context(start + j) }))), 'file'));
  writeFileSync(candidates, JSON.stringify(labels));

  const size = s.batchPoints;
  const batches = Math.ceil((end - start) / size);
  const done = batchesToSkip(task);
  const args = [
    '--model', task.modelDir, '--requests', requests, '--candidates', candidates, '--out-dir', join(dir, 'torch'),
    '--batch-size', String(size), '--start-batch', String(done), '--device', s.device, '--dtype', s.dtype,
    '--memory-budget-mb', String(s.memoryBudgetMb), ...(s.threads ? ['--threads', String(s.threads)] : []),
  ];
  let summary: Record<string, unknown> = {};
  const ctx = Context.current();
  ctx.heartbeat({ batchesDone: done, batches });
  await runScorer(cmd, 'labor_scorer.shard', args, (event) => {
    if (event.event === 'batch') {
      const b = Number(event.batch);
      const rows = ids.slice(b * size, (b + 1) * size);
      const table = tableFromIPC(readFileSync(String(event.results)));
      const flat = new Float64Array(rows.length * labels.length);
      readResults(table, rows, labels.length, String(event.results)).forEach((r, j) => flat.set(r, j * labels.length));
      writeBatch(task, b, flat, Number(event.truncated));
      ctx.heartbeat({ batchesDone: b + 1, batches });
    } else if (event.event === 'done') {
      summary = event;
      ctx.heartbeat({ batchesDone: batches, batches });
    } else {
      ctx.heartbeat(ctx.info.heartbeatDetails);
    }
  });
  const truncated = mergeBatches(task, labels.length);
  const scorer: Record<string, unknown> = { ...(summary.scorer as object), modelDir: task.modelDir, batchPoints: size, incontext: contexts.incontext };
  if (checkPoints > 0 && s.dtype === 'bf16') scorer.bf16_check = await bf16Check(task, cmd, ids, labels.length, Math.min(checkPoints, ids.length), contexts.context);
  return { points: end - start, truncated, scorer };
}

/**
 * Scores `n` points spread over the shard again in fp32 (labor_scorer.score, a separate process so
 * the two copies of the model are never in memory together) and compares them with the shard's
 * results on every candidate.
 */
async function bf16Check(task: ScoreShardTask, cmd: TorchCommand, ids: string[], K: number, n: number, context: (i: number) => string): Promise<Bf16Check> {
  const s = task.step.scorer;
  const size = s.batchPoints;
  const picks = Array.from({ length: n }, (_, i) => Math.floor((i * ids.length) / n));
  const requests = join(task.dir, 'check-requests.arrow');
  const out = join(task.dir, 'check-fp32.arrow');
  writeFileSync(requests, tableToIPC(requestsTable(picks.map((j) => ({ request_id: ids[j], context: context(task.start + j) }))), 'file'));
  await runScorer(cmd, 'labor_scorer.score', [
    '--model', task.modelDir, '--requests', requests, '--candidates', join(task.dir, 'candidates.json'), '--out', out,
    '--device', s.device, '--dtype', 'fp32', '--memory-budget-mb', String(s.memoryBudgetMb), ...(s.threads ? ['--threads', String(s.threads)] : []),
  ], () => Context.current().heartbeat(Context.current().info.heartbeatDetails));
  const fp32 = readResults(tableFromIPC(readFileSync(out)), picks.map((j) => ids[j]), K, out);
  let max = 0;
  let sum = 0;
  picks.forEach((j, i) => {
    const batch = readFloat64(batchFile(task.dir, Math.floor(j / size)));
    const row = (j % size) * K;
    for (let c = 0; c < K; c++) {
      const d = Math.abs(batch[row + c] - fp32[i][c]);
      max = Math.max(max, d);
      sum += d;
    }
  });
  return { points: n, max_abs_logprob_diff: max, mean_abs_diff: sum / (n * K) };
}

/** Runs `python -m module args`, each JSON line of its stdout to `onEvent`; resolves when it exits 0. */
export function runScorer(cmd: TorchCommand, module: string, args: string[], onEvent: (e: Record<string, unknown>) => void): Promise<void> {
  const ctx = Context.current();
  const heartbeatMs = ctx.info.heartbeatTimeoutMs;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd.python, ['-m', module, ...args], {
      env: { ...process.env, PYTHONPATH: scorerPythonPath(cmd), PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let failure: Error | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    const stop = (err: Error) => {
      failure ??= err;
      child.kill('SIGKILL');
    };
    const rearm = () => {
      if (!heartbeatMs) return;
      clearTimeout(watchdog);
      watchdog = setTimeout(() => stop(ApplicationFailure.retryable(
        `the torch scorer (${module}) reported no progress for ${Math.round((STALL_FACTOR * heartbeatMs) / 1000)}s and was stopped; ` +
          'if it is slow rather than hung, raise timeouts.heartbeat above the time of one scoring batch (or lower scorer.batchPoints)',
        'TaskStalled',
      )), STALL_FACTOR * heartbeatMs);
    };
    const cancel = () => stop(ctx.cancellationSignal.reason instanceof Error ? ctx.cancellationSignal.reason : new Error('cancelled'));
    ctx.cancellationSignal.addEventListener('abort', cancel, { once: true });
    rearm();
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-4 * STDERR_TAIL);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      rearm();
      try {
        onEvent(JSON.parse(line));
      } catch (err) {
        stop(err as Error);
      }
    });
    child.on('error', (err) => stop(ApplicationFailure.nonRetryable(`cannot start the torch scorer (${cmd.python} -m ${module}): ${err.message}`, 'InvalidConfig')));
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      ctx.cancellationSignal.removeEventListener('abort', cancel);
      if (failure) return reject(failure);
      if (code === 0) return resolve();
      reject(scorerFailure(module, code, signal, stderr));
    });
  });
}

/**
 * Exit 2 is bad input, named by the scorer's first stderr line ("InvalidModel: ..."): not retried.
 * Another exit code is a crash that would repeat (a Python error): not retried either. A signal
 * (the OOM killer, a node shutting down) may not repeat: retried.
 */
function scorerFailure(module: string, code: number | null, signal: NodeJS.Signals | null, stderr: string): Error {
  const tail = stderr.trim().slice(-STDERR_TAIL);
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const message = `the torch scorer (python -m ${module}) ${how}; its stderr ends:\n${tail || '(empty)'}`;
  if (signal) return ApplicationFailure.retryable(message, 'ScorerFailed');
  const named = code === 2 ? NON_RETRYABLE_TYPES.find((t) => tail.split('\n').some((l) => l.startsWith(`${t}: `))) : undefined;
  const type = named ?? 'ScorerFailed';
  return ApplicationFailure.nonRetryable(message, type);
}
