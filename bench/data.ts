/**
 * Data-step benchmark: generate about 1,000,000 synthetic person-years (oracle off) and encode
 * them with the default template. Run: `npx tsx bench/data.ts`. The last line printed is one
 * JSON object with the figures (more are added by other benchmarks through runDataBenchmark).
 *
 * Then the orchestration figures: the per-step overhead of a run on a dev server of its own
 * (runOrchestrationBenchmark), and the wall time of a fully cached rerun of the quickstart from
 * the command line (runCachedRerunBenchmark; BENCH_QUICKSTART_CONFIG picks a smaller config; the
 * first run warms the user's cache in .labor-llm if needed).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePanel } from '../lib/synth';
import { loadTaxonomy } from '../lib/panel/taxonomy';
import { encodePanel, DEFAULT_TEMPLATE } from '../lib/text';

export interface DataBenchmarkOptions {
  personYears?: number;
  seed?: number;
  log?: (line: string) => void;
}

export async function runDataBenchmark(options: DataBenchmarkOptions = {}): Promise<Record<string, number>> {
  const target = options.personYears ?? 1_000_000;
  const seed = options.seed ?? 1;
  const log = options.log ?? (() => {});
  const taxonomy = loadTaxonomy('default');

  // Size the panel from a small pilot (the mean observed years per person of the population).
  const pilot = generatePanel({ taxonomy, population: 'survey', persons: 2000, seed, oracle: false });
  const persons = Math.ceil((target * 2000) / pilot.personYears.year.length);

  let t0 = performance.now();
  const panel = generatePanel({ taxonomy, population: 'survey', persons, seed, oracle: false });
  const generateS = (performance.now() - t0) / 1000;
  const rows = panel.personYears.year.length;
  log(`generate: ${persons} persons, ${rows} person-years in ${generateS.toFixed(2)} s (${Math.round(rows / generateS)} person-years/s)`);

  t0 = performance.now();
  const enc = encodePanel(panel, DEFAULT_TEMPLATE);
  const encodeS = (performance.now() - t0) / 1000;
  const chars = enc.texts.text.reduce((s, t) => s + t.length, 0);
  log(`encode: ${enc.texts.text.length} texts, ${enc.points.year.length} points, ${(chars / 1e6).toFixed(1)} M characters in ${encodeS.toFixed(2)} s (${Math.round(rows / encodeS)} person-years/s)`);

  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  log(`peak RSS: ${peakRssMb.toFixed(0)} MB`);
  return {
    person_years: rows,
    persons,
    generate_s: round(generateS, 3),
    generate_person_years_per_s: Math.round(rows / generateS),
    encode_s: round(encodeS, 3),
    encode_person_years_per_s: Math.round(rows / encodeS),
    peak_rss_mb: round(peakRssMb, 1),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  const figures = await runDataBenchmark({ log });
  Object.assign(figures, await runOrchestrationBenchmark({ log }));
  Object.assign(figures, await runCachedRerunBenchmark({ log }));
  console.log(JSON.stringify(figures));
}

// ---- orchestration ----------------------------------------------------------------------------

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** One tiny data step and five encode steps of it (distinct configs, so distinct cache keys). */
const ORCHESTRATION_CONFIG = `schemaVersion: 1
name: bench-orchestration
seed: 5
steps:
  - {name: people, kind: data, source: synthetic, population: survey, persons: 20}
  - {name: text-resume, kind: encode, input: people, template: resume}
  - {name: text-resume-v1, kind: encode, input: people, template: {name: resume, version: 1}}
  - {name: text-codes, kind: encode, input: people, template: resume-codes}
  - {name: text-no-birth-year, kind: encode, input: people, template: resume-no-birth-year}
  - {name: text-no-education, kind: encode, input: people, template: resume-no-education}
`;

export interface OrchestrationOptions {
  log?: (line: string) => void;
  /** Cached reruns timed (the median is reported). */
  reruns?: number;
}

