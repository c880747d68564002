/**
 * Survey weights of the simulated persons: a person row's `weight` (positive, on every person
 * or on none); every person weighs 1 when the rows carry none or when weights are turned off.
 */
import { InvalidData, ProblemList } from '../errors';
import type { Careers, Simulation } from './types';

export interface PersonWeights {
  /** Weight per simulated person slot (index into Simulation.careers). */
  weight: Float64Array;
  /** Whether the persons' survey weights are used (false: all ones). */
  survey: boolean;
}

export function personWeights(careers: Careers, sim: Simulation, use: boolean): PersonWeights {
  const weight = new Float64Array(sim.careers.length).fill(1);
  const carrying = careers.persons.filter((p) => p.weight !== undefined && p.weight !== null).length;
  if (!use || carrying === 0) return { weight, survey: false };
  const problems = new ProblemList();
  for (const p of careers.persons) {
    const w = p.weight;
    if (w === undefined || w === null) problems.add('weight missing (the persons carry weights, so every person needs one)', `person '${p.person_id}'`);
    else if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0) problems.add('weight not a positive finite number', `person '${p.person_id}': ${String(w)}`);
  }
  problems.throwIfAny((m, d) => new InvalidData(m, d), `trajectories: invalid survey weights in dataset '${careers.dataset}' (persons' weight)`);
  sim.careers.forEach((c, p) => (weight[p] = careers.persons[c].weight!));
  return { weight, survey: true };
}
