/**
 * The trajectory part of `npm run bench:analyze`: whole careers simulated with a language model
 * of the quickstart's foundation shape (random weights: 2 layers, hidden 128, 4 heads, a
 * 1,024-token vocabulary, 512 positions; built once by lib/lm/random-model and cached) through
 * the fast scorer over the default taxonomy's titles, from the first 3 observed years of synthetic
 * survey persons observed at least 3 + years years; then the truth simulates the same persons
 * and both are compared with the observed careers.
 * Env: BENCH_TRAJECTORY_PERSONS (1000), BENCH_TRAJECTORY_DRAWS (10), BENCH_TRAJECTORY_YEARS (10),
 * BENCH_TRAJECTORY_THREADS (onnxruntime threads, 1; 0 = its default, one per core).
 */
import { createScorer } from '../lib/lm';
import { randomModel } from '../lib/lm/random-model';
import { DEFAULT_TAXONOMY_PATH, loadTaxonomy } from '../lib/panel/taxonomy';
import { generatePanel } from '../lib/synth';
import { careerLength, careersFromPanel, compareTrajectories, lmSampler, simulateTrajectories, truthSampler } from '../lib/trajectories';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const PERSONS = env('BENCH_TRAJECTORY_PERSONS', 1000);
const DRAWS = env('BENCH_TRAJECTORY_DRAWS', 10);
const YEARS = env('BENCH_TRAJECTORY_YEARS', 10);
const THREADS = env('BENCH_TRAJECTORY_THREADS', 1);
const PREFIX = 3;

export interface TrajectoryFigures {
  trajectory_persons: number;
  trajectory_draws: number;
  trajectory_years: number;
  simulate_person_years: number;
  simulate_contexts: number;
  simulate_s: number;
  simulate_cpu_s: number;
  simulate_person_years_per_s: number;
  truth_simulate_s: number;
  trajectory_compare_s: number;
}

export async function benchTrajectories(log: (line: string) => void): Promise<TrajectoryFigures> {
  const taxonomy = loadTaxonomy();
  let t0 = performance.now();
  const modelDir = randomModel({ layers: 2, hidden: 128, heads: 4, vocabSize: 1024, maxPositions: 512, titlesCsv: DEFAULT_TAXONOMY_PATH });
  log(`trajectories: model ${modelDir} (ready in ${((performance.now() - t0) / 1000).toFixed(1)} s; built once, then cached)`);

  // Survey persons observed long enough for the whole horizon (about half are).
  const panel = generatePanel({ taxonomy, population: 'survey', persons: PERSONS * 4, seed: 1, oracle: false });
  const all = careersFromPanel(panel, { split: 'all' });
  const persons = all.persons.filter((_, c) => careerLength(all, c) >= PREFIX + YEARS).slice(0, PERSONS);
  if (persons.length < PERSONS) throw new Error(`trajectory bench: only ${persons.length} of ${PERSONS} persons are observed ${PREFIX + YEARS} years`);
  const careers = careersFromPanel({ ...panel, persons }, { split: 'all' });

  const scorer = await createScorer({ modelDir, candidates: taxonomy.rows.map((r) => r.title), kind: 'fast', threads: THREADS });
  const options = { prefixYears: PREFIX, horizon: YEARS, draws: DRAWS, seed: 1 };
  t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const lm = await simulateTrajectories(careers, lmSampler({ scorer, name: 'lm' }), {
    ...options,
    onProgress: (step, steps, rows) => log(`  year ${step}/${steps}: ${rows} person-years in ${((performance.now() - t0) / 1000).toFixed(1)} s`),
  });
  const simulateS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const contexts = scorer.stats.requests;
  const d = scorer.describe();
  await scorer.release();
  log(`simulate: ${PERSONS} persons x ${DRAWS} draws x ${YEARS} years = ${lm.personYears} person-years (${contexts} distinct contexts scored, ` +
    `${taxonomy.size} titles, ${d.mode} mode, ${THREADS} onnxruntime thread(s)) in ${simulateS.toFixed(1)} s: ${(lm.personYears / simulateS).toFixed(1)} person-years/s`);

  t0 = performance.now();
  const truth = await simulateTrajectories(careers, truthSampler(taxonomy), options);
  const truthS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const analysis = compareTrajectories({ careers, simulations: [lm, truth], truth: 'truth' });
  const compareS = (performance.now() - t0) / 1000;
  log(`truth simulation ${truthS.toFixed(2)} s; comparison (${analysis.subgroups.length} subgroups x ${YEARS} horizons) ${compareS.toFixed(2)} s`);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    trajectory_persons: PERSONS, trajectory_draws: DRAWS, trajectory_years: YEARS, simulate_person_years: lm.personYears,
    simulate_contexts: contexts, simulate_s: round(simulateS), simulate_cpu_s: round((cpu.user + cpu.system) / 1e6),
    simulate_person_years_per_s: round(lm.personYears / simulateS), truth_simulate_s: round(truthS), trajectory_compare_s: round(compareS),
  };
}
