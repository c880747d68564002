/**
 * Deterministic train/valid/test assignment by person. Each person's split depends only on
 * (seed, person id), never on the order or number of the other ids, so adding persons to a
 * panel or reading its rows in another order leaves everyone else's split unchanged.
 */
import { SPLITS, type Split } from '../artifacts/contracts';
import { InvalidConfig } from '../errors';

export interface SplitFractions {
  train: number;
  valid: number;
  test: number;
}

export const DEFAULT_SPLIT_FRACTIONS: Readonly<SplitFractions> = Object.freeze({ train: 0.7, valid: 0.1, test: 0.2 });

/** Throws InvalidConfig unless the fractions are finite, non-negative and sum to 1. */
export function checkSplitFractions(fractions: SplitFractions, key = 'splits'): void {
  const problems: string[] = [];
  for (const s of SPLITS) {
    const f = fractions[s];
    if (typeof f !== 'number' || !Number.isFinite(f) || f < 0) problems.push(`${key}.${s}: expected a number >= 0, found ${JSON.stringify(f)}`);
  }
  const sum = SPLITS.reduce((acc, s) => acc + fractions[s], 0);
  if (!problems.length && Math.abs(sum - 1) > 1e-9) problems.push(`${key}: fractions must sum to 1, found ${Number(sum.toPrecision(12))}`);
  if (problems.length) throw new InvalidConfig(`invalid split fractions`, problems);
}

/** A number in [0, 1) from a 53-bit hash of (seed, id) (cyrb53: two 32-bit multiply-xor lanes). */
export function hashUnit(seed: number, id: string): number {
  const key = `${seed}\u0000${id}`;
  let h1 = 0xdeadbeef ^ 0x2545f491;
  let h2 = 0x41c6ce57 ^ 0x9e3779b9;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return ((h2 >>> 0) * 2 ** 21 + ((h1 >>> 0) >>> 11)) / 2 ** 53;
}

/** The split of one person. */
export function splitOf(personId: string, seed: number, fractions: SplitFractions = DEFAULT_SPLIT_FRACTIONS): Split {
  const u = hashUnit(seed, personId);
  if (u < fractions.train) return 'train';
  if (u < fractions.train + fractions.valid) return 'valid';
  return 'test';
}

/**
 * The split of each person, in the order given. Fractions are expected shares: each person is
 * drawn independently, so on n persons the counts are within a few sqrt(n) of n * fraction.
 */
export function splitPersons(
  personIds: readonly string[],
  seed: number,
  fractions: SplitFractions = DEFAULT_SPLIT_FRACTIONS,
): Split[] {
  checkSplitFractions(fractions);
  if (!Number.isFinite(seed)) throw new InvalidConfig(`seed: expected a finite number, found ${seed}`);
  return personIds.map((id) => splitOf(id, seed, fractions));
}
