/**
 * Covariates of each prediction point for non-text models (the logit baseline, later a
 * CAREER-style model). A pure function of the panel; rows come in the encoder's point order
 * (persons in table order, then each person's observed years after the first), so row i here
 * describes row i of points.arrow.
 *
 * Per point at observed row r of a person whose first observed row is s:
 *   prev_state, prev2_state   states at rows r-1 and r-2 (null before s)
 *   tenure                    observed rows ending at r-1 in prev_state without a break (>= 1);
 *                             observed rows, not calendar years: a biennial wave counts once
 *   years_since_first         year[r] - year[s]
 *   gap                       year[r] - year[r-1]
 *   education_changed         1 if education[r] differs from education[r-1], else 0
 *   age                       year[r] - birth_year
 *   last_occupation_before_spell  when prev_state is a non-employment state, the last
 *                             occupation before that spell (null if none, or if employed)
 *   held_codes                distinct states of rows s..r-1, in order of first appearance
 *   weight                    the person's survey weight (`weight` on the person row), else 1
 */
import { NONEMPLOYMENT_KINDS, type Split } from '../artifacts/contracts';
import { InvalidData, ProblemList } from '../errors';
import type { Panel } from '../panel/panel';

/** The point_features columns (contracts.ts PointFeatureRow), column-wise. */
export interface PointFeatures {
  person_id: string[];
  split: Split[];
  year: Int32Array;
  true_state: string[];
  prev_state: string[];
  prev2_state: (string | null)[];
  tenure: Int32Array;
  years_since_first: Int32Array;
  gap: Int32Array;
  education: string[];
  education_prev: string[];
  education_changed: Int32Array;
  age: Int32Array;
  gender: string[];
  race: string[];
  region: string[];
  birth_year: Int32Array;
  last_occupation_before_spell: (string | null)[];
  held_codes: string[][];
  weight: Float64Array;
}

export function computePointFeatures(panel: Panel): PointFeatures {
  const py = panel.personYears;
  const rows = py.person_id.length;
  const source = `point features of '${panel.name}'`;
  const problems = new ProblemList();
  const blockStart = personBlocks(panel, source);

  const nonEmployment = new Set(panel.taxonomy.rows.filter((r) => NONEMPLOYMENT_KINDS.includes(r.kind)).map((r) => r.code));
  for (let r = 0; r < rows; r++) {
    if (!panel.taxonomy.has(py.state[r])) problems.add('state not in the taxonomy', `person_years row ${r + 1}: '${py.state[r]}'`);
  }
  for (const p of panel.persons) {
    if (p.weight !== undefined && !(Number.isFinite(p.weight) && p.weight >= 0)) {
      problems.add('weight must be a finite number >= 0', `person '${p.person_id}': ${String(p.weight)}`);
    }
  }
  problems.throwIfAny((m, d) => new InvalidData(m, d), `${source}: invalid panel`);

  const n = rows - blockStart.size;
  const f: PointFeatures = {
    person_id: new Array(n), split: new Array(n), year: new Int32Array(n), true_state: new Array(n),
    prev_state: new Array(n), prev2_state: new Array(n), tenure: new Int32Array(n), years_since_first: new Int32Array(n),
    gap: new Int32Array(n), education: new Array(n), education_prev: new Array(n), education_changed: new Int32Array(n),
    age: new Int32Array(n), gender: new Array(n), race: new Array(n), region: new Array(n), birth_year: new Int32Array(n),
    last_occupation_before_spell: new Array(n), held_codes: new Array(n), weight: new Float64Array(n),
  };

  let k = 0;
  for (const person of panel.persons) {
    const s = blockStart.get(person.person_id);
    if (s === undefined) continue;
    const weight = person.weight ?? 1;
    let tenure = 0;
    let lastOccupation: string | null = null;
    const held: string[] = [];
    const heldSet = new Set<string>();
    for (let r = s; r < rows && py.person_id[r] === person.person_id; r++) {
      if (r > s) {
        const prev = py.state[r - 1];
        f.person_id[k] = person.person_id;
        f.split[k] = person.split;
        f.year[k] = py.year[r];
        f.true_state[k] = py.state[r];
        f.prev_state[k] = prev;
        f.prev2_state[k] = r - 2 >= s ? py.state[r - 2] : null;
        f.tenure[k] = tenure;
        f.years_since_first[k] = py.year[r] - py.year[s];
        f.gap[k] = py.year[r] - py.year[r - 1];
        f.education[k] = py.education[r];
        f.education_prev[k] = py.education[r - 1];
        f.education_changed[k] = py.education[r] === py.education[r - 1] ? 0 : 1;
        f.age[k] = py.year[r] - person.birth_year;
        f.gender[k] = person.gender;
        f.race[k] = person.race;
        f.region[k] = person.region;
        f.birth_year[k] = person.birth_year;
        f.last_occupation_before_spell[k] = nonEmployment.has(prev) ? lastOccupation : null;
        f.held_codes[k] = held.slice();
        f.weight[k] = weight;
        k++;
      }
      // Fold row r into the running history for the next point.
      const state = py.state[r];
      tenure = r > s && state === py.state[r - 1] ? tenure + 1 : 1;
      if (!nonEmployment.has(state)) lastOccupation = state;
      if (!heldSet.has(state)) {
        heldSet.add(state);
        held.push(state);
      }
    }
  }
  return f;
}

/** Each person's first person-year row; rows of a person must be contiguous and the person known. */
function personBlocks(panel: Panel, source: string): Map<string, number> {
  const py = panel.personYears;
  const problems = new ProblemList();
  const blockStart = new Map<string, number>();
  for (let r = 0; r < py.person_id.length; r++) {
    const id = py.person_id[r];
    if (r > 0 && id === py.person_id[r - 1]) {
      if (py.year[r] <= py.year[r - 1]) problems.add('years not increasing within a person', `person_years row ${r + 1}: person '${id}' year ${py.year[r]} after ${py.year[r - 1]}`);
      continue;
    }
    if (blockStart.has(id)) problems.add('rows of a person not contiguous', `person_years row ${r + 1}: person '${id}'`);
    blockStart.set(id, r);
  }
  const personIds = new Set(panel.persons.map((p) => p.person_id));
  for (const id of blockStart.keys()) {
    if (!personIds.has(id)) problems.add('person not in persons', `person_years has person '${id}'`);
  }
  problems.throwIfAny((m, d) => new InvalidData(m, d), `${source}: invalid panel`);
  return blockStart;
}
