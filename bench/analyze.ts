/**
 * Representativeness benchmark. One step: 100,000 prediction points (10,000 persons x 10 years)
 * over 538 states, two models (a noisy model and the oracle), 20 subgroups (gender 2, race 4,
 * region 4, birth cohort 5, education 5) plus the whole population, default options (200
 * bootstrap replicates, 15 calibration bins). Inputs are synthetic and random, made here.
 * Then whole trajectories: 1,000 persons x 10 draws x 10 years simulated with a quickstart-shaped
 * model (bench/trajectories.ts; it has its own size settings).
 * Run: `npm run bench:analyze`. The last line printed is one JSON object with the figures.
 * BENCH_ANALYZE_PERSONS and BENCH_ANALYZE_BOOTSTRAP change the size and the replicates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeOneStep, writeOneStepAnalysis, type AnalysisPerson } from '../lib/analysis';
import { mulberry32 } from '../lib/metrics/rng';
import { EDUCATION_LEVELS } from '../lib/panel/panel';
import { makeTaxonomy } from '../lib/panel/taxonomy';
import type { Predictions } from '../lib/predict/types';
import { benchTrajectories } from './trajectories';

const PERSONS = Number(process.env.BENCH_ANALYZE_PERSONS ?? 10_000);
const YEARS = 10;
const OCCUPATIONS = 535; // + 3 special states = 538

const taxonomy = makeTaxonomy(Array.from({ length: OCCUPATIONS }, (_, k) => ({ code: String(1000 + k), title: `Occupation ${k}`, kind: 'occupation' as const })));
const K = taxonomy.size;
const codes = taxonomy.rows.map((r) => r.code);
const special = taxonomy.indicesOfKinds(['unemployed', 'not_in_labor_force', 'in_education']);
const rng = mulberry32(1);

const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];
const persons: AnalysisPerson[] = Array.from({ length: PERSONS }, (_, i) => ({
  person_id: `p${i}`, gender: pick(['female', 'male']), race: pick(['r1', 'r2', 'r3', 'r4']),
  region: pick(['northeast', 'midwest', 'south', 'west']), birth_year: 1950 + Math.floor(rng() * 50), split: 'test',
}));

const n = PERSONS * YEARS;
const person_id = new Array<string>(n);
const year = new Int32Array(n);
const education = new Array<string>(n);
for (let p = 0, i = 0; p < PERSONS; p++) {
  let edu = Math.floor(rng() * 3);
  for (let y = 0; y < YEARS; y++, i++) {
    person_id[i] = persons[p].person_id;
    year[i] = 2000 + y;
    if (rng() < 0.1 && edu < EDUCATION_LEVELS.length - 1) edu++;
    education[i] = EDUCATION_LEVELS[edu];
  }
}

/** Random distributions (skewed: u^8 normalised); the truth is drawn from the first table. */
function randomProbs(): Float32Array {
  const probs = new Float32Array(n * K);
  for (let i = 0; i < n; i++) {
    const o = i * K;
    let s = 0;
    for (let k = 0; k < K; k++) {
      const u = rng();
      const v = u * u * u * u * u * u * u * u;
      probs[o + k] = v;
      s += v;
    }
    for (let k = 0; k < K; k++) probs[o + k] /= s;
  }
  return probs;
}

const oracleProbs = randomProbs();
const modelProbs = randomProbs();
for (let j = 0; j < modelProbs.length; j++) modelProbs[j] = 0.5 * modelProbs[j] + 0.5 * oracleProbs[j];
const trueIdx = new Int32Array(n);
for (let i = 0; i < n; i++) {
  let u = rng();
  let k = 0;
  for (; k < K - 1; k++) if ((u -= oracleProbs[i * K + k]) < 0) break;
  trueIdx[i] = k;
}

function predictions(probs: Float32Array): Predictions {
  const p_change = new Float64Array(n);
  const p_nonemployment = new Float64Array(n);
  const prev_code = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const first = year[i] === 2000;
    prev_code[i] = first ? null : codes[trueIdx[i - 1]];
    p_change[i] = first ? NaN : 1 - probs[i * K + trueIdx[i - 1]];
    for (const k of special) p_nonemployment[i] += probs[i * K + k];
  }
  const zeros = new Float64Array(n);
  return {
    n_states: K, person_id, year, true_code: Array.from(trueIdx, (t) => codes[t]), prev_code,
    logp_true_raw: zeros, logp_true: zeros, valid_mass: zeros, top_codes: [], top_probs: [],
    p_change, p_nonemployment, probs,
  };
}

const models = [
  { name: 'model', predictions: predictions(modelProbs) },
  { name: 'oracle', predictions: predictions(oracleProbs), oracle: true },
];
const groups = new Map(taxonomy.rows.map((r) => [r.code, r.kind === 'occupation' ? r.code.slice(0, 2) : r.code]));
const subgroups = [['gender'], ['race'], ['region'], ['birth_cohort'], ['education']];
const bootstrap = process.env.BENCH_ANALYZE_BOOTSTRAP === undefined ? undefined : Number(process.env.BENCH_ANALYZE_BOOTSTRAP);

let t0 = performance.now();
const cpu0 = process.cpuUsage();
const analysis = analyzeOneStep({ taxonomy, persons, personYears: { person_id, year, education }, models, groups }, { subgroups, bootstrap });
const analyzeS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const analyzeCpuS = (cpu.user + cpu.system) / 1e6;
const nSubgroups = analysis.subgroups.length - 1;
console.log(`analyze: ${n} points x ${K} states, ${models.length} models, ${nSubgroups} subgroups + all, ${analysis.method.bootstrap.replicates} bootstrap replicates in ${analyzeS.toFixed(2)} s (${analyzeCpuS.toFixed(2)} s of CPU)`);

const dir = mkdtempSync(join(tmpdir(), 'labor-llm-bench-analyze-'));
t0 = performance.now();
writeOneStepAnalysis(dir, analysis);
const writeS = (performance.now() - t0) / 1000;
rmSync(dir, { recursive: true, force: true });
console.log(`write: ${analysis.results.length} model x subgroup results in ${writeS.toFixed(3)} s`);

const trajectories = await benchTrajectories((line) => console.log(line));

const peakRssMb = process.resourceUsage().maxRSS / 1024;
console.log(`peak RSS: ${peakRssMb.toFixed(0)} MB (inputs: ${((2 * n * K * 4) / 2 ** 20).toFixed(0)} MB of float32 distributions)`);
console.log(JSON.stringify({
  points: n, states: K, persons: PERSONS, models: models.length, subgroups: nSubgroups,
  bootstrap: analysis.method.bootstrap.replicates, analyze_s: round(analyzeS), analyze_cpu_s: round(analyzeCpuS), write_s: round(writeS),
  ...trajectories, peak_rss_mb: Math.round(peakRssMb),
}));

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
