/**
 * The synthetic generator's true transition model. It is defined directly on observed years:
 * the state at an observed year is drawn from a distribution written in closed form from what a
 * predictor sees in the text (previous states and years, demographics, birth year, education
 * up to and including that year, the gap since the previous observation). So the oracle is
 * exact, also across biennial gaps (the gap is an input, not a 2-step product).
 *
 * The distribution is a mixture of a few components whose weights are a softmax of logits:
 *   STAY    stay in the previous state (stay probability rises with tenure)
 *   LAST    back to the most recent occupation (after a non-employment spell)
 *   WITHIN  an occupation in the cluster of the most recent occupation (high within-cluster mobility)
 *   ACROSS  a cluster drawn from propensities that depend on education, gender, race and region,
 *           then an occupation within it
 *   RETURN  uniformly one of the other occupations held earlier (longer history matters)
 *   UNEMP / NILF / EDUC  the special states; rates depend on gender, race, education, age, year
 * Within a cluster, occupations are drawn by a fixed popularity weight.
 *
 * Everything is a function of the taxonomy alone (not of the seed). Clusters are the taxonomy's
 * occupation groups: codes sharing their first GROUP_DIGITS characters, the groups the analysis
 * step uses (`groupDigits`, default 2). In both bundled taxonomies a group is a family of
 * related titles that often share words (1000-1090 "... managers", 1300-1340 "... engineers",
 * 2500-2560 "... clerks"), as real occupational mobility runs within such families. So a title
 * tells a reader (and a model) something about which occupations it moves between, which a
 * code does only through its digits. Cluster skill falls with position (management and
 * professional codes come first); popularities and demographic tilts come from hashes of the codes.
 */
import { InvalidConfig } from '../errors';
import type { Taxonomy } from '../panel/taxonomy';
import { hashString, type Rng } from './random';

export const GENDERS = ['female', 'male'] as const;
export const RACES = ['White', 'Black', 'Hispanic', 'Other'] as const;
export const REGIONS = ['Northeast', 'Midwest', 'South', 'West'] as const;
export const N_EDUCATION = 5;

export const COMPONENTS = ['stay', 'last', 'within', 'across', 'return', 'unemployed', 'not_in_labor_force', 'in_education'] as const;
const STAY = 0, LAST = 1, WITHIN = 2, ACROSS = 3, RETURN = 4, UNEMP = 5, NILF = 6, EDUC = 7;
const N_COMP = 8;

/** State kinds as small integers (hot loops compare numbers, not strings). */
export const KIND_OCC = 0, KIND_UNEMP = 1, KIND_NILF = 2, KIND_EDUC = 3;

/**
 * What the truth conditions on at one prediction point. Filled in place by the generator
 * (one reused object, no allocation per person-year).
 */
export interface StepContext {
  /** Taxonomy index of the state at the previous observed year. */
  prev: number;
  /** Taxonomy index of the most recent occupation held at or before the previous year, -1 if none. */
  lastOcc: number;
  /** Calendar years of the current spell up to the previous observed year (>= 1). */
  tenure: number;
  /** Year of the previous observation and first year of the spell it belongs to. */
  prevYear: number;
  spellStart: number;
  /** Distinct occupations held at observed years up to the previous one (includes lastOcc). */
  history: Int32Array;
  historyLen: number;
  /** Years since the previous observation (1 annual, 2 biennial, more after a missed wave). */
  gap: number;
  year: number;
  age: number;
  birthYear: number;
  /** Education level index (EDUCATION_LEVELS) at this year and at the previous observed year. */
  edu: number;
  eduPrev: number;
  female: number;
  race: number;
  region: number;
}

export function newStepContext(maxHistory: number): StepContext {
  return {
    prev: -1, lastOcc: -1, tenure: 1, prevYear: 0, spellStart: 0, history: new Int32Array(maxHistory), historyLen: 0, gap: 1,
    year: 0, age: 0, birthYear: 0, edu: 0, eduPrev: 0, female: 0, race: 0, region: 0,
  };
}

// Demographic effects on the special states (logit shifts), by race (RACES order) and region.
const RACE_UNEMP = [0, 0.75, 0.35, 0.1];
const RACE_NILF = [0, 0.25, 0.2, 0.1];
const REGION_UNEMP = [0.05, 0.1, -0.1, 0.1];
/** Recession years: unemployment risk rises for everyone (a calendar-year effect). */
const RECESSION = new Set([1982, 1983, 1991, 1992, 2002, 2009, 2010, 2020]);

