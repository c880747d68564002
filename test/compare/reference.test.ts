/** Naming the reference row: by model, label, full name, or a label merged into a row (`also`). */
import { describe, expect, it } from 'vitest';
import { resolveReference } from '../../lib/compare/reference';

const rows = [
  { run: 'r1', model: 'model', label: 'eval-a:model' },
  { run: 'r1', model: 'markov', label: 'eval-a:markov', also: ['eval-b:markov'] },
  { run: 'r1', model: 'model', label: 'eval-b:model' },
];

describe('resolveReference', () => {
  it('defaults to the first evaluated model, and null means none', () => {
    expect(resolveReference(undefined, rows)).toBe(0);
    expect(resolveReference(null, rows)).toBeNull();
  });

  it('finds a row by label, full name, or a merged label', () => {
    expect(resolveReference('eval-b:model', rows)).toBe(2);
    expect(resolveReference('r1/eval-a:markov', rows)).toBe(1);
    expect(resolveReference('eval-b:markov', rows)).toBe(1);
    expect(resolveReference('r1/eval-b:markov', rows)).toBe(1);
  });

  it('refuses a name that matches no row or several', () => {
    expect(() => resolveReference('eval-c:model', rows)).toThrow(/names no model/);
    expect(() => resolveReference('model', rows)).toThrow(/names 2 models: write one of r1\/eval-a:model, r1\/eval-b:model/);
  });
});
