/**
 * The training split's education transitions as an education model, for samplers without one
 * of their own (the baselines): P(next level | previous level, gap in years since the previous
 * observation, gaps of 4 or more pooled), from every pair of consecutive observed years of the
 * training careers. Smoothing backs off instead of adding one to every cell, so a transition the
 * data never shows (a fall in education) keeps probability zero:
 *   P(next | prev, gap) = (n(prev, gap, next) + 1 * Q(next | prev)) / (n(prev, gap) + 1)
 *   Q(next | prev)      = (n(prev, next) + 1 * [next = prev]) / (n(prev) + 1)
 * that is, one pseudo-observation of the gap-pooled transitions, and one of staying put (a level
 * never seen before another year stays).
 */
import { InvalidData, ProblemList } from '../errors';
import type { Careers, EducationSampler, PartialCareer } from './types';

/** Gaps of this many years or more share their counts. */
export const EDUCATION_GAP_CAP = 4;
/** Pseudo-observations of each back-off level. */
export const EDUCATION_SMOOTHING = 1;

export interface EducationTransitions extends EducationSampler {
  /** Row-major [level, gap 1..cap, next level] probabilities (gap index gap - 1). */
  readonly probs: Float64Array;
  /** Consecutive year pairs counted. */
  readonly pairs: number;
}

export function educationTransitions(train: Careers, levels: readonly string[], name = 'training transitions'): EducationTransitions {
  const L = levels.length;
  const G = EDUCATION_GAP_CAP;
  const index = new Map(levels.map((e, i) => [e, i]));
  const problems = new ProblemList();
  const level = (careers: Careers, r: number) => {
    const i = index.get(careers.education[r]);
    if (i === undefined) problems.add(`education level not among the panel's (${levels.join(', ')})`, `row ${r + 1} of the training careers: '${careers.education[r]}'`);
    return i ?? 0;
  };
  const n = new Float64Array(L * G * L);
  let pairs = 0;
  for (let c = 0; c < train.persons.length; c++) {
    for (let r = train.start[c] + 1; r < train.start[c + 1]; r++) {
      n[(level(train, r - 1) * G + gapIndex(train.year[r] - train.year[r - 1])) * L + level(train, r)]++;
      pairs++;
    }
  }
  problems.throwIfAny((m, d) => new InvalidData(m, d), 'trajectories: cannot fit the education transitions');

  const a = EDUCATION_SMOOTHING;
  const probs = new Float64Array(L * G * L);
  const q = new Float64Array(L);
  for (let p = 0; p < L; p++) {
    let total = 0;
    q.fill(0);
    for (let g = 0; g < G; g++) {
      for (let x = 0; x < L; x++) {
        q[x] += n[(p * G + g) * L + x];
        total += n[(p * G + g) * L + x];
      }
    }
    q[p] += a;
    for (let x = 0; x < L; x++) q[x] /= total + a;
    for (let g = 0; g < G; g++) {
      const base = (p * G + g) * L;
      let row = 0;
      for (let x = 0; x < L; x++) row += n[base + x];
      for (let x = 0; x < L; x++) probs[base + x] = (n[base + x] + a * q[x]) / (row + a);
    }
  }

  return {
    name, levels, probs, pairs,
    async distributions(careers: Careers, batch: readonly PartialCareer[]): Promise<Float64Array> {
      const out = new Float64Array(batch.length * L);
      batch.forEach((b, j) => {
        const n = b.states.length;
        const first = careers.start[b.career];
        const prev = b.education ? b.education[n - 1] : careers.education[first + n - 1];
        const p = index.get(prev);
        if (p === undefined) {
          throw new InvalidData(`trajectories: education model '${name}': person '${careers.persons[b.career].person_id}' has education '${prev}', not among the panel's levels (${levels.join(', ')})`);
        }
        const base = (p * G + gapIndex(careers.year[first + n] - careers.year[first + n - 1])) * L;
        out.set(probs.subarray(base, base + L), j * L);
      });
      return out;
    },
  };
}

function gapIndex(gap: number): number {
  return Math.min(Math.max(gap, 1), EDUCATION_GAP_CAP) - 1;
}
