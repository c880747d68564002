import { describe, expect, it } from 'vitest';
import { seconds } from '../../cli/output';
import { formatNumber } from '../../cli/watch';

describe('formatNumber (step summaries)', () => {
  it('keeps summaries short and readable', () => {
    expect([10420.3, 2885.1, 0.2477, 0.00001907, 3.814, 132, 0].map(formatNumber)).toEqual(['10420', '2885', '0.2477', '1.9e-5', '3.814', '132', '0']);
  });
});

describe('seconds (durations)', () => {
  it('rounds first, then splits into minutes and hours', () => {
    const ms = [119_600, 59_960, 59_940, 3_599_600, 7_199_000, 125_000, 0, 12_345];
    expect(ms.map((t) => seconds(t))).toEqual(['2m00s', '1m00s', '59.9s', '1h00m', '2h00m', '2m05s', '0.0s', '12.3s']);
    expect(seconds(undefined)).toBe('');
  });
});
