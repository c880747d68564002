/**
 * Subgroups of the simulated persons, with lib/analysis's definitions (person covariates,
 * birth cohort by decade, education). Education varies along a career: a person's value is
 * the one at the K-th observed year, where the simulation starts.
 */
import { planSubgroups, BIRTH_COHORT, EDUCATION, PERSON_DIMENSIONS } from '../analysis/subgroups';
import type { AlignedPoints } from '../analysis/align';
import type { Dimension, SubgroupInfo } from '../analysis/types';
import { didYouMeanSuffix } from '../config/did-you-mean';
import { InvalidConfig } from '../errors';
import type { Careers, Simulation } from './types';

export interface PersonSubgroup {
  info: Pick<SubgroupInfo, 'id' | 'dimensions' | 'values'>;
  /** Simulated person slots (indices into Simulation.careers), ascending. */
  persons: Int32Array;
}

export function personSubgroups(careers: Careers, sim: Simulation, defs: readonly (readonly Dimension[])[]): PersonSubgroup[] {
  checkDimensions(careers, defs);
  const n = sim.careers.length;
  const person_id = Array.from(sim.careers, (c) => careers.persons[c].person_id);
  const year = Int32Array.from(sim.careers, (c) => careers.year[careers.start[c] + sim.prefixYears - 1]);
  const points: AlignedPoints = { n, person_id, year, trueIdx: new Int32Array(n), prevIdx: new Int32Array(n), rows: [] };
  const personYears = { person_id: expand(careers, (c) => careers.persons[c].person_id), year: careers.year, education: [...careers.education] };
  const plan = planSubgroups(
    { taxonomy: careers.taxonomy, persons: careers.persons, personYears, models: [] }, points, { subgroups: defs, minPersons: 0, minPoints: 0 },
  );
  const slotOf = new Map<number, number>();
  sim.careers.forEach((c, p) => slotOf.set(c, p));
  return plan.subgroups.map((g) => {
    const t = plan.tables[g.table];
    const slots = Int32Array.from(g.cells, (cell) => slotOf.get(t.person[cell])!).sort();
    return { info: { id: g.info.id, dimensions: g.info.dimensions, values: g.info.values }, persons: slots };
  });
}

function checkDimensions(careers: Careers, defs: readonly (readonly Dimension[])[]): void {
  const known = new Set<string>([...PERSON_DIMENSIONS, BIRTH_COHORT, EDUCATION, ...careers.persons.flatMap((p) => Object.keys(p))]);
  known.delete('person_id');
  known.delete('split');
  const problems = defs.flatMap((d, i) => (Array.isArray(d) ? d : []).filter((x) => !known.has(x))
    .map((x) => `subgroups[${i}]: unknown dimension '${x}'${didYouMeanSuffix(String(x), known)}`));
  if (problems.length) throw new InvalidConfig(`trajectories: unknown subgroup dimension(s); known: ${[...known].join(', ')}`, problems);
}

function expand<T>(careers: Careers, f: (c: number) => T): T[] {
  const out: T[] = new Array(careers.year.length);
  for (let c = 0; c < careers.persons.length; c++) for (let r = careers.start[c]; r < careers.start[c + 1]; r++) out[r] = f(c);
  return out;
}