export class TruthModel {
  readonly size: number;
  readonly kind: Int8Array;
  readonly codes: readonly string[];
  readonly unemployed: number;
  readonly notInLaborForce: number;
  readonly inEducation: number;
  readonly nClusters: number;
  /** Cluster of each taxonomy state (-1 for special states). */
  readonly clusterOf: Int32Array;
  readonly clusterMembers: Int32Array[];
  /** Popularity of each state within its cluster, normalised to sum 1 per cluster. */
  readonly withinProb: Float64Array;
  private readonly clusterCum: Float64Array[];
  /** Cluster propensities per covariate combination (education x gender x race x region). */
  private readonly acrossCluster: Float64Array;
  private readonly acrossCum: Float64Array;
  private acrossStateCache: Float64Array | undefined;
  private readonly comp = new Float64Array(N_COMP);

  constructor(readonly taxonomy: Taxonomy) {
    const K = taxonomy.size;
    this.size = K;
    this.codes = taxonomy.rows.map((r) => r.code);
    this.kind = new Int8Array(K);
    taxonomy.rows.forEach((r, i) => {
      this.kind[i] = r.kind === 'occupation' ? KIND_OCC : r.kind === 'unemployed' ? KIND_UNEMP : r.kind === 'not_in_labor_force' ? KIND_NILF : KIND_EDUC;
    });
    const first = (k: number) => this.kind.indexOf(k);
    this.unemployed = first(KIND_UNEMP);
    this.notInLaborForce = first(KIND_NILF);
    this.inEducation = first(KIND_EDUC);
    const occ = taxonomy.occupationIndices;
    if (occ.length === 0) throw new InvalidConfig('synthetic panel: the taxonomy has no occupations (kind=occupation)');
    if (this.unemployed < 0 || this.notInLaborForce < 0 || this.inEducation < 0) {
      throw new InvalidConfig('synthetic panel: the taxonomy lacks a special state (unemployed, not_in_labor_force, in_education)');
    }

    const members = occupationClusters(this.codes, occ);
    const C = members.length;
    this.nClusters = C;
    this.clusterOf = new Int32Array(K).fill(-1);
    members.forEach((m, c) => m.forEach((s) => (this.clusterOf[s] = c)));
    this.clusterMembers = members.map((m) => Int32Array.from(m));

    // Popularity: log-normal-ish weight from a hash of the code (stable across seeds).
    this.withinProb = new Float64Array(K);
    this.clusterCum = this.clusterMembers.map((m) => {
      let total = 0;
      for (const s of m) {
        const z = unitNormalish(hashString(`pop:${this.codes[s]}`));
        this.withinProb[s] = Math.exp(0.8 * z);
        total += this.withinProb[s];
      }
      const cum = new Float64Array(m.length);
      let acc = 0;
      m.forEach((s, j) => {
        this.withinProb[s] /= total;
        acc += this.withinProb[s];
        cum[j] = acc;
      });
      return cum;
    });

    // Cluster propensities: skill falls with cluster position; gender, race, region tilts per cluster.
    const skill = Float64Array.from({ length: C }, (_, c) => (C > 1 ? 1 - c / (C - 1) : 0.5));
    const tilt = (salt: string) => centred(this.clusterMembers.map((m) => unitUniform(hashString(`${salt}:${this.codes[m[0]]}`)) * 2 - 1));
    const genderTilt = tilt('gender');
    const raceTilt = RACES.map((r, i) => (i === 0 ? new Array<number>(C).fill(0) : tilt(`race-${r}`)));
    const regionTilt = REGIONS.map((r) => tilt(`region-${r}`));
    const combos = N_EDUCATION * 2 * RACES.length * REGIONS.length;
    this.acrossCluster = new Float64Array(combos * C);
    this.acrossCum = new Float64Array(combos * C);
    for (let e = 0; e < N_EDUCATION; e++) {
      for (let f = 0; f < 2; f++) {
        for (let r = 0; r < RACES.length; r++) {
          for (let g = 0; g < REGIONS.length; g++) {
            const base = comboIndex(e, f, r, g) * C;
            let total = 0;
            for (let c = 0; c < C; c++) {
              const logit = 2.4 * ((e - 1.6) / 2) * (2 * skill[c] - 1)
                + 1.1 * genderTilt[c] * (f ? 1 : -1)
                + 0.7 * raceTilt[r][c]
                + 0.3 * regionTilt[g][c];
              const w = Math.exp(logit);
              this.acrossCluster[base + c] = w;
              total += w;
            }
            let acc = 0;
            for (let c = 0; c < C; c++) {
              this.acrossCluster[base + c] /= total;
              acc += this.acrossCluster[base + c];
              this.acrossCum[base + c] = acc;
            }
          }
        }
      }
    }
  }

