/** Naming the reference row: by model, label, full name, or a label merged into a row (`also`); and how a row is named in tables. */
import { describe, expect, it } from 'vitest';
import { resolveReference } from '../../lib/compare/reference';
import { modelName } from '../../lib/compare/format-cells';
import type { CompareRow } from '../../lib/compare';

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

describe('modelName', () => {
  it('names the first identical row merged into a row and counts the rest', () => {
    const row = (also?: string[]) => ({ run: 'r1', model: 'oracle', label: 'eval-a:oracle', also }) as unknown as CompareRow;
    expect(modelName(row())).toBe('eval-a:oracle');
    expect(modelName(row(['eval-b:oracle']))).toBe('eval-a:oracle (= eval-b:oracle)');
    expect(modelName(row(['eval-b:oracle', 'eval-c:oracle', 'eval-d:oracle']))).toBe('eval-a:oracle (= eval-b:oracle and 2 more)');
  });
});
