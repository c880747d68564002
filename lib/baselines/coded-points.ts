/** Points as taxonomy indices, with the extra columns a baseline asked for checked and coded. */
import { InvalidData } from '../errors';
import type { Taxonomy } from '../panel/taxonomy';
import type { BaselineInput, BaselinePoints } from './types';
import { codeIndices } from './codes';

export interface CodedPoints {
  n: number;
  /** Previous state (-1: none). */
  prev: Int32Array;
  /** State two back (-1: none); present when asked for. */
  prev2?: Int32Array;
  /** Years since the previous observation (>= 1); present when asked for. */
  gap?: Int32Array;
}

export function codePoints(taxonomy: Taxonomy, points: BaselinePoints, inputs: readonly BaselineInput[], what: string): CodedPoints {
  const n = points.prev_code.length;
  const out: CodedPoints = { n, prev: codeIndices(taxonomy, points.prev_code, `${what} prev_code`) };
  for (const input of inputs) {
    const column = points[input];
    if (column === undefined) {
      throw new InvalidData(`${what}: the point column '${input}' is missing (this baseline needs it; it comes from the point features)`);
    }
    if (column.length !== n) throw new InvalidData(`${what}: '${input}' has ${column.length} values for ${n} points`);
  }
  if (inputs.includes('prev2_code')) out.prev2 = codeIndices(taxonomy, points.prev2_code!, `${what} prev2_code`);
  if (inputs.includes('gap')) {
    const gap = points.gap!;
    out.gap = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (!(Number.isInteger(gap[i]) && gap[i] >= 1)) {
        throw new InvalidData(`${what}: gap must be a whole number of years >= 1, found ${String(gap[i])} at row ${i}`);
      }
      out.gap[i] = gap[i];
    }
  }
  return out;
}