/**
 * Per-step overhead of the orchestration: a config of trivial steps runs on a headless dev server
 * started for the benchmark (temp state, free port) with in-process workers, once computing and
 * then fully cached. Figures:
 *   orchestration_overhead_per_step_s   fully cached rerun (start -> result, every step a cache hit) / steps
 *   orchestration_first_run_overhead_per_step_s   (first run wall - time some step activity was executing) / steps:
 *                                        what remains is cache lookups, scheduling and workflow tasks (a
 *                                        step's worker-thread start-up counts as step work)
 */
export async function runOrchestrationBenchmark(options: OrchestrationOptions = {}): Promise<Record<string, number>> {
  const log = options.log ?? (() => {});
  const [{ startThrowawayServer }, { readSettings }, { connectClient, connectWorker }, { createWorkers, runWorkers }, { defaultDeps }, { loadConfig }, { startRun }, { openStore }] = await Promise.all([
    import('../temporal/server'), import('../lib/env'), import('../temporal/connection'), import('../temporal/worker'),
    import('../activities'), import('../lib/config/load'), import('../cli/runs'), import('../cli/session'),
  ]);
  const tmp = mkdtempSync(join(tmpdir(), 'labor-llm-bench-orch-'));
  const configFile = join(tmp, 'bench-orchestration.yaml');
  writeFileSync(configFile, ORCHESTRATION_CONFIG);
  let t0 = performance.now();
  const server = await startThrowawayServer(readSettings().LABOR_LLM_TEMPORAL_BIN);
  const { address } = server;
  log(`orchestration: dev server on ${address} up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const settings = readSettings({ ...process.env, LABOR_LLM_HOME: join(tmp, 'home'), TEMPORAL_ADDRESS: address });
  const store = openStore(settings);
  const client = await connectClient(settings);
  const connection = await connectWorker(settings);
  const stop = new AbortController();
  let running: Promise<void> | undefined;
  try {
    const workers = await createWorkers({ connection, namespace: settings.TEMPORAL_NAMESPACE, deps: defaultDeps(settings), taskQueues: store.queues });
    running = runWorkers(workers, stop.signal);
    const loaded = loadConfig(configFile);
    const steps = loaded.config.steps.length;
    const timed = async () => {
      const t = performance.now();
      const handle = await startRun(client, loaded, { store });
      const result = (await handle.result()) as { steps: { status: string }[] };
      return { s: (performance.now() - t) / 1000, handle, statuses: result.steps.map((x) => x.status) };
    };

    const first = await timed();
    const history = await first.handle.fetchHistory();
    // Step work from the history: each prepareData / encodeText activity from started to completed.
    const started = new Map<string, number>();
    const intervals: [number, number][] = [];
    const ms = (e: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
    const scheduledType = new Map<string, string>();
    for (const e of history.events ?? []) {
      const id = String(e.eventId);
      if (e.activityTaskScheduledEventAttributes) scheduledType.set(id, e.activityTaskScheduledEventAttributes.activityType?.name ?? '');
      if (e.activityTaskStartedEventAttributes) started.set(String(e.activityTaskStartedEventAttributes.scheduledEventId), ms(e));
      const done = e.activityTaskCompletedEventAttributes;
      if (done) {
        const type = scheduledType.get(String(done.scheduledEventId));
        if (type === 'prepareData' || type === 'encodeText') intervals.push([started.get(String(done.scheduledEventId)) ?? ms(e), ms(e)]);
      }
    }
    const workS = intervals.reduce((a, [s0, s1]) => a + (s1 - s0), 0) / 1000;
    // The time some step activity was executing (the encode steps overlap).
    let coveredMs = 0;
    let end = -Infinity;
    for (const [s0, s1] of intervals.sort((a, b) => a[0] - b[0])) {
      if (s1 > end) coveredMs += s1 - Math.max(s0, end);
      end = Math.max(end, s1);
    }
    const coveredS = coveredMs / 1000;
    log(`orchestration: first run of ${steps} steps (1 data, ${steps - 1} encode) in ${first.s.toFixed(2)} s; step activities executed ${workS.toFixed(2)} s in all, covering ${coveredS.toFixed(2)} s of the run; ${((first.s - coveredS) / steps).toFixed(3)} s per step outside step work`);

    const reruns: number[] = [];
    for (let i = 0; i < (options.reruns ?? 3); i++) {
      const r = await timed();
      if (r.statuses.some((x) => x !== 'cached')) throw new Error(`orchestration bench: a rerun was not fully cached (${r.statuses.join(', ')})`);
      reruns.push(r.s);
    }
    const rerunS = median(reruns);
    log(`orchestration: fully cached rerun ${rerunS.toFixed(3)} s (median of ${reruns.length}) = ${(rerunS / steps).toFixed(3)} s per step (start to result: a cache lookup per step, the manifest, workflow tasks)`);
    return {
      orchestration_steps: steps,
      orchestration_first_run_s: round(first.s, 3),
      orchestration_step_work_s: round(workS, 3),
      orchestration_first_run_overhead_per_step_s: round((first.s - coveredS) / steps, 3),
      orchestration_cached_rerun_s: round(rerunS, 3),
      orchestration_overhead_per_step_s: round(rerunS / steps, 3),
    };
  } finally {
    stop.abort();
    await running?.catch(() => undefined);
    await connection.close();
    await client.connection.close();
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ---- cached rerun of the quickstart from the command line ----------------------------------------

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function runCli(args: string[], opts: { echo?: (line: string) => void } = {}): Promise<{ code: number; s: number; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const t = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bin/labor-llm.js'), ...args], { cwd: ROOT, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      if (opts.echo) for (const line of String(d).split('\n').filter(Boolean)) opts.echo(line);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code) => res({ code: code ?? -1, s: (performance.now() - t) / 1000, stdout, stderr }));
  });
}

export interface CachedRerunOptions {
  log?: (line: string) => void;
  /** Default: BENCH_QUICKSTART_CONFIG or experiments/quickstart.yaml. */
  config?: string;
  runs?: number;
}

/**
 * `cached_rerun_s`: wall time of `node bin/labor-llm.js run <quickstart>` as a child process
 * (startup, config, a cache lookup per step, the summary: no run starts) when every step is cached, in the user's
 * state folder (LABOR_LLM_HOME, default .labor-llm). Warms the cache with one full run first if
 * needed.
 */
export async function runCachedRerunBenchmark(options: CachedRerunOptions = {}): Promise<Record<string, number>> {
  const log = options.log ?? (() => {});
  const config = resolve(options.config ?? process.env.BENCH_QUICKSTART_CONFIG ?? join(ROOT, 'experiments/quickstart.yaml'));
  const [{ cachedSteps }, { loadConfig }, { readSettings }] = await Promise.all([import('../cli/cached-run'), import('../lib/config/load'), import('../lib/env')]);
  if (!(await cachedSteps(loadConfig(config), readSettings()))) {
    log(`cached rerun: warming the cache: not every step of ${relative(ROOT, config)} is cached; this may train models and take minutes (BENCH_QUICKSTART_CONFIG=<smaller config> to skip)`);
    const warm = await runCli(['run', config], { echo: (line) => log(`  | ${line}`) });
    if (warm.code !== 0) throw new Error(`cached rerun: warming run failed (exit ${warm.code}):\n${warm.stderr}`);
    log(`cached rerun: cache warmed in ${warm.s.toFixed(1)} s`);
  }
  const times: number[] = [];
  for (let i = 0; i < (options.runs ?? 3); i++) {
    const r = await runCli(['run', config]);
    if (r.code !== 0) throw new Error(`cached rerun: exit ${r.code}:\n${r.stderr}`);
    if (!/^every step of .* is cached/m.test(r.stdout)) throw new Error(`cached rerun: not every step was served from the cache:\n${r.stdout.slice(-2000)}`);
    times.push(r.s);
  }
  const s = median(times);
  log(`cached rerun: \`labor-llm run ${relative(ROOT, config)}\` with every step cached: ${s.toFixed(2)} s (median of ${times.length}: ${times.map((t) => t.toFixed(2)).join(', ')})`);
  return { cached_rerun_s: round(s, 3) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
