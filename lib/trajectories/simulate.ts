/**
 * The simulation loop: one observed year at a time, every partial career that reaches that year
 * goes to the sampler in batches, and one state is drawn from each distribution. Each (person,
 * draw) has its own random stream, seeded from the seed, the person id and the draw, so the
 * result depends neither on the batch size nor on which other persons are simulated. With
 * generated education, each simulated year first draws every path's education (from a second
 * stream per path, so the state stream, and with it every 'observed' result, is unchanged),
 * then its state given that education.
 */
import { InvalidConfig, InvalidModel } from '../errors';
import { Rng, hash32, hashString } from '../synth/random';
import { checkSimulationOptions, DEFAULT_BATCH_SIZE, planSimulation } from './plan';
import type { Careers, EducationSampler, NextStateSampler, PartialCareer, Simulation, SimulationOptions } from './types';

/** How far a distribution row's sum may be from 1 before the sampler is called broken. */
const SUM_TOLERANCE = 1e-4;
/** The extra seed word of a path's education stream. */
const EDUCATION_STREAM = 1;

export async function simulateTrajectories(careers: Careers, sampler: NextStateSampler, options: SimulationOptions): Promise<Simulation> {
  checkSimulationOptions(options);
  const { prefixYears: K, horizon: H, draws: N, seed } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const plan = planSimulation(careers, K, H);
  const P = plan.careers.length;
  const S = careers.taxonomy.size;
  const states = new Int32Array(P * N * H).fill(-1);
  const eduModel = educationModelOf(sampler, options);
  const education = eduModel ? new Array<string | null>(P * N * H).fill(null) : undefined;

  // Per path (person p, draw d at p * N + d): its streams, its states and education so far.
  const rngs: Rng[] = new Array(P * N);
  const eduRngs: Rng[] = eduModel ? new Array(P * N) : [];
  const paths: (PartialCareer & { education?: string[] })[] = new Array(P * N);
  for (let p = 0; p < P; p++) {
    const c = plan.careers[p];
    const personHash = hashString(careers.persons[c].person_id);
    const observed = careers.state.subarray(careers.start[c], careers.start[c] + K);
    for (let d = 0; d < N; d++) {
      rngs[p * N + d] = new Rng(hash32(seed, personHash, d));
      const own = new Int32Array(K + plan.steps[p]);
      own.set(observed);
      paths[p * N + d] = { career: c, draw: d, states: own };
      if (eduModel) {
        eduRngs[p * N + d] = new Rng(hash32(seed, personHash, d, EDUCATION_STREAM));
        paths[p * N + d].education = careers.education.slice(careers.start[c], careers.start[c] + K);
      }
    }
  }

  let rows = 0;
  for (let t = 0; t < H; t++) {
    const active: number[] = [];
    for (let p = 0; p < P; p++) if (plan.steps[p] > t) for (let d = 0; d < N; d++) active.push(p * N + d);
    for (let a = 0; a < active.length; a += batchSize) {
      const ids = active.slice(a, a + batchSize);
      if (eduModel) await drawEducation(careers, eduModel, sampler.name, ids.map((k) => paths[k]), ids.map((k) => eduRngs[k]), K + t);
      const batch = ids.map((k) => ({
        ...paths[k], states: paths[k].states.subarray(0, K + t), ...(eduModel && { education: paths[k].education!.slice(0, K + t + 1) }),
      }));
      const dist = await sampler.distributions(careers, batch);
      if (dist.length !== ids.length * S) {
        throw new InvalidModel(`trajectories: sampler '${sampler.name}' returned ${dist.length} probabilities for ${ids.length} careers x ${S} states`);
      }
      ids.forEach((k, j) => {
        const row = dist.subarray(j * S, (j + 1) * S);
        checkRow(row, `sampler '${sampler.name}'`, careers, batch[j]);
        const s = rngs[k].pick(row);
        paths[k].states[K + t] = s;
        states[k * H + t] = s;
        if (education) education[k * H + t] = paths[k].education![K + t];
      });
      rows += ids.length;
    }
    options.onProgress?.(t + 1, H, rows);
  }
  return {
    sampler: sampler.name, prefixYears: K, horizon: H, draws: N, seed, careers: plan.careers, steps: plan.steps, states,
    skipped: plan.skipped, personYears: rows, ...(eduModel && { education, educationModel: eduModel.name }),
  };
}

function educationModelOf(sampler: NextStateSampler, options: SimulationOptions): EducationSampler | undefined {
  if ((options.education ?? 'observed') === 'observed') return undefined;
  const model = sampler.education ?? options.educationModel;
  if (!model) {
    throw new InvalidConfig(`trajectories: education: generated, but sampler '${sampler.name}' has no education model of its own and no educationModel was given`);
  }
  return model;
}

/** Draws the education of year `n` of each path (its first n years known) and appends it. */
async function drawEducation(
  careers: Careers, model: EducationSampler, samplerName: string, paths: { career: number; draw: number; states: Int32Array; education?: string[] }[],
  rngs: Rng[], n: number,
): Promise<void> {
  const L = model.levels.length;
  const batch = paths.map((p) => ({ career: p.career, draw: p.draw, states: p.states.subarray(0, n), education: p.education!.slice(0, n) }));
  const dist = await model.distributions(careers, batch);
  const who = `education model '${model.name}' (sampler '${samplerName}')`;
  if (dist.length !== paths.length * L) {
    throw new InvalidModel(`trajectories: ${who} returned ${dist.length} probabilities for ${paths.length} careers x ${L} levels`);
  }
  paths.forEach((p, j) => {
    const row = dist.subarray(j * L, (j + 1) * L);
    checkRow(row, who, careers, batch[j]);
    p.education![n] = model.levels[rngs[j].pick(row)];
  });
}

function checkRow(row: Float64Array, who: string, careers: Careers, path: PartialCareer): void {
  let sum = 0;
  let bad = false;
  for (let k = 0; k < row.length; k++) {
    const v = row[k];
    if (!(v >= 0) || v === Infinity) bad = true;
    sum += v;
  }
  if (bad || !(Math.abs(sum - 1) <= SUM_TOLERANCE)) {
    const c = path.career;
    const year = careers.year[careers.start[c] + path.states.length];
    throw new InvalidModel(
      `trajectories: ${who} gave person '${careers.persons[c].person_id}' (draw ${path.draw}, year ${year}) ` +
      `a distribution that is not probabilities: ${bad ? 'a negative or non-finite value' : `sum ${sum}`}`,
    );
  }
}
