/** A tiny hand-built panel for golden tests (encoder, panel io, validation). */
import type { Panel } from '../../lib/panel/panel';
import { makeTaxonomy } from '../../lib/panel/taxonomy';

export function tinyPanel(): Panel {
  // 'Cooks' is a prefix of 'Cooks and chefs': the continuation's line end tells them apart.
  const taxonomy = makeTaxonomy([
    { code: '11', title: 'Cooks', kind: 'occupation' },
    { code: '12', title: 'Cooks and chefs', kind: 'occupation' },
    { code: '21', title: 'Registered nurses', kind: 'occupation' },
  ]);
  return {
    name: 'golden',
    taxonomy,
    persons: [
      { person_id: 'p1', gender: 'female', race: 'Black', region: 'South', birth_year: 1960, split: 'train' },
      { person_id: 'p2', gender: 'male', race: 'White', region: 'West', birth_year: 1971, split: 'test' },
      { person_id: 'p3', gender: 'male', race: 'Hispanic', region: 'Midwest', birth_year: 1980, split: 'valid' },
    ],
    personYears: {
      person_id: ['p1', 'p1', 'p1', 'p2', 'p2', 'p3'],
      year: Int32Array.from([1990, 1991, 1993, 1996, 1998, 2000]),
      state: ['11', 'unemployed', '12', '21', '21', 'in_education'],
      education: ['high school diploma', 'high school diploma', 'some college', "bachelor's degree", 'graduate degree', 'high school diploma'],
    },
  };
}
