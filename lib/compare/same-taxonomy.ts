/**
 * Perplexities and distributions compare only over one set of states: every evaluation compared
 * must follow the same taxonomy (codes, titles and kinds, in the same order).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readArrowFile } from '../artifacts/arrow-io';
import { columnValues, FILES } from '../artifacts/contracts';
import { InvalidData } from '../errors';

const stateAt = (rows: string[][], i: number) => (i < rows.length ? `'${rows[i][0]}' (${rows[i][1]}, ${rows[i][2]})` : 'nothing');

function readRows(name: string, panelDir: string | undefined): string[][] {
  const file = panelDir && join(panelDir, FILES.taxonomy);
  if (!file || !existsSync(file)) throw new InvalidData(`${name}: the taxonomy of its panel is not found${file ? `: ${file}` : ' (no panel step behind its encoded text)'}`);
  try {
    const table = readArrowFile(file);
    const [codes, titles, kinds] = ['code', 'title', 'kind'].map((c) => columnValues<string>(table, c));
    return codes.map((code, i) => [code, titles[i], kinds[i]]);
  } catch (err) {
    throw new InvalidData(`${name}: unreadable taxonomy ${file}: ${(err as Error).message}`);
  }
}

/** Throws InvalidData naming the first two evaluations whose taxonomies differ, and where. */
export function checkSameTaxonomy(evaluations: { name: string; panelDir?: string }[]): void {
  const [first, ...rest] = evaluations.map((e) => ({ name: e.name, rows: readRows(e.name, e.panelDir) }));
  for (const e of rest) {
    const n = Math.max(first.rows.length, e.rows.length);
    const at = Array.from({ length: n }, (_, i) => i).find((i) => first.rows[i]?.join('\u0000') !== e.rows[i]?.join('\u0000'));
    if (at === undefined) continue;
    throw new InvalidData(`the runs compared do not share a taxonomy: ${first.name} has ${first.rows.length} states, ${e.name} has ${e.rows.length}`, [
      `first difference at state ${at + 1}: ${stateAt(first.rows, at)} vs ${stateAt(e.rows, at)}`,
    ]);
  }
}
