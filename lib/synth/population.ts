/**
 * The two populations' mixes. They differ only in who is drawn and how long they are observed;
 * the transition model (truth.ts) is the same for both, so a model trained on one and
 * evaluated on the other faces a pure covariate shift, as in the paper's design.
 *
 * - resume: large and unrepresentative, like resumes posted online: skewed to college
 *   education, younger cohorts, more men and more Asian/other workers, starting after school
 *   (age 22-27),
 *   observed until the last year (no attrition). Its non-employment is lower through that mix.
 * - survey: a representative mix (CPS-like shares), observed from the late teens, with attrition
 *   and occasional missed waves.
 */
export interface PopulationMix {
  female: number;
  /** Shares of RACES, in order. */
  race: readonly number[];
  /** Shares of REGIONS, in order. */
  region: readonly number[];
  /** Birth years: the youngest cohort is `lastYear - youngestGap`, the oldest `firstYear - oldestAge`. */
  oldestAge: number;
  youngestGap: number;
  /** Draw birth years skewed to younger cohorts (max of two uniforms). */
  youngSkew: boolean;
  /** Shift of the ordered logit of the target education level. */
  educationShift: number;
  /** Age of the first observation (uniform in [min, max]) unless the panel starts later. */
  startAge: readonly [number, number];
  /** Probability of leaving the panel after each observation (from the second on). */
  attrition: number;
  /** Probability of missing a wave (creates gaps longer than the design's). */
  missedWave: number;
}

export const POPULATIONS: Record<'resume' | 'survey', PopulationMix> = {
  resume: {
    female: 0.44,
    race: [0.62, 0.08, 0.1, 0.2],
    region: [0.22, 0.18, 0.3, 0.3],
    oldestAge: 20,
    youngestGap: 27,
    youngSkew: true,
    educationShift: 1.6,
    startAge: [22, 27],
    attrition: 0,
    missedWave: 0.01,
  },
  survey: {
    female: 0.51,
    race: [0.64, 0.13, 0.16, 0.07],
    region: [0.17, 0.21, 0.38, 0.24],
    oldestAge: 42,
    youngestGap: 24,
    youngSkew: false,
    educationShift: 0,
    startAge: [16, 21],
    attrition: 0.015,
    missedWave: 0.03,
  },
};

/**
 * Cut points of the ordered logit for the target education level, from representative shares
 * (less than high school 12%, high school 30%, some college 28%, bachelor's 20%, graduate 10%).
 */
export const EDUCATION_CUTS = [0.12, 0.42, 0.7, 0.9].map((p) => Math.log(p / (1 - p)));
/** Education shift of the target level by race (RACES order). */
export const RACE_EDUCATION = [0, -0.45, -0.7, 0.45];
/** Typical age at which each education level is reached, and the earliest possible age. */
export const EDUCATION_TYPICAL_AGE = [0, 18, 19, 22, 24];
export const EDUCATION_MIN_AGE = [0, 17, 18, 21, 22];
/** Observations stop at this age (retirement). */
export const MAX_AGE = 65;