  /** Resets the context for a new person (static covariates; no history yet). */
  startPerson(ctx: StepContext, female: number, race: number, region: number, birthYear: number): void {
    ctx.prev = -1;
    ctx.lastOcc = -1;
    ctx.historyLen = 0;
    ctx.tenure = 1;
    ctx.gap = 1;
    ctx.female = female;
    ctx.race = race;
    ctx.region = region;
    ctx.birthYear = birthYear;
  }

  /** Sets the time-varying inputs for predicting the state at `year` (education `edu` is known then). */
  prepare(ctx: StepContext, year: number, edu: number): void {
    ctx.year = year;
    ctx.age = year - ctx.birthYear;
    ctx.edu = edu;
    if (ctx.prev < 0) {
      ctx.eduPrev = edu;
      ctx.gap = 1;
      ctx.tenure = 1;
    } else {
      ctx.gap = year - ctx.prevYear;
      ctx.tenure = ctx.prevYear - ctx.spellStart + 1;
    }
  }

  /** Records the state observed at `year` (call after `prepare` for that year). */
  observe(ctx: StepContext, year: number, state: number, edu: number): void {
    if (ctx.prev !== state) ctx.spellStart = year;
    ctx.prev = state;
    ctx.prevYear = year;
    ctx.eduPrev = edu;
    if (this.kind[state] === KIND_OCC) {
      ctx.lastOcc = state;
      let seen = false;
      for (let i = 0; i < ctx.historyLen; i++) if (ctx.history[i] === state) seen = true;
      if (!seen) ctx.history[ctx.historyLen++] = state;
    }
  }

  /** Probability of each cluster for a covariate combination (for tests and documentation). */
  clusterPropensities(edu: number, female: number, race: number, region: number): Float64Array {
    const base = comboIndex(edu, female, race, region) * this.nClusters;
    return this.acrossCluster.slice(base, base + this.nClusters);
  }

