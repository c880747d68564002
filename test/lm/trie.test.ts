import { describe, expect, it } from 'vitest';
import { TokenTrie } from '../../lib/lm/trie';

describe('TokenTrie', () => {
  // Cook = [5, 9], Cooks = [6, 9], Cook helpers = [5, 7, 9], Cashiers = [8, 9], again Cook = [5, 9]
  const seqs = [[5, 9], [6, 9], [5, 7, 9], [8, 9], [5, 9]];
  const t = new TokenTrie(seqs);

  it('numbers nodes in preorder with contiguous subtrees', () => {
    expect(t.size).toBe(9); // root; 5, 5-9, 5-7, 5-7-9; 6, 6-9; 8, 8-9
    expect(Array.from(t.token)).toEqual([-1, 5, 9, 7, 9, 6, 9, 8, 9]);
    expect(Array.from(t.parent)).toEqual([-1, 0, 1, 1, 3, 0, 5, 0, 7]);
    expect(Array.from(t.depth)).toEqual([0, 1, 2, 2, 3, 1, 2, 1, 2]);
    expect(Array.from(t.subtreeEnd)).toEqual([8, 4, 2, 4, 4, 6, 6, 8, 8]);
    for (let n = 1; n < t.size; n++) {
      expect(t.parent[n]).toBeLessThan(n);
      expect(t.subtreeEnd[t.parent[n]]).toBeGreaterThanOrEqual(t.subtreeEnd[n]);
    }
  });

  it('shares prefixes, maps duplicates to one node, and lists inner nodes', () => {
    expect(Array.from(t.terminal)).toEqual([2, 6, 4, 8, 2]);
    expect(Array.from(t.inner)).toEqual([0, 1, 3, 5, 7]);
    expect(Array.from(t.innerIndex)).toEqual([0, 1, -1, 2, -1, 3, -1, 4, -1]);
    expect(Array.from(t.innerSubtreeEnd)).toEqual([4, 2, 2, 3, 4]);
    expect(t.ancestors(4)).toEqual([0, 1, 3]);
    expect(TokenTrie.totalTokens(seqs)).toBe(11);
  });

  it('sums node log-probabilities along each path', () => {
    const lp = Float64Array.from([0, -1, -2, -3, -4, -5, -6, -7, -8]);
    expect(Array.from(t.pathSums(lp))).toEqual([-3, -11, -8, -15, -3]);
  });

  it('rejects an empty sequence', () => {
    expect(() => new TokenTrie([[1], []])).toThrow(/empty sequence/);
  });
});
