/**
 * Synthetic panels with a known truth (design.md section 1). `generatePanel` draws persons
 * from a population mix (population.ts) and their careers from the true transition model
 * (truth.ts); `computeOracle` writes out the truth's distribution at every prediction point.
 *
 * Per person: demographics, birth year and a latent target education level are drawn; the
 * person is observed at the panel's wave years (annual up to `biennialAfter`, every two years
 * after it) from a start age to age 65 or the last year, with attrition and missed waves.
 * At each observation, education may rise one level (likely when young or in education), then
 * the state is drawn from the truth given the context the text shows.
 */
import { InvalidConfig, InvalidData } from '../errors';
import { SPLITS, type PersonRow, type Split } from '../artifacts/contracts';
import { EDUCATION_LEVELS, type Oracle, type Panel } from '../panel/panel';
import type { Taxonomy } from '../panel/taxonomy';
import { Rng, hash32 } from './random';
import {
  EDUCATION_CUTS, EDUCATION_MIN_AGE, EDUCATION_TYPICAL_AGE, MAX_AGE, POPULATIONS, RACE_EDUCATION,
} from './population';
import { GENDERS, KIND_EDUC, RACES, REGIONS, TruthModel, newStepContext } from './truth';

export type Population = 'resume' | 'survey';

export interface SynthOptions {
  taxonomy: Taxonomy;
  population: Population;
  persons: number;
  seed: number;
  /** First calendar year observed (default 1980). */
  firstYear?: number;
  /** Last calendar year observed (default 2020). */
  lastYear?: number;
  /** Observations are annual up to this year and every two years after it (default 1996, like PSID/NLSY). */
  biennialAfter?: number;
  /** Split fractions by person (default 0.7/0.1/0.2); assignment is a seeded permutation. */
  splits?: { train: number; valid: number; test: number };
  /** Compute the oracle (n x K floats; default true). */
  oracle?: boolean;
  /** Dataset name written in each text's header (default "synthetic <population>"). */
  name?: string;
  /** Called every few thousand persons (and rows of the oracle), so a caller can show it is alive. */
  onProgress?: GenerateProgress;
}

export type GenerateProgress = (phase: 'persons' | 'oracle', done: number, total: number) => void;

/** How often progress is reported: often enough for a heartbeat of a few seconds on a slow machine. */
const PROGRESS_EVERY = 2000;

/** Stream ids: each kind of draw has its own stream so changing one leaves the others alone. */
const STREAM_PERSON = 1;
const STREAM_SPLIT = 2;

