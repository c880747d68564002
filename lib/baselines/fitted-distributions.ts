/**
 * A fitted baseline's distributions (a fit step's `distributions.arrow`, written by the Python
 * job in baselines/): one row per prediction point of the predicted splits, `person_id`, `split`,
 * `year`, `true_state` and `probs` (float32, one per taxonomy state in taxonomy order).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readArrowFile } from '../artifacts/arrow-io';
import { readInt32, readStrings } from '../artifacts/arrow-columns';
import { InvalidData } from '../errors';

export const DISTRIBUTIONS_FILE = 'distributions.arrow';

export interface FittedDistributions {
  file: string;
  /** The splits that have rows. */
  splits: Set<string>;
  /** The row of a point, or undefined. */
  row(personId: string, year: number): number | undefined;
  trueState(row: number): string;
  /** The row's probabilities (a view into the file's values). */
  probs(row: number): Float32Array;
}

export function readFittedDistributions(dir: string, numStates: number): FittedDistributions {
  const file = join(dir, DISTRIBUTIONS_FILE);
  if (!existsSync(file)) throw new InvalidData(`${dir}: no ${DISTRIBUTIONS_FILE} (a fit step's output); fit again`);
  const table = readArrowFile(file);
  const column = (name: string) => {
    const v = name === 'year' ? readInt32(table, name) : readStrings(table, name);
    if (typeof v === 'string') throw new InvalidData(`${file}: ${v}`);
    return v;
  };
  const person = column('person_id') as (string | null)[];
  const split = column('split') as (string | null)[];
  const year = column('year') as Int32Array;
  const truth = column('true_state') as (string | null)[];
  const { values, offsets } = flatList(table.getChild('probs'), file);

  const rows = new Map<string, number>();
  for (let r = 0; r < person.length; r++) {
    const width = offsets[r + 1] - offsets[r];
    if (width !== numStates) throw new InvalidData(`${file} row ${r + 1}: probs has ${width} values; expected one per taxonomy state (${numStates})`);
    rows.set(`${person[r]}\u0000${year[r]}`, r);
  }
  return {
    file,
    splits: new Set(split.filter((s): s is string => s !== null)),
    row: (personId, y) => rows.get(`${personId}\u0000${y}`),
    trueState: (r) => truth[r] ?? '',
    probs: (r) => values.subarray(offsets[r], offsets[r + 1]),
  };
}

/** A List<Float32> column's values and row offsets, across record batches. */
function flatList(column: ReturnType<ReturnType<typeof readArrowFile>['getChild']>, file: string): { values: Float32Array; offsets: Int32Array } {
  if (!column) throw new InvalidData(`${file}: no column 'probs'`);
  const offsets = new Int32Array(column.length + 1);
  const chunks: Float32Array[] = [];
  let row = 0;
  let base = 0;
  for (const data of column.data) {
    const inner = data.children[0]?.values;
    if (!(inner instanceof Float32Array)) throw new InvalidData(`${file}: column 'probs' must be a list of float32`);
    const offs = data.valueOffsets as Int32Array;
    for (let i = 0; i < data.length; i++) offsets[++row] = base + offs[i + 1] - offs[0];
    chunks.push(inner.subarray(offs[0], offs[data.length]));
    base += offs[data.length] - offs[0];
  }
  const values = new Float32Array(base);
  let at = 0;
  for (const c of chunks) {
    values.set(c, at);
    at += c.length;
  }
  return { values, offsets };
}
