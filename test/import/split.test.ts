import { describe, expect, it } from 'vitest';
import { SPLITS } from '../../lib/artifacts/contracts';
import { InvalidConfig } from '../../lib/errors';
import { splitPersons } from '../../lib/import';
import { hashUnit, splitOf } from '../../lib/panel/split';

const ids = Array.from({ length: 10_000 }, (_, i) => `person-${i}`);
const count = (splits: string[]) => Object.fromEntries(SPLITS.map((s) => [s, splits.filter((x) => x === s).length]));

describe('splitPersons', () => {
  it('is deterministic and close to the default 70/10/20 on 10k ids', () => {
    const a = splitPersons(ids, 42);
    expect(splitPersons(ids, 42)).toEqual(a);
    const n = count(a);
    // binomial sd on 10k: ~46 (train), ~30 (valid), ~40 (test); allow ~4 sd
    expect(Math.abs(n.train - 7000)).toBeLessThan(200);
    expect(Math.abs(n.valid - 1000)).toBeLessThan(130);
    expect(Math.abs(n.test - 2000)).toBeLessThan(170);
  });

  it('follows given fractions', () => {
    const n = count(splitPersons(ids, 1, { train: 0.5, valid: 0.25, test: 0.25 }));
    expect(Math.abs(n.train - 5000)).toBeLessThan(200);
    expect(Math.abs(n.valid - 2500)).toBeLessThan(175);
    expect(splitPersons(ids.slice(0, 100), 1, { train: 1, valid: 0, test: 0 }).every((s) => s === 'train')).toBe(true);
    expect(splitPersons(ids.slice(0, 100), 1, { train: 0, valid: 0, test: 1 }).every((s) => s === 'test')).toBe(true);
  });

  it("a person's split does not depend on the other ids or their order", () => {
    const a = splitPersons(ids, 3);
    const reversed = splitPersons([...ids].reverse(), 3).reverse();
    expect(reversed).toEqual(a);
    expect(splitPersons(ids.slice(5000, 5100), 3)).toEqual(a.slice(5000, 5100));
    expect(splitOf(ids[17], 3)).toBe(a[17]);
  });

  it('depends on the seed', () => {
    const a = splitPersons(ids, 1);
    const b = splitPersons(ids, 2);
    const differ = a.filter((s, i) => s !== b[i]).length;
    // two independent 70/10/20 draws differ with probability 1 - (.49 + .01 + .04) = 0.46
    expect(differ).toBeGreaterThan(4200);
    expect(differ).toBeLessThan(5000);
  });

  it('pins the hash (a change would silently move persons between splits)', () => {
    expect(splitPersons(Array.from({ length: 16 }, (_, i) => `p${i + 1}`), 0).join(' ')).toBe(
      'train train train valid train train test train train train train test test train test train',
    );
    expect(hashUnit(0, 'a')).toBe(0.4572706144692962);
    expect(hashUnit(1, 'a')).toBe(0.2609762406206425);
    const u = ids.map((id) => hashUnit(9, id));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
  });

  it('rejects fractions that are negative or do not sum to 1', () => {
    expect(() => splitPersons(ids, 0, { train: 0.7, valid: 0.1, test: 0.1 })).toThrow(InvalidConfig);
    expect(() => splitPersons(ids, 0, { train: 0.7, valid: 0.1, test: 0.1 })).toThrow('must sum to 1, found 0.9');
    expect(() => splitPersons(ids, 0, { train: 1.2, valid: -0.2, test: 0 })).toThrow('splits.valid: expected a number >= 0, found -0.2');
    expect(() => splitPersons(ids, NaN)).toThrow(InvalidConfig);
  });
});
