/**
 * The torch backend as a Scorer: one Python process (`python -m labor_scorer.serve`, scorer/)
 * loads the model once and scores every batch it is sent, so many small batches (a simulated
 * year of careers each) pay the model's loading once. Each batch is a requests table written to
 * a temporary folder, named on one JSON line on the child's stdin and answered by one JSON line
 * naming its results table (the protocol is in serve.py's comment). Batches go one at a time.
 *
 * The child ends on release(), when this process exits, and by itself at the end of its stdin
 * (this process gone). A child that dies or answers something else than the protocol: a
 * ScorerFailed error with the tail of its stderr; a bad batch answered as an error (InvalidData):
 * that error, and the child stays usable.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import { PROJECT_ROOT } from '../env';
import { ExitCode, InvalidConfig, InvalidData, InvalidModel, LaborError } from '../errors';
import { readRequests, readResults, requestsTable, resultsTable } from './arrow-form';
import type { HeaderLines } from './truncation';
import type { ScoreRequest, Scorer, ScorerStats, TorchScorerDescription } from './types';

/** How to run the scorer: the project's venv Python (settings.LABOR_LLM_PYTHON) and the folder holding labor_scorer/. */
export interface TorchCommand {
  python: string;
  scorerPath: string;
}

export interface TorchScorerOptions {
  command: TorchCommand;
  modelDir: string;
  candidates: readonly string[];
  device?: 'cpu' | 'cuda';
  dtype?: 'fp32' | 'bf16';
  /** torch intra-op threads; default torch's own. */
  threads?: number;
  memoryBudgetMb?: number;
  headerLines?: HeaderLines;
}

/**
 * The scorer's PYTHONPATH: labor_scorer, then the trainer's package (labor_scorer loads the
 * trainer's model folders, LoRA adapters included, through labor_trainer.model_folder), then any
 * PYTHONPATH already set.
 */
export function scorerPythonPath(command: TorchCommand): string {
  return [command.scorerPath, join(PROJECT_ROOT, 'trainer'), process.env.PYTHONPATH].filter(Boolean).join(':');
}

/** Weights labor_scorer loads (transformers); the trainer writes model.safetensors. */
export const HF_WEIGHT_FILES = ['model.safetensors', 'model.safetensors.index.json', 'pytorch_model.bin', 'pytorch_model.bin.index.json'];

/**
 * What a model folder lacks for the torch backend; empty when it has config.json and HF weights,
 * or a LoRA step's adapters (whose base.json labor_scorer follows, and checks).
 */
export function torchModelProblems(modelDir: string): string[] {
  const problems = existsSync(join(modelDir, 'config.json')) ? [] : ['missing config.json'];
  const adapters = existsSync(join(modelDir, 'adapter_config.json'));
  if (!adapters && !HF_WEIGHT_FILES.some((f) => existsSync(join(modelDir, f)))) {
    problems.push(`no HF weights (expected one of ${HF_WEIGHT_FILES.join(', ')}, or LoRA adapters)`);
  }
  return problems;
}

/** The child died or broke the protocol; retried by Temporal only when a signal killed it (memory, shutdown). */
export class ScorerFailed extends LaborError {
  readonly type = 'ScorerFailed';
  override readonly exitCode: number = ExitCode.runFailed;
  override readonly nonRetryable: boolean;
  constructor(message: string, retryable = false) {
    super(message);
    this.nonRetryable = !retryable;
  }
}

const STDERR_TAIL = 4000;
const CLOSE_WAIT_MS = 2000;
const MODULE = 'labor_scorer.serve';
const ERROR_TYPES: Record<string, new (message: string) => LaborError> = { InvalidData, InvalidModel, InvalidConfig };

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

export async function createTorchScorer(o: TorchScorerOptions): Promise<TorchScorer> {
  const dir = mkdtempSync(join(tmpdir(), 'labor-llm-torch-scorer-'));
  const scorer = new TorchScorer(o, dir);
  try {
    await scorer.start();
  } catch (err) {
    await scorer.release();
    throw err;
  }
  return scorer;
}

export class TorchScorer implements Scorer {
  readonly kind = 'torch' as const;
  readonly candidates: readonly string[];
  readonly stats: ScorerStats = { requests: 0, truncatedContexts: 0, droppedLines: 0, droppedTokens: 0, contextTokens: 0, modelRuns: 0, tokensRun: 0 };
  private readonly child: Child;
  private stderr = '';
  private readonly lines: string[] = [];
  private waiting?: { resolve: (line: string) => void; reject: (err: Error) => void };
  private ended?: Error;
  private released = false;
  private readonly closed: Promise<void>;
  private described: Record<string, unknown> = {};
  private queue: Promise<unknown> = Promise.resolve();
  private batches = 0;
  private readonly killOnExit = () => this.child.kill('SIGKILL');

  constructor(private readonly o: TorchScorerOptions, private readonly dir: string) {
    this.candidates = [...o.candidates];
    const candidates = join(dir, 'candidates.json');
    writeFileSync(candidates, JSON.stringify(this.candidates));
    const args = ['-m', MODULE, '--model', o.modelDir, '--candidates', candidates, '--device', o.device ?? 'cpu', '--dtype', o.dtype ?? 'fp32'];
    if (o.threads) args.push('--threads', String(o.threads));
    if (o.memoryBudgetMb) args.push('--memory-budget-mb', String(o.memoryBudgetMb));
    if (o.headerLines !== undefined) args.push('--header-lines', String(o.headerLines));
    this.child = spawn(o.command.python, args, {
      env: { ...process.env, PYTHONPATH: scorerPythonPath(o.command), PYTHONUNBUFFERED: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    process.once('exit', this.killOnExit);
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-4 * STDERR_TAIL);
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (this.waiting) this.waiting.resolve(line);
      else this.lines.push(line);
      this.waiting = undefined;
    });
    this.child.stdin.on('error', () => {}); // a dead child's pipe: reported by 'close' below
    this.child.on('error', (err) => this.end(new InvalidConfig(`cannot start the torch scorer (${o.command.python} -m ${MODULE}): ${err.message}`)));
    this.closed = new Promise((resolve) => this.child.once('close', (code, signal) => {
      this.end(this.exitError(code, signal));
      resolve();
    }));
  }