export function generatePanel(options: SynthOptions): Panel {
  const o = resolveOptions(options);
  const truth = new TruthModel(o.taxonomy);
  const mix = POPULATIONS[o.population];
  const waves = waveYears(o.firstYear, o.lastYear, o.biennialAfter);
  const codes = truth.codes;
  const idWidth = Math.max(6, String(o.persons).length);
  const prefix = o.population === 'resume' ? 'r' : 's';

  const persons: PersonRow[] = new Array(o.persons);
  const personIdCol: string[] = [];
  const stateCol: string[] = [];
  const eduCol: string[] = [];
  let years: Int32Array = new Int32Array(Math.max(16, o.persons * 16));
  let n = 0;

  const rng = new Rng();
  const ctx = newStepContext(waves.length);
  const birthMin = o.firstYear - mix.oldestAge;
  const birthMax = Math.max(birthMin, o.lastYear - mix.youngestGap);
  const lastStart = waves[waves.length - 2];
  const startSpan = mix.startAge[1] - mix.startAge[0] + 1;

  for (let i = 0; i < o.persons; i++) {
    if (i % PROGRESS_EVERY === 0) o.onProgress?.('persons', i, o.persons);
    rng.reseed(hash32(o.seed, i, STREAM_PERSON));
    const female = rng.float() < mix.female ? 1 : 0;
    const race = rng.pick(mix.race);
    const region = rng.pick(mix.region);
    const u = mix.youngSkew ? Math.max(rng.float(), rng.float()) : rng.float();
    const birthYear = birthMin + Math.min(birthMax - birthMin, Math.floor(u * (birthMax - birthMin + 1)));
    const p = Math.min(Math.max(rng.float(), 1e-9), 1 - 1e-9);
    const latent = Math.log(p / (1 - p)) + mix.educationShift + RACE_EDUCATION[race] + 0.15 * female
      + 0.02 * Math.min(30, Math.max(-20, birthYear - 1960));
    let target = 0;
    for (const cut of EDUCATION_CUTS) if (latent > cut) target++;
    const delay = rng.float() < 0.7 ? 0 : 1 + rng.int(8);
    // Start early enough for at least two observations.
    const startYear = Math.min(lastStart, Math.max(o.firstYear, birthYear + mix.startAge[0] + rng.int(startSpan)));
    const endYear = Math.min(o.lastYear, birthYear + MAX_AGE);

    const id = `${prefix}${String(i + 1).padStart(idWidth, '0')}`;
    persons[i] = { person_id: id, gender: GENDERS[female ? 0 : 1], race: RACES[race], region: REGIONS[region], birth_year: birthYear, split: 'train' };
    truth.startPerson(ctx, female, race, region, birthYear);

    let observed = 0;
    let edu = 0;
    for (let w = lowerBound(waves, startYear); w < waves.length && waves[w] <= endYear; w++) {
      const year = waves[w];
      if (observed >= 2 && rng.float() < mix.missedWave) continue;
      const age = year - birthYear;
      if (observed === 0) {
        // Education reached by the first observation (degrees after high school may be delayed).
        for (let l = 1; l <= target; l++) if (age >= EDUCATION_TYPICAL_AGE[l] + (l >= 2 ? delay : 0)) edu = l;
      } else if (edu < target && age >= EDUCATION_MIN_AGE[edu + 1]) {
        const q = edu === 0 ? 0.8 : truth.kind[ctx.prev] === KIND_EDUC ? 0.6 : age <= 26 ? 0.2 : 0.04;
        if (rng.float() < 1 - Math.pow(1 - q, year - ctx.prevYear)) edu++;
      }
      truth.prepare(ctx, year, edu);
      const state = truth.sample(ctx, rng, edu < target);
      truth.observe(ctx, year, state, edu);

      if (n === years.length) years = grow(years);
      years[n++] = year;
      personIdCol.push(id);
      stateCol.push(codes[state]);
      eduCol.push(EDUCATION_LEVELS[edu]);
      observed++;
      if (observed >= 2 && rng.float() < mix.attrition) break;
    }
  }

  assignSplits(persons, o.seed, o.splits);
  const panel: Panel = {
    name: o.name,
    taxonomy: o.taxonomy,
    persons,
    personYears: { person_id: personIdCol, year: years.slice(0, n), state: stateCol, education: eduCol },
  };
  if (o.oracle) panel.oracle = computeOracle(panel, truth, o.onProgress);
  return panel;
}

/**
 * The truth's distribution at every prediction point of a panel (every observed year after a
 * person's first), in person-year order. The context is rebuilt from the panel's columns, the
 * same information the text shows, which is why the oracle is exact. The panel must use the
 * generator's covariate values (GENDERS, RACES, REGIONS, EDUCATION_LEVELS).
 */
