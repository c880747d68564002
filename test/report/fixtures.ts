/**
 * Report inputs from real computations: a seeded synthetic panel (test/analysis/fixtures.ts),
 * four models' predictions (the oracle, a fine-tuned model biased against women, a Markov-style
 * baseline by gender, the marginal), their metrics (computeMetrics) and the one-step analysis
 * (analyzeOneStep). Three persons of a rare race make subgroups too small to analyse.
 */
import { analyzeOneStep } from '../../lib/analysis';
import { computeMetrics } from '../../lib/metrics';
import type { ReportInput, ReportRun } from '../../lib/report';
import { fitBaseline } from '../../lib/baselines';
import { baselineSampler, compareTrajectories, simulateTrajectories, truthSampler, type TrajectoryAnalysis } from '../../lib/trajectories';
import { biasedFor, empiricalByGenderAndPrev, K, preds, synthetic, taxonomy } from '../analysis/fixtures';
import { taxonomy as careersTaxonomy, testCareers, trainPoints } from '../trajectories/fixtures';

export interface RunFixtureOptions {
  id?: string;
  /** Persons per gender. */
  perGender?: number;
  years?: number;
  seed?: number;
  /** How strongly the fine-tuned model shifts women's mass to unemployment. */
  bias?: number;
  /** Name of the fine-tuned model (e.g. one with markup, to test escaping). */
  finetuneName?: string;
  evaluateStep?: string;
  analysis?: boolean;
  bootstrap?: number;
}

/** The rare race given to the first persons: its subgroups are below the minimum size. */
export const RARE_RACE = 'r3';
export const MIN_PERSONS = 20;

export function runFixture(o: RunFixtureOptions = {}): ReportRun {
  const id = o.id ?? 'quickstart-3f9a2c1d';
  const finetune = o.finetuneName ?? 'finetune';
  const step = o.evaluateStep ?? 'evaluate';
  const bootstrap = o.bootstrap ?? 100;
  const s = synthetic(o.perGender ?? 150, o.years ?? 6, o.seed ?? 8);
  for (const p of s.persons.slice(0, 3)) p.race = RARE_RACE;

  const counts = new Array(K).fill(0);
  for (const r of s.rows) counts[taxonomy.indexOf(r[2])]++;
  const marginal = counts.map((c) => c / s.rows.length);
  const models = [
    { name: finetune, predictions: preds(s.rows, biasedFor(s, 'female', o.bias ?? 0.15)) },
    { name: 'markov', predictions: preds(s.rows, empiricalByGenderAndPrev(s)) },
    { name: 'marginal', predictions: preds(s.rows, s.rows.map(() => marginal)) },
    { name: 'oracle', predictions: preds(s.rows, s.truth), oracle: true },
  ];
  const metrics = Object.fromEntries(models.map((m) => [m.name, computeMetrics(m.predictions, taxonomy, { bootstrap, seed: 1 })]));
  const oneStep = o.analysis === false ? undefined : analyzeOneStep(
    { taxonomy, persons: s.persons, personYears: s.personYears, models },
    { subgroups: [['gender'], ['race'], ['birth_cohort'], ['education'], ['gender', 'race']], minPersons: MIN_PERSONS, minPoints: 60, bootstrap, seed: 3 },
  );
  const workflowId = `labor-llm/${id}`;
  const runId = '0199c5e2-7d41-7b3a-9f0e-5c2d8a6b1e40';
  const config = {
    name: 'quickstart',
    description: 'Synthetic panel, a tiny Llama fine-tuned on CPU, baselines and the oracle',
    seed: 7,
    steps: [
      { name: 'data', kind: 'synthetic', persons: 2 * (o.perGender ?? 150), seed: 7 },
      { name: 'encode', kind: 'encode', template: 'resume-v1' },
      { name: 'finetune', kind: 'finetune', provider: 'local', epochs: 2, seed: 7 },
      { name: step, kind: 'evaluate', model: 'finetune', baselines: ['markov', 'marginal'], oracle: true },
      { name: 'analyze', kind: 'analyze', minPersons: MIN_PERSONS, bootstrap },
    ],
  };
  return {
    id,
    experiment: 'quickstart',
    description: config.description,
    provenance: {
      workflowId,
      runId,
      webUrl: `http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`,
      configFile: 'experiments/quickstart.yaml',
      configHash: '3f9a2c1d5e7b4a60',
      codeCommit: '0603312c4f1e9a8b7d6c5e4f3a2b1c0d9e8f7a6b',
      packages: { node: '20.20.2', '@temporalio/worker': '1.24.0', 'onnxruntime-node': '1.30.0', vega: '6.4.0', 'python:torch': '2.13.0' },
      seeds: { data: 7, finetune: 7, [step]: 1, analyze: 3 },
      artifacts: config.steps.map((st, i) => ({
        step: st.name, kind: st.kind === 'synthetic' ? 'panel' : st.kind, artifact: `${st.kind}/${(i + 1).toString(16).repeat(16)}`,
        sha256: (i + 10).toString(16).repeat(64).slice(0, 64), cached: i < 2,
      })),
      config,
      startedAt: '2026-12-01T09:00:00.000Z',
      finishedAt: '2026-12-01T09:04:12.000Z',
    },
    evaluations: [{ step, model: 'finetune', models: metrics, points: s.rows.length, oracle: 'oracle' }],
    ...(oneStep ? { analysis: { step: 'analyze', oneStep } } : {}),
  };
}

/**
 * Whole careers for a report: the truth simulates a small synthetic survey's test careers, and so
 * does the marginal (a model that ignores the career), compared with the observed careers.
 */
export async function careersFixture(): Promise<TrajectoryAnalysis> {
  const careers = testCareers(300, 8);
  const o = { prefixYears: 3, horizon: 3, draws: 3 };
  const train = trainPoints(300, 8);
  const sims = [
    await simulateTrajectories(careers, truthSampler(careersTaxonomy, 'truth'), { ...o, seed: 1 }),
    await simulateTrajectories(careers, baselineSampler(fitBaseline('marginal', train, careersTaxonomy)), { ...o, seed: 2 }),
  ];
  return compareTrajectories({ careers, simulations: sims, truth: 'truth' }, { subgroups: [['gender']], minPersons: 10 });
}

export function reportInput(runs: ReportRun[], title = 'LABOR-LLM report: quickstart'): ReportInput {
  return { title, runs, generatedAt: '2026-12-01T09:05:00.000Z' };
}