  /** Waits for the child's "ready" line (model loaded, candidates checked). */
  async start(): Promise<void> {
    const ready = await this.parse(await this.nextLine(), 'its first line');
    if (ready.event !== 'ready' || typeof ready.scorer !== 'object') throw await this.garbage('its first line', JSON.stringify(ready));
    this.described = ready.scorer as Record<string, unknown>;
  }

  score(requests: readonly ScoreRequest[]): Promise<Float64Array[]> {
    const run = this.queue.then(() => this.scoreBatch(requests));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async scoreTable(requests: Table): Promise<Table> {
    const rows = readRequests(requests);
    return resultsTable(rows.map((r) => r.request_id), await this.score(rows));
  }

  /** The child's process id (tests check that release() ends it). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  describe(): TorchScorerDescription {
    return { kind: 'torch', mode: 'tree', modelDir: this.o.modelDir, device: this.o.device ?? 'cpu', dtype: this.o.dtype ?? 'fp32', python: this.described };
  }

  async release(): Promise<void> {
    this.released = true;
    process.removeListener('exit', this.killOnExit);
    this.child.stdin.end();
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async scoreBatch(requests: readonly ScoreRequest[]): Promise<Float64Array[]> {
    if (this.released) throw new ScorerFailed(`the torch scorer of ${this.o.modelDir} was released; create another one to score`);
    if (this.ended) throw this.ended;
    if (requests.length === 0) return [];
    const n = this.batches++;
    const ids = requests.map((_, i) => String(i));
    const file = join(this.dir, `requests-${n}.arrow`);
    const out = join(this.dir, `results-${n}.arrow`);
    writeFileSync(file, tableToIPC(requestsTable(requests.map((r, i) => ({ request_id: ids[i], context: r.context }))), 'file'));
    try {
      this.send({ requests: file, out });
      const answer = await this.parse(await this.nextLine(), `its answer to batch ${n}`);
      if (answer.ok === false) {
        const e = answer.error as { type?: unknown; message?: unknown } | undefined;
        if (typeof e?.message !== 'string') throw await this.garbage(`its answer to batch ${n}`, JSON.stringify(answer));
        const Type = typeof e.type === 'string' ? ERROR_TYPES[e.type] : undefined;
        throw Type ? new Type(e.message) : new ScorerFailed(`the torch scorer failed on batch ${n}: ${e.type}: ${e.message}`);
      }
      if (answer.ok !== true || answer.results !== out) throw await this.garbage(`its answer to batch ${n}`, JSON.stringify(answer));
      const scores = readResults(tableFromIPC(readFileSync(out)), ids, this.candidates.length, out);
      this.count(answer.stats);
      return scores;
    } finally {
      rmSync(file, { force: true });
      rmSync(out, { force: true });
    }
  }

  private send(message: Record<string, unknown>): void {
    this.child.stdin.write(JSON.stringify(message) + '\n');
  }

  private nextLine(): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  private async parse(line: string, what: string): Promise<Record<string, unknown>> {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw await this.garbage(what, line);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw await this.garbage(what, line);
    return value as Record<string, unknown>;
  }

  /**
   * Stops the child: after a line outside the protocol, nothing it says can be trusted. Waits
   * for its pipes to close, so the error holds all it wrote to stderr.
   */
  private async garbage(what: string, line: string): Promise<ScorerFailed> {
    await this.stop();
    const err = new ScorerFailed(`the torch scorer (python -m ${MODULE}) broke its protocol: ${what} was ${JSON.stringify(line.slice(0, 300))}; its stderr ends:\n${this.tail()}`);
    this.ended = err;
    return err;
  }

  /** Kills the child and waits for its pipes to close (bounded: a grandchild may hold them). */
  private async stop(): Promise<void> {
    this.child.kill('SIGKILL');
    if (this.child.pid === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.closed, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
  }

  private end(err: Error): void {
    this.ended ??= err;
    process.removeListener('exit', this.killOnExit);
    this.waiting?.reject(this.ended);
    this.waiting = undefined;
  }

  /** Exit 2 is a startup failure named on stderr's first line ("InvalidModel: ..."); a signal may not repeat. */
  private exitError(code: number | null, signal: NodeJS.Signals | null): Error {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const message = `the torch scorer (python -m ${MODULE} --model ${this.o.modelDir}) ${how}; its stderr ends:\n${this.tail()}`;
    const named = code === 2 ? Object.keys(ERROR_TYPES).find((t) => this.stderr.startsWith(`${t}: `)) : undefined;
    return named ? new ERROR_TYPES[named](message) : new ScorerFailed(message, signal !== null);
  }

  private tail(): string {
    return this.stderr.trim().slice(-STDERR_TAIL) || '(empty)';
  }

  private count(stats: unknown): void {
    const s = (stats ?? {}) as Record<string, unknown>;
    const n = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : 0);
    Object.assign(this.stats, {
      requests: n('requests'), truncatedContexts: n('truncated_contexts'), droppedLines: n('dropped_lines'), droppedTokens: n('dropped_tokens'),
      contextTokens: n('context_tokens'), modelRuns: n('model_runs'), tokensRun: n('tokens_run'),
    });
  }
}
