import { describe, expect, it } from 'vitest';
import { codePrefixGroups, indexGroups } from '../../lib/analysis';
import { makeTaxonomy } from '../../lib/panel/taxonomy';

const taxonomy = makeTaxonomy([
  { code: '1000', title: 'Chief executives', kind: 'occupation' },
  { code: '1010', title: 'General managers', kind: 'occupation' },
  { code: '2000', title: 'Counselors', kind: 'occupation' },
]);

describe('occupation groups', () => {
  it('groups Census codes by their first two digits; special states are their own group', () => {
    const groups = codePrefixGroups(taxonomy);
    expect([...groups]).toEqual([
      ['1000', '10'], ['1010', '10'], ['2000', '20'],
      ['unemployed', 'unemployed'], ['not_in_labor_force', 'not_in_labor_force'], ['in_education', 'in_education'],
    ]);
    const index = indexGroups(taxonomy, groups);
    expect(index.names).toEqual(['10', '20', 'unemployed', 'not_in_labor_force', 'in_education']);
    expect(Array.from(index.of)).toEqual([0, 0, 1, 2, 3, 4]);
  });

  it('rejects a prefix length that is not a positive integer', () => {
    expect(() => codePrefixGroups(taxonomy, 0)).toThrow('digits must be a positive integer, found 0');
  });
});
