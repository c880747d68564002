/**
 * The prediction points an evaluate step scores: those of its split, in points.arrow order,
 * cut to `maxPoints`. Every activity of the step derives the same list from the same files.
 */
import { join } from 'node:path';
import { readArrowFile } from '../../lib/artifacts/arrow-io';
import { FILES, type TaxonomyRow } from '../../lib/artifacts/contracts';
import { readEncoded } from '../../lib/text';
import { makeTaxonomy, type Taxonomy } from '../../lib/panel/taxonomy';
import { rowsOf } from '../../lib/artifacts/contracts';
import type { EvaluateStepConfig } from '../../lib/config/schema';

export interface SelectedPoints {
  person_id: string[];
  year: Int32Array;
  true_code: string[];
  prev_code: (string | null)[];
  /** The context text of each point (the person's text up to "YEAR (EDUCATION):"). */
  context: (i: number) => string;
}

export function selectPoints(encodedDir: string, step: EvaluateStepConfig): SelectedPoints {
  const { texts, points } = readEncoded(encodedDir);
  const textOf = new Map(texts.person_id.map((id, i) => [id, i]));
  const idx: number[] = [];
  for (let i = 0; i < points.split.length && idx.length < (step.maxPoints ?? Infinity); i++) {
    if (points.split[i] === step.split) idx.push(i);
  }
  return {
    person_id: idx.map((i) => points.person_id[i]),
    year: Int32Array.from(idx, (i) => points.year[i]),
    true_code: idx.map((i) => points.true_code[i]),
    prev_code: idx.map((i) => points.prev_code[i]),
    context: (j) => texts.text[textOf.get(points.person_id[idx[j]])!].slice(0, points.context_end[idx[j]]),
  };
}

export function readTaxonomy(panelDir: string): Taxonomy {
  return makeTaxonomy(rowsOf<TaxonomyRow>(readArrowFile(join(panelDir, FILES.taxonomy))), join(panelDir, FILES.taxonomy));
}