  /**
   * Mixture weights of the components at a prediction point (ctx.prev >= 0), or of the first
   * observed year's distribution (ctx.prev < 0; `wantsEducation` is then a latent the first
   * year may use because it is not a prediction point). Written into an internal buffer.
   */
  weights(ctx: StepContext, wantsEducation = false): Float64Array {
    const w = this.comp;
    w.fill(-Infinity);
    const a = ctx.age;
    const e = ctx.edu;
    const up = ctx.edu > ctx.eduPrev ? 1 : 0;
    const g = Math.min(ctx.gap, 4) - 1;
    const f = ctx.female;
    const uShift = RACE_UNEMP[ctx.race] + REGION_UNEMP[ctx.region] - 0.35 * e + (a < 25 ? 0.5 : 0)
      + (RECESSION.has(ctx.year) ? 0.6 : 0);
    const nShift = 1.0 * f + RACE_NILF[ctx.race] - 0.2 * e + (a >= 62 ? 2.6 : a >= 55 ? 1.0 : 0) + (a < 22 ? 0.4 : 0)
      + (f && a >= 25 && a <= 40 ? 0.5 : 0) + (f && ctx.birthYear < 1955 ? 0.6 : 0);
    const eShift = (a <= 22 ? 1.5 : a <= 26 ? 0.5 : -1.2) + up - (e >= 4 ? 1.0 : 0);
    const count = ctx.historyLen - (ctx.lastOcc >= 0 ? 1 : 0);
    const hasLast = ctx.lastOcc >= 0;
    const retLogit = (base: number) => (count > 0 ? base + 0.3 * Math.log(count) : -Infinity);
    const lnTenure = Math.log(Math.max(1, ctx.tenure));

    if (ctx.prev < 0) {
      w[ACROSS] = 0;
      w[UNEMP] = -2.3 + uShift;
      w[NILF] = -2.8 + nShift;
      w[EDUC] = wantsEducation && a <= 24 ? 1.2 : -4;
    } else {
      switch (this.kind[ctx.prev]) {
        case KIND_OCC:
          w[STAY] = 1.3 + 0.6 * lnTenure + 0.02 * (Math.min(a, 50) - 30) + 0.15 * e - 0.8 * g;
          w[WITHIN] = 0;
          w[ACROSS] = -0.8 + 1.2 * up;
          w[RETURN] = retLogit(-1.6);
          w[UNEMP] = -2.1 + uShift + 0.3 * g;
          w[NILF] = -3.7 + nShift + 0.3 * g;
          w[EDUC] = -4.5 + eShift;
          break;
        case KIND_UNEMP:
          w[STAY] = 0.2 - 0.5 * lnTenure + 0.4 * uShift - 0.5 * g;
          if (hasLast) {
            w[LAST] = 0.6;
            w[WITHIN] = -0.2;
          }
          w[ACROSS] = hasLast ? -0.6 : 0.5;
          w[RETURN] = retLogit(-1.8);
          w[NILF] = -1.8 + nShift;
          w[EDUC] = -3.5 + eShift;
          break;
        case KIND_NILF:
          w[STAY] = 1.2 + 0.4 * lnTenure + 0.5 * nShift - 0.5 * g;
          if (hasLast) {
            w[LAST] = -0.3;
            w[WITHIN] = -0.9;
          }
          w[ACROSS] = hasLast ? -0.9 : 0;
          w[RETURN] = retLogit(-2.2);
          w[UNEMP] = -1.6 + 0.5 * uShift;
          w[EDUC] = -3.5 + eShift;
          break;
        default: // in education
          w[STAY] = 0.8 + (a <= 22 ? 1.2 : a <= 26 ? 0.2 : -1.0) - 0.4 * lnTenure - (up && e >= 3 ? 1.8 : 0) - 0.3 * g;
          if (hasLast) {
            w[LAST] = -1.2;
            w[WITHIN] = -2.0;
          }
          w[ACROSS] = 0.5 * up;
          w[RETURN] = retLogit(-3.0);
          w[UNEMP] = -1.8 + 0.5 * uShift;
          w[NILF] = -2.8 + 0.5 * nShift;
      }
    }
    // Softmax over the enabled components.
    let max = -Infinity;
    for (let i = 0; i < N_COMP; i++) if (w[i] > max) max = w[i];
    let total = 0;
    for (let i = 0; i < N_COMP; i++) {
      w[i] = w[i] === -Infinity ? 0 : Math.exp(w[i] - max);
      total += w[i];
    }
    for (let i = 0; i < N_COMP; i++) w[i] /= total;
    return w;
  }

  /** Draws the state (a taxonomy index) from the distribution `distribution` writes out. */
  sample(ctx: StepContext, rng: Rng, wantsEducation = false): number {
    const w = this.weights(ctx, wantsEducation);
    switch (rng.pick(w)) {
      case STAY: return ctx.prev;
      case LAST: return ctx.lastOcc;
      case WITHIN: return this.sampleInCluster(this.clusterOf[ctx.lastOcc >= 0 ? ctx.lastOcc : ctx.prev], rng);
      case ACROSS: {
        const base = comboIndex(ctx.edu, ctx.female, ctx.race, ctx.region) * this.nClusters;
        const c = searchCum(this.acrossCum, base, this.nClusters, rng.float());
        return this.sampleInCluster(c, rng);
      }
      case RETURN: {
        // Uniform over the earlier occupations other than the most recent one.
        let k = rng.int(ctx.historyLen - (ctx.lastOcc >= 0 ? 1 : 0));
        for (let i = 0; i < ctx.historyLen; i++) {
          if (ctx.history[i] === ctx.lastOcc) continue;
          if (k-- === 0) return ctx.history[i];
        }
        throw new Error('unreachable: return component without history');
      }
      case UNEMP: return this.unemployed;
      case NILF: return this.notInLaborForce;
      default: return this.inEducation;
    }
  }

