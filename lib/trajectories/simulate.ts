/**
 * The simulation loop: one observed year at a time, every partial career that reaches that year
 * goes to the sampler in batches, and one state is drawn from each distribution. Each (person,
 * draw) has its own random stream, seeded from the seed, the person id and the draw, so the
 * result depends neither on the batch size nor on which other persons are simulated.
 */
import { InvalidModel } from '../errors';
import { Rng, hash32, hashString } from '../synth/random';
import { checkSimulationOptions, DEFAULT_BATCH_SIZE, planSimulation } from './plan';
import type { Careers, NextStateSampler, PartialCareer, Simulation, SimulationOptions } from './types';

/** How far a distribution row's sum may be from 1 before the sampler is called broken. */
const SUM_TOLERANCE = 1e-4;

export async function simulateTrajectories(careers: Careers, sampler: NextStateSampler, options: SimulationOptions): Promise<Simulation> {
  checkSimulationOptions(options);
  const { prefixYears: K, horizon: H, draws: N, seed } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const plan = planSimulation(careers, K, H);
  const P = plan.careers.length;
  const S = careers.taxonomy.size;
  const states = new Int32Array(P * N * H).fill(-1);

  // Per path (person p, draw d at p * N + d): its stream and its states so far.
  const rngs: Rng[] = new Array(P * N);
  const paths: PartialCareer[] = new Array(P * N);
  for (let p = 0; p < P; p++) {
    const c = plan.careers[p];
    const personHash = hashString(careers.persons[c].person_id);
    const observed = careers.state.subarray(careers.start[c], careers.start[c] + K);
    for (let d = 0; d < N; d++) {
      rngs[p * N + d] = new Rng(hash32(seed, personHash, d));
      const own = new Int32Array(K + plan.steps[p]);
      own.set(observed);
      paths[p * N + d] = { career: c, draw: d, states: own };
    }
  }

  let rows = 0;
  for (let t = 0; t < H; t++) {
    const active: number[] = [];
    for (let p = 0; p < P; p++) if (plan.steps[p] > t) for (let d = 0; d < N; d++) active.push(p * N + d);
    for (let a = 0; a < active.length; a += batchSize) {
      const ids = active.slice(a, a + batchSize);
      const batch = ids.map((k) => ({ ...paths[k], states: paths[k].states.subarray(0, K + t) }));
      const dist = await sampler.distributions(careers, batch);
      if (dist.length !== ids.length * S) {
        throw new InvalidModel(`trajectories: sampler '${sampler.name}' returned ${dist.length} probabilities for ${ids.length} careers x ${S} states`);
      }
      ids.forEach((k, j) => {
        const row = dist.subarray(j * S, (j + 1) * S);
        checkRow(row, sampler.name, careers, batch[j]);
        const s = rngs[k].pick(row);
        paths[k].states[K + t] = s;
        states[k * H + t] = s;
      });
      rows += ids.length;
    }
    options.onProgress?.(t + 1, H, rows);
  }
  return {
    sampler: sampler.name, prefixYears: K, horizon: H, draws: N, seed, careers: plan.careers, steps: plan.steps, states,
    skipped: plan.skipped, personYears: rows,
  };
}

function checkRow(row: Float64Array, name: string, careers: Careers, path: PartialCareer): void {
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
      `trajectories: sampler '${name}' gave person '${careers.persons[c].person_id}' (draw ${path.draw}, year ${year}) ` +
      `a distribution that is not probabilities: ${bad ? 'a negative or non-finite value' : `sum ${sum}`}`,
    );
  }
}
