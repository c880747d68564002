/**
 * Scoring benchmark: naive vs fast scorer vs the floor, on a random GPT-2-small-shaped model.
 *
 *   npx tsx bench/score.ts                                  (the ONNX scorer, below)
 *   npx tsx bench/score.ts --backend torch [--device cuda]  (the torch scorer: bench/score-torch.ts)
 *
 * Set-up (cached under the temp folder's labor-llm-test-models): a random GPT-2-small-shaped ONNX model
 * (12 layers, 768 hidden, 12 heads, 1024 positions, 50257-token vocabulary, a byte-level BPE
 * tokenizer trained on resume-like texts over the Census titles) built by
 * labor_trainer.random_model. Candidates: every state of the Census 2010 taxonomy
 * (data/taxonomy/census2010.csv: 535 titles + the 3 special states). Points: resume-like contexts of about 200 tokens (`resume` v1 shape).
 *
 * In one process, with one onnxruntime thread by default (the machine is shared: one thread
 * gives steady timings; CPU seconds are reported beside wall seconds):
 * - fast scorer on every point (default memory budget and chunk size unless BENCH_BUDGET_MB);
 * - floor, right after the fast scorer on each of the first BENCH_FLOOR_POINTS points (so
 *   both see the same load), with the fast scorer's session: one pass over the context (cache
 *   only) and one pass over all the trie's
 *   inner tokens (in causal runs of BENCH_FLOOR_CHUNK tokens over the context cache, so each
 *   token attends to about as many keys as in the tree; no JS work on the outputs): the
 *   compute any scorer of these candidates has to do. (One single sequence of all ~2500
 *   tokens would be slower, its attention being quadratic, and needs ~5 GB.)
 * - naive scorer on a subset of points x candidates (a full run would take hours), timed per
 *   pass and extrapolated to all candidates; its log-probs are compared to the fast scorer's.
 * Peak RSS is read after the fast and floor runs, before the naive scorer opens its session.
 * Env: BENCH_POINTS (50), BENCH_FLOOR_POINTS (10), BENCH_NAIVE_POINTS (2),
 * BENCH_NAIVE_CANDIDATES (30), BENCH_THREADS (1; 0 = onnxruntime's default, one per core),
 * BENCH_BUDGET_MB, BENCH_CHUNK_TOKENS, BENCH_FLOOR_CHUNK (256).
 * The last line printed is one JSON object with the figures.
 */
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { createScorer, DEFAULT_MAX_CHUNK_TOKENS, DEFAULT_MEMORY_BUDGET_MB, FastScorer, NaiveScorer, type Scorer } from '../lib/lm';
import { int64Tensor } from '../lib/lm/session';
import { loadTaxonomy } from '../lib/panel/taxonomy';
import { getTemplate } from '../lib/text/templates';
import { randomModel } from '../lib/lm/random-model';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const POINTS = env('BENCH_POINTS', 50);
const FLOOR_POINTS = Math.min(env('BENCH_FLOOR_POINTS', 10), POINTS);
const NAIVE_POINTS = Math.min(env('BENCH_NAIVE_POINTS', 2), POINTS);
const NAIVE_CANDIDATES = env('BENCH_NAIVE_CANDIDATES', 30);
const THREADS = env('BENCH_THREADS', 1);
const BUDGET_MB = env('BENCH_BUDGET_MB', DEFAULT_MEMORY_BUDGET_MB);
const CHUNK_TOKENS = env('BENCH_CHUNK_TOKENS', DEFAULT_MAX_CHUNK_TOKENS);
const FLOOR_CHUNK = env('BENCH_FLOOR_CHUNK', 256);
const CONTEXT_TOKENS = 200;
const CENSUS = resolve(import.meta.dirname, '../data/taxonomy/census2010.csv');

