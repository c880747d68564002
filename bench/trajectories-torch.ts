/**
 * `npm run bench:trajectories`: whole careers sampled through the torch scorer
 * (lib/lm/torch-scorer.ts, one labor_scorer.serve child, CPU fp32) and through the ONNX fast
 * scorer, on the same tiny model with both an ONNX export and HF weights (test/lm/sp-fixtures'
 * spLlama: 2 layers, hidden 64, a 1,024-token SentencePiece vocabulary) over the default
 * taxonomy's titles; the same persons, draws and seed, so both draw the same careers. Printed,
 * never asserted; the last line is one JSON object.
 * Env: BENCH_TRAJECTORY_PERSONS (100), BENCH_TRAJECTORY_DRAWS (5), BENCH_TRAJECTORY_YEARS (5),
 * BENCH_TRAJECTORY_THREADS (threads for both backends, 1; 0 = each one's default).
 */
import { join } from 'node:path';
import { createScorer, createTorchScorer, type Scorer } from '../lib/lm';
import { PROJECT_ROOT, readSettings } from '../lib/env';
import { loadTaxonomy } from '../lib/panel/taxonomy';
import { generatePanel } from '../lib/synth';
import { careerLength, careersFromPanel, lmSampler, simulateTrajectories, type Simulation } from '../lib/trajectories';
import { spLlama } from '../test/lm/sp-fixtures';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const PERSONS = env('BENCH_TRAJECTORY_PERSONS', 100);
const DRAWS = env('BENCH_TRAJECTORY_DRAWS', 5);
const YEARS = env('BENCH_TRAJECTORY_YEARS', 5);
const THREADS = env('BENCH_TRAJECTORY_THREADS', 1) || undefined;
const PREFIX = 3;

const taxonomy = loadTaxonomy();
const titles = taxonomy.rows.map((r) => r.title);
let t0 = performance.now();
const modelDir = spLlama();
console.log(`model: ${modelDir} (ready in ${((performance.now() - t0) / 1000).toFixed(1)} s; built once, then cached)`);
const panel = generatePanel({ taxonomy, population: 'survey', persons: PERSONS * 4, seed: 1, oracle: false });
const all = careersFromPanel(panel, { split: 'all' });
const persons = all.persons.filter((_, c) => careerLength(all, c) >= PREFIX + YEARS).slice(0, PERSONS);
const careers = careersFromPanel({ ...panel, persons }, { split: 'all' });
const options = { prefixYears: PREFIX, horizon: YEARS, draws: DRAWS, seed: 1 };

async function measure(name: string, make: () => Promise<Scorer>): Promise<{ sim: Simulation; startS: number; simulateS: number; contexts: number }> {
  t0 = performance.now();
  const scorer = await make();
  const startS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const sim = await simulateTrajectories(careers, lmSampler({ scorer, name }), options);
  const simulateS = (performance.now() - t0) / 1000;
  const contexts = scorer.stats.requests;
  await scorer.release();
  console.log(`${name}: started in ${startS.toFixed(1)} s; ${sim.personYears} person-years (${contexts} distinct contexts, ${titles.length} titles) ` +
    `in ${simulateS.toFixed(1)} s: ${(sim.personYears / simulateS).toFixed(1)} person-years/s`);
  return { sim, startS, simulateS, contexts };
}

const onnx = await measure('onnx', () => createScorer({ modelDir, candidates: titles, kind: 'fast', threads: THREADS }));
const command = { python: readSettings().LABOR_LLM_PYTHON, scorerPath: join(PROJECT_ROOT, 'scorer') };
const torch = await measure('torch-cpu', () => createTorchScorer({ command, modelDir, candidates: titles, threads: THREADS }));
const same = onnx.sim.states.every((s, i) => s === torch.sim.states[i]);
console.log(`same careers drawn: ${same}`);
const round = (x: number) => Math.round(x * 1000) / 1000;
console.log(JSON.stringify({
  persons: careers.persons.length, draws: DRAWS, years: YEARS, threads: THREADS ?? 'default', person_years: onnx.sim.personYears, contexts: onnx.contexts,
  onnx_start_s: round(onnx.startS), onnx_simulate_s: round(onnx.simulateS), onnx_person_years_per_s: round(onnx.sim.personYears / onnx.simulateS),
  torch_start_s: round(torch.startS), torch_simulate_s: round(torch.simulateS), torch_person_years_per_s: round(torch.sim.personYears / torch.simulateS),
  same_careers: same,
}));
