/**
 * Which persons a simulation covers and for how many years: everyone observed more than K
 * years, each for min(horizon, observed years - K). A horizon no career reaches is an error.
 */
import { InvalidConfig } from '../errors';
import { careerLength } from './careers';
import type { Careers, SimulationOptions } from './types';

export interface SimulationPlan {
  careers: Int32Array;
  steps: Int32Array;
  skipped: number;
}

export const DEFAULT_BATCH_SIZE = 2048;

export function checkSimulationOptions(o: SimulationOptions): void {
  const problems: string[] = [];
  const positive = (key: keyof SimulationOptions) => {
    const v = o[key];
    if (!(typeof v === 'number' && Number.isSafeInteger(v) && v >= 1)) problems.push(`${key}: expected a positive integer, found ${JSON.stringify(v)}`);
  };
  positive('prefixYears');
  positive('horizon');
  positive('draws');
  if (o.batchSize !== undefined) positive('batchSize');
  if (o.education !== undefined && o.education !== 'observed' && o.education !== 'generated') {
    problems.push(`education: expected 'observed' or 'generated', found ${JSON.stringify(o.education)}`);
  }
  if (!(typeof o.seed === 'number' && Number.isSafeInteger(o.seed) && o.seed >= 0)) problems.push(`seed: expected a non-negative integer, found ${JSON.stringify(o.seed)}`);
  if (problems.length) throw new InvalidConfig('trajectories: invalid simulation options', problems);
}

export function planSimulation(careers: Careers, prefixYears: number, horizon: number): SimulationPlan {
  const n = careers.persons.length;
  const chosen: number[] = [];
  const steps: number[] = [];
  let longest = 0;
  let longestId = '';
  let reach = 0;
  for (let i = 0; i < n; i++) {
    const len = careerLength(careers, i);
    if (len > longest) [longest, longestId] = [len, careers.persons[i].person_id];
    if (len <= prefixYears) continue;
    chosen.push(i);
    steps.push(Math.min(horizon, len - prefixYears));
    if (len >= prefixYears + horizon) reach++;
  }
  if (reach === 0) {
    throw new InvalidConfig(
      `trajectories: horizon ${horizon} after the first K = ${prefixYears} observed years needs careers of at least ${prefixYears + horizon} observed years, ` +
      `but the longest career has ${longest}${longestId ? ` (person '${longestId}')` : ''} among ${n} persons; ` +
      (longest > prefixYears ? `use a horizon of at most ${longest - prefixYears} or fewer prefix years` : `use fewer prefix years than ${longest}`),
    );
  }
  return { careers: Int32Array.from(chosen), steps: Int32Array.from(steps), skipped: n - chosen.length };
}
