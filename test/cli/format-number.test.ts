import { describe, expect, it } from 'vitest';
import { formatNumber } from '../../cli/watch';

describe('formatNumber (step summaries)', () => {
  it('keeps summaries short and readable', () => {
    expect([10420.3, 2885.1, 0.2477, 0.00001907, 3.814, 132, 0].map(formatNumber)).toEqual(['10420', '2885', '0.2477', '1.9e-5', '3.814', '132', '0']);
  });
});