const log = (...a: unknown[]) => console.log(...a);
const now = () => performance.now() / 1000;
const rssMb = () => process.resourceUsage().maxRSS / 1024;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resume-like contexts (the `resume` v1 template's shape) of about `tokens` tokens each. */
function makeContexts(n: number, titles: string[], count: (s: string) => number, tokens: number): string[] {
  const r = rng(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const template = getTemplate('resume');
  const edu = ['less than high school', 'high school diploma', 'some college', "bachelor's degree", 'graduate degree'];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let year = 1975 + Math.floor(r() * 15);
    const person = {
      person_id: `p${i}`, gender: pick(['female', 'male']), race: pick(['White', 'Black', 'Hispanic', 'Other']),
      region: pick(['Northeast', 'Midwest', 'South', 'West']), birth_year: year - 18 - Math.floor(r() * 20), split: 'test' as const,
    };
    let text = template.header('Synthetic', person);
    let education = pick(edu);
    while (count(text + template.yearPrefix(year, education)) < tokens - 12) {
      text += `${template.yearPrefix(year, education)} ${pick(titles)}\n`;
      year += r() < 0.7 ? 1 : 2;
      if (r() < 0.1) education = pick(edu);
    }
    out.push(text + template.yearPrefix(year, education));
  }
  return out;
}

async function main() {
  log('labor-llm scoring benchmark');
  const t0 = now();
  const modelDir = randomModel({
    layers: 12, hidden: 768, heads: 12, maxPositions: 1024, vocabSize: 50257, arch: 'gpt2', seed: 0, titlesCsv: CENSUS,
  });
  log(`model: ${modelDir} (ready in ${(now() - t0).toFixed(1)} s; built once, then cached)`);
  const taxonomy = loadTaxonomy(CENSUS);
  const titles = taxonomy.rows.map((r) => r.title);

  const fast = (await createScorer({ modelDir, candidates: titles, kind: 'fast', threads: THREADS, memoryBudgetMb: BUDGET_MB, maxChunkTokens: CHUNK_TOKENS })) as FastScorer;
  const tok = fast.folder.tokenizer;
  const contexts = makeContexts(POINTS, titles.slice(0, taxonomy.occupationIndices.length), (s) => tok.encode(s, { add_special_tokens: false }).length, CONTEXT_TOKENS);
  const requests = contexts.map((context) => ({ context }));
  const d = fast.describe();
  const ctxLens = contexts.map((c) => fast.contextIds(c, 'bench').length);
  const meanCtx = ctxLens.reduce((a, b) => a + b, 0) / ctxLens.length;
  log(`configuration: ${d.modelType} ${d.numLayers} layers, vocab ${d.vocabSize}, ${d.maxPositions} positions; ` +
    `onnxruntime ${d.session.onnxruntimeVersion}, intraOpNumThreads ${d.session.intraOpNumThreads} (0 = default), ` +
    `graph optimisation ${d.session.graphOptimizationLevel}; machine: ${cpus().length} CPUs, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  log(`candidates: ${titles.length} (${taxonomy.occupationIndices.length} Census titles + ${titles.length - taxonomy.occupationIndices.length} special states); ` +
    `continuation tokens ${d.trie!.candidateTokens}, trie nodes ${d.trie!.nodes - 1}, inner nodes fed per context ${d.trie!.inner} (root = last context token)`);
  log(`points: ${POINTS}, context tokens mean ${meanCtx.toFixed(0)} (min ${Math.min(...ctxLens)}, max ${Math.max(...ctxLens)})`);
  log(`fast scorer: mode ${d.mode}, memory budget ${d.memoryBudgetMb} MB, at most ${d.maxChunkTokens} tokens per run, graph logsumexp ${d.usesGraphLogsumexp}`);

  // Floor: the context's cache, then every inner trie token once, in causal runs of
  // FLOOR_CHUNK tokens over the context cache (attention over about as many keys as the tree
  // gives each token), fetching only logits and logsumexp, with no JS work on them. It uses the
  // fast scorer's own session (same options, no second copy of the weights).
  const session = fast.session;
  const trie = fast.trie;
  const floorOnce = async (ctx: number[]) => {
    const C = ctx.length - 1;
    const cache = await session.run({
      input_ids: int64Tensor(ctx.slice(0, C), [1, C]), attention_mask: int64Tensor(new Array(C).fill(1), [1, C]),
      position_ids: int64Tensor(ctx.slice(0, C).map((_, i) => i), [1, C]), ...session.emptyPast(1),
    }, session.presentNames);
    for (let a = 0; a < trie.inner.length; a += FLOOR_CHUNK) {
      const inner = trie.inner.subarray(a, a + FLOOR_CHUNK);
      const S = inner.length;
      const feeds: Record<string, ReturnType<typeof int64Tensor>> = {
        input_ids: int64Tensor(Array.from(inner, (n) => (n === 0 ? ctx[C] : trie.token[n])), [1, S]),
        attention_mask: int64Tensor(new Array(C + S).fill(1), [1, C + S]),
        position_ids: int64Tensor(Array.from(inner, (n) => C + trie.depth[n]), [1, S]),
      };
      session.pastNames.forEach((name, i) => (feeds[name] = cache[session.presentNames[i]] as never));
      await session.run(feeds, ['logits', ...(session.hasLogsumexp ? ['logsumexp'] : [])]);
    }
  };
  /** Wall and CPU seconds of `fn` (CPU time is steadier on a shared machine). */
  const timed = async <T>(fn: () => Promise<T>): Promise<[T, number, number]> => {
    const c = process.cpuUsage();
    const t = now();
    const out = await fn();
    const u = process.cpuUsage(c);
    return [out, now() - t, (u.user + u.system) / 1e6];
  };

  // Fast on every point; the floor right after it on the first FLOOR_POINTS points, so that
  // both see the same load. One warm-up of each first.
  const ctxIds = contexts.map((c) => fast.contextIds(c, 'bench'));
  await fast.score(requests.slice(0, 1));
  await floorOnce(ctxIds[0]);
  const runs0 = fast.stats.modelRuns;
  const fastScores: Float64Array[] = [];
  const fw: number[] = [];
  const fc: number[] = [];
  const flw: number[] = [];
  const flc: number[] = [];
  for (let p = 0; p < POINTS; p++) {
    const [scores, w, c] = await timed(() => fast.score([requests[p]]));
    fastScores.push(scores[0]);
    fw.push(w);
    fc.push(c);
    if (p < FLOOR_POINTS) {
      const [, w2, c2] = await timed(() => floorOnce(ctxIds[p]));
      flw.push(w2);
      flc.push(c2);
    }
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const fastRss = rssMb();
  const fastPerPoint = sum(fw) / POINTS;
  log(`fast: ${sum(fw).toFixed(1)} s for ${POINTS} points = ${fastPerPoint.toFixed(3)} s/point wall, ` +
    `${(sum(fc) / POINTS).toFixed(3)} s/point CPU (${((fast.stats.modelRuns - runs0) / POINTS).toFixed(1)} onnxruntime runs/point); ` +
    `peak RSS ${fastRss.toFixed(0)} MB`);
  const floorWall = sum(flw) / FLOOR_POINTS;
  const fastWallSame = sum(fw.slice(0, FLOOR_POINTS)) / FLOOR_POINTS;
  const ratioWall = fastWallSame / floorWall;
  const ratioCpu = sum(fc.slice(0, FLOOR_POINTS)) / sum(flc);
  log(`floor: ${floorWall.toFixed(3)} s/point wall, ${(sum(flc) / FLOOR_POINTS).toFixed(3)} s/point CPU on the first ${FLOOR_POINTS} points ` +
    `(runs of ${FLOOR_CHUNK} tokens); fast on the same points ${fastWallSame.toFixed(3)} s/point: ` +
    `ratio ${ratioWall.toFixed(3)} wall, ${ratioCpu.toFixed(3)} CPU`);

  // Naive: a subset of points x candidates (spread over the list), extrapolated.
  const naive = (await createScorer({ modelDir, candidates: titles, kind: 'naive', threads: THREADS })) as NaiveScorer;
  const step = Math.max(1, Math.floor(titles.length / NAIVE_CANDIDATES));
  const subset = Array.from({ length: Math.min(NAIVE_CANDIDATES, titles.length) }, (_, i) => i * step);
  await naive.scoreOne(naive.contextIds(contexts[0], 'warm-up'), naive.continuations[0]);
  let naiveTime = 0;
  let naiveCpu = 0;
  let naivePasses = 0;
  let maxDiff = 0;
  for (let p = 0; p < NAIVE_POINTS; p++) {
    const ctx = naive.contextIds(contexts[p], `point ${p}`);
    for (const c of subset) {
      const [lp, w, cpu] = await timed(() => naive.scoreOne(ctx, naive.continuations[c]));
      naiveTime += w;
      naiveCpu += cpu;
      naivePasses++;
      maxDiff = Math.max(maxDiff, Math.abs(lp - fastScores[p][c]));
    }
  }
  const naivePerPass = naiveTime / naivePasses;
  const naivePerPoint = naivePerPass * titles.length;
  log(`naive: measured ${naivePasses} passes (${NAIVE_POINTS} points x ${subset.length} candidates) in ${naiveTime.toFixed(1)} s = ` +
    `${naivePerPass.toFixed(3)} s/pass (${(naiveCpu / naivePasses).toFixed(3)} s CPU); EXTRAPOLATED to ${titles.length} candidates: ${naivePerPoint.toFixed(1)} s/point, ` +
    `${((naivePerPoint * POINTS) / 3600).toFixed(2)} h for ${POINTS} points (not run in full)`);
  log(`max |fast - naive| over the ${naivePasses} compared log-probs: ${maxDiff.toExponential(2)}`);
  await (naive as Scorer).release();
  await fast.release();

  // Both scorers are compute-bound at about the same cost per token, so the speedup is capped
  // by how many tokens each feeds: naive sum over candidates of (context + continuation - 1),
  // fast (context - 1) + inner trie nodes.
  const naiveTokens = ctxIds.slice(0, POINTS).reduce((s, c) => s + naive.continuations.reduce((t, k) => t + c.length + k.length - 1, 0), 0);
  const fastTokens = ctxIds.slice(0, POINTS).reduce((s, c) => s + c.length - 1 + trie.inner.length, 0);
  log(`tokens fed per point: naive ${(naiveTokens / POINTS).toFixed(0)}, fast ${(fastTokens / POINTS).toFixed(0)}: ` +
    `a speedup bound of ${(naiveTokens / fastTokens).toFixed(1)}x at equal cost per token`);
  const result = {
    speedup_vs_naive: naivePerPoint / fastPerPoint,
    speedup_vs_naive_cpu: ((naiveCpu / naivePasses) * titles.length) / (sum(fc) / POINTS),
    ratio_to_floor: ratioWall,
    ratio_to_floor_cpu: ratioCpu,
    token_bound_speedup: naiveTokens / fastTokens,
    max_abs_logprob_diff: maxDiff,
    peak_rss_mb: Math.round(fastRss),
    peak_rss_mb_whole_run: Math.round(rssMb()),
    fast_s_per_point: fastPerPoint,
    fast_cpu_s_per_point: sum(fc) / POINTS,
    floor_s_per_point: floorWall,
    naive_s_per_pass: naivePerPass,
    naive_s_per_point_extrapolated: naivePerPoint,
    naive_extrapolated: true,
    points: POINTS,
    floor_points: FLOOR_POINTS,
    floor_chunk_tokens: FLOOR_CHUNK,
    naive_passes: naivePasses,
    candidates: titles.length,
    context_tokens_mean: Math.round(meanCtx),
    trie_inner_nodes: d.trie!.inner,
    candidate_tokens: d.trie!.candidateTokens,
    mode: d.mode,
    memory_budget_mb: d.memoryBudgetMb,
    max_chunk_tokens: d.maxChunkTokens,
    intra_op_threads: d.session.intraOpNumThreads,
    cpus: cpus().length,
  };
  console.log(JSON.stringify(result));
}

/** `--backend onnx` (default): the benchmark above; `--backend torch [--device cuda]`: bench/score-torch.ts. */
const argv = process.argv.slice(2);
const at = argv.indexOf('--backend');
const backend = at >= 0 ? argv[at + 1] : 'onnx';
if (backend === 'torch') {
  const { runTorchBench } = await import('./score-torch');
  process.exitCode = runTorchBench([...argv.slice(0, at), ...argv.slice(at + 2)]);
} else if (backend === 'onnx' && argv.length === (at >= 0 ? 2 : 0)) {
  await main();
} else {
  console.error(`usage: npm run bench:score [-- --backend onnx | --backend torch [--device cpu|cuda] [labor_scorer.bench options]] (found: ${argv.join(' ')})`);
  process.exitCode = 2;
}