export function computeOracle(panel: Panel, truth = new TruthModel(panel.taxonomy), onProgress?: GenerateProgress): Oracle {
  const py = panel.personYears;
  const K = truth.size;
  const rows = py.year.length;
  let points = 0;
  let maxRun = 1;
  for (let r = 1, run = 1; r < rows; r++) {
    if (py.person_id[r] === py.person_id[r - 1]) {
      points++;
      maxRun = Math.max(maxRun, ++run);
    } else run = 1;
  }
  const byId = new Map(panel.persons.map((p) => [p.person_id, p]));
  const eduIndex = new Map<string, number>(EDUCATION_LEVELS.map((e, i) => [e, i]));
  const covariate = (values: readonly string[], value: string, what: string, r: number) => {
    const i = values.indexOf(value);
    if (i < 0) throw new InvalidData(`oracle: person_years row ${r + 1}: ${what} '${value}' is not one the generator uses (${values.join(', ')})`);
    return i;
  };

  const out: Oracle = { person_id: new Array(points), year: new Int32Array(points), probs: new Float32Array(points * K) };
  const ctx = newStepContext(maxRun);
  const dist = new Float64Array(K);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    if (r % (10 * PROGRESS_EVERY) === 0) onProgress?.('oracle', r, rows);
    const id = py.person_id[r];
    const edu = eduIndex.get(py.education[r]) ?? covariate(EDUCATION_LEVELS, py.education[r], 'education', r);
    const state = truth.taxonomy.index.get(py.state[r]);
    if (state === undefined) throw new InvalidData(`oracle: person_years row ${r + 1}: state '${py.state[r]}' is not in the taxonomy`);
    if (r === 0 || id !== py.person_id[r - 1]) {
      const p = byId.get(id);
      if (!p) throw new InvalidData(`oracle: person_years row ${r + 1}: person '${id}' is not in persons`);
      truth.startPerson(ctx, covariate(GENDERS, p.gender, 'gender', r) === 0 ? 1 : 0, covariate(RACES, p.race, 'race', r),
        covariate(REGIONS, p.region, 'region', r), p.birth_year);
      truth.prepare(ctx, py.year[r], edu);
    } else {
      truth.prepare(ctx, py.year[r], edu);
      truth.distribution(ctx, dist);
      out.person_id[k] = id;
      out.year[k] = py.year[r];
      out.probs.set(dist, k * K);
      k++;
    }
    truth.observe(ctx, py.year[r], state, edu);
  }
  return out;
}

/** The observation years: annual up to `biennialAfter`, then every two years after it. */
export function waveYears(firstYear: number, lastYear: number, biennialAfter: number): Int32Array {
  const out: number[] = [];
  for (let y = firstYear; y <= lastYear; y++) if (y <= biennialAfter || (y - biennialAfter) % 2 === 0) out.push(y);
  return Int32Array.from(out);
}

function assignSplits(persons: PersonRow[], seed: number, f: { train: number; valid: number; test: number }): void {
  const n = persons.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new Rng(hash32(seed, 0, STREAM_SPLIT));
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const nTrain = Math.round(n * f.train);
  const nValid = Math.min(n - nTrain, Math.round(n * f.valid));
  for (let k = 0; k < n; k++) {
    const split: Split = k < nTrain ? 'train' : k < nTrain + nValid ? 'valid' : 'test';
    persons[order[k]].split = split;
  }
}

interface Resolved extends Required<Omit<SynthOptions, 'splits'>> {
  splits: { train: number; valid: number; test: number };
}

function resolveOptions(options: SynthOptions): Resolved {
  const o: Resolved = {
    firstYear: 1980, lastYear: 2020, biennialAfter: 1996, oracle: true, name: `synthetic ${options.population}`,
    splits: { train: 0.7, valid: 0.1, test: 0.2 },
    ...stripUndefined(options),
  } as Resolved;
  const bad = (key: string, expected: string, found: unknown) => {
    throw new InvalidConfig(`synthetic panel: ${key} must be ${expected}; found ${JSON.stringify(found)}`);
  };
  if (!(o.population in POPULATIONS)) bad('population', `one of ${Object.keys(POPULATIONS).join('|')}`, o.population);
  if (!Number.isSafeInteger(o.persons) || o.persons < 1) bad('persons', 'a positive integer', o.persons);
  if (!Number.isSafeInteger(o.seed) || o.seed < 0) bad('seed', 'a non-negative integer', o.seed);
  for (const key of ['firstYear', 'lastYear', 'biennialAfter'] as const) {
    if (!Number.isInteger(o[key])) bad(key, 'an integer year', o[key]);
  }
  if (o.lastYear - o.firstYear < 2) bad('lastYear', `at least firstYear + 2 (${o.firstYear + 2})`, o.lastYear);
  const s = o.splits;
  if (!SPLITS.every((k) => Number.isFinite(s[k]) && s[k] >= 0) || Math.abs(s.train + s.valid + s.test - 1) > 1e-6) {
    bad('splits', 'fractions train, valid, test >= 0 that sum to 1', s);
  }
  if (!o.taxonomy || typeof o.taxonomy.size !== 'number') bad('taxonomy', 'a Taxonomy (loadTaxonomy)', typeof o.taxonomy);
  if (typeof o.name !== 'string' || !o.name.trim() || o.name.includes('\n')) bad('name', 'a non-empty one-line string', o.name);
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
