/**
 * Which row is the reference model. Named as `model`, `step:model` or `run/step:model`, it must
 * match exactly one row. By default the first evaluation's own model (`model`, what the first
 * run evaluated), so the baselines, the oracle and the other runs read as "worse or better than it".
 */
import { InvalidConfig } from '../errors';

interface Named {
  run: string;
  model: string;
  label: string;
  also?: string[];
}

export const fullName = (r: Named) => `${r.run}/${r.label}`;

/** The index of the reference row, or null for none. */
export function resolveReference(spec: string | null | undefined, rows: readonly Named[]): number | null {
  if (spec === null) return null;
  if (spec === undefined) {
    const i = rows.findIndex((r) => r.model === 'model');
    return i < 0 ? null : i;
  }
  const names = (r: Named) => [r.model, r.label, fullName(r), ...(r.also ?? []).flatMap((l) => [l, `${r.run}/${l}`])];
  const matches = rows.flatMap((r, i) => (names(r).includes(spec) ? [i] : []));
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) {
    throw new InvalidConfig(`--reference '${spec}' names no model of the runs compared`, [`the models: ${rows.map(fullName).join(', ')}`]);
  }
  throw new InvalidConfig(`--reference '${spec}' names ${matches.length} models: write one of ${matches.map((i) => fullName(rows[i])).join(', ')}`);
}
