/** Shared inputs for the trajectory tests: a seeded synthetic survey panel and its test careers. */
import type { Panel } from '../../lib/panel/panel';
import { loadTaxonomy } from '../../lib/panel/taxonomy';
import { generatePanel } from '../../lib/synth';
import type { TrainPoints } from '../../lib/baselines';
import { encodePanel } from '../../lib/text';
import { careersFromPanel, type Careers } from '../../lib/trajectories';

export const taxonomy = loadTaxonomy();

const panels = new Map<string, Panel>();

/** A synthetic survey panel (with its oracle), cached per size and seed. */
export function surveyPanel(persons: number, seed: number): Panel {
  const key = `${persons}:${seed}`;
  let p = panels.get(key);
  if (!p) panels.set(key, (p = generatePanel({ taxonomy, population: 'survey', persons, seed })));
  return p;
}

export function testCareers(persons: number, seed: number): Careers {
  return careersFromPanel(surveyPanel(persons, seed));
}

/** The same survey's training-split points, for fitting a baseline sampler. */
export function trainPoints(persons: number, seed: number): TrainPoints {
  const enc = encodePanel(surveyPanel(persons, seed), { name: 'resume' });
  const rows = enc.points.split.flatMap((s, i) => (s === 'train' ? [i] : []));
  return { prev_code: rows.map((i) => enc.points.prev_code[i]), true_code: rows.map((i) => enc.points.true_code[i]) };
}
