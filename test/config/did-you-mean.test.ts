import { describe, expect, it } from 'vitest';
import { didYouMean, didYouMeanSuffix } from '../../lib/config/did-you-mean';

describe('didYouMean', () => {
  it('suggests a close candidate or a prefix', () => {
    expect(didYouMean('stepz', ['schemaVersion', 'name', 'steps'])).toBe('steps');
    expect(didYouMean('slu', ['local', 'slurm'])).toBe('slurm');
    expect(didYouMean('Epochs', ['epochs'])).toBe('epochs');
  });

  it('never suggests the input itself, nor far-off names', () => {
    expect(didYouMean('epochs', ['epochs', 'seed'])).toBeUndefined();
    expect(didYouMean('teleport', ['data', 'encode', 'finetune', 'evaluate'])).toBeUndefined();
    expect(didYouMeanSuffix('epochs', ['epochs'])).toBe('');
  });
});