  /** The exact distribution over taxonomy states (sums to 1), written into `out` (length K). */
  distribution(ctx: StepContext, out: Float64Array, wantsEducation = false): Float64Array {
    const w = this.weights(ctx, wantsEducation);
    out.fill(0);
    if (w[STAY] > 0) out[ctx.prev] += w[STAY];
    if (w[LAST] > 0) out[ctx.lastOcc] += w[LAST];
    if (w[WITHIN] > 0) {
      const c = this.clusterOf[ctx.lastOcc >= 0 ? ctx.lastOcc : ctx.prev];
      for (const s of this.clusterMembers[c]) out[s] += w[WITHIN] * this.withinProb[s];
    }
    if (w[ACROSS] > 0) {
      const across = this.acrossStates();
      const base = comboIndex(ctx.edu, ctx.female, ctx.race, ctx.region) * this.size;
      for (let s = 0; s < this.size; s++) out[s] += w[ACROSS] * across[base + s];
    }
    if (w[RETURN] > 0) {
      const share = w[RETURN] / (ctx.historyLen - (ctx.lastOcc >= 0 ? 1 : 0));
      for (let i = 0; i < ctx.historyLen; i++) if (ctx.history[i] !== ctx.lastOcc) out[ctx.history[i]] += share;
    }
    out[this.unemployed] += w[UNEMP];
    out[this.notInLaborForce] += w[NILF];
    out[this.inEducation] += w[EDUC];
    return out;
  }

  private sampleInCluster(c: number, rng: Rng): number {
    const cum = this.clusterCum[c];
    return this.clusterMembers[c][searchCum(cum, 0, cum.length, rng.float())];
  }

  /** P(state | ACROSS, covariate combination), built on first use (only the oracle needs it). */
  private acrossStates(): Float64Array {
    if (this.acrossStateCache) return this.acrossStateCache;
    const C = this.nClusters;
    const combos = this.acrossCluster.length / C;
    const out = new Float64Array(combos * this.size);
    for (let k = 0; k < combos; k++) {
      for (let s = 0; s < this.size; s++) {
        const c = this.clusterOf[s];
        if (c >= 0) out[k * this.size + s] = this.acrossCluster[k * C + c] * this.withinProb[s];
      }
    }
    return (this.acrossStateCache = out);
  }
}

export function comboIndex(edu: number, female: number, race: number, region: number): number {
  return ((edu * 2 + female) * RACES.length + race) * REGIONS.length + region;
}

/** First index i in cum[base, base+n) with u * total < cum[i] (binary search on a CDF). */
function searchCum(cum: Float64Array, base: number, n: number, u: number): number {
  const target = u * cum[base + n - 1];
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[base + mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function unitUniform(h: number): number {
  return h / 0x100000000;
}

/** Roughly standard normal from a hash (sum of three uniforms from its bytes, rescaled). */
function unitNormalish(h: number): number {
  const a = (h & 0x7ff) / 0x800, b = ((h >>> 11) & 0x7ff) / 0x800, c = (h >>> 22) / 0x400;
  return (a + b + c - 1.5) * 2;
}

/** Centres values to mean 0 and scales them to a maximum absolute value of 1. */
function centred(v: number[]): number[] {
  if (v.length < 2) return v.map(() => 0);
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const d = v.map((x) => x - mean);
  const m = Math.max(...d.map(Math.abs)) || 1;
  return d.map((x) => x / m);
}

/** Characters of a code that name its group: the analysis step's default `groupDigits`. */
export const GROUP_DIGITS = 2;

/**
 * Occupations (taxonomy indices, in taxonomy order) grouped by the first GROUP_DIGITS
 * characters of their codes. A taxonomy whose codes form no such groups (one group, or mostly
 * single occupations) gets contiguous blocks of about 12 instead, at most 16.
 */
export function occupationClusters(codes: readonly string[], occ: readonly number[]): number[][] {
  const byPrefix = new Map<string, number[]>();
  for (const s of occ) {
    const prefix = codes[s].slice(0, GROUP_DIGITS);
    byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), s]);
  }
  const groups = [...byPrefix.values()];
  if (groups.length >= 2 && groups.length <= occ.length / 2) return groups;
  const C = Math.max(1, Math.min(16, Math.round(occ.length / 12)));
  const blocks: number[][] = Array.from({ length: C }, () => []);
  occ.forEach((s, i) => blocks[Math.floor((i * C) / occ.length)].push(s));
  return blocks;
}
