/**
 * The points the baselines fit on (train), choose their smoothing on (valid) and predict (the
 * evaluated points), with the point-feature columns the chosen baselines need (prev2_code, gap)
 * taken from lib/features' computePointFeatures on the step's panel, joined by person and year.
 */
import { getBaseline, type BaselineInput, type BaselinePoints, type TrainPoints } from '../../lib/baselines';
import { InvalidData } from '../../lib/errors';
import { computePointFeatures } from '../../lib/features';
import type { Panel } from '../../lib/panel/panel';
import { readEncoded } from '../../lib/text';

interface KeyedPoints {
  person_id: readonly string[];
  year: ArrayLike<number>;
  prev_code: readonly (string | null)[];
}

export interface BaselineData {
  train: TrainPoints;
  valid: TrainPoints;
  /** The given points with the columns the baselines need. */
  withInputs(points: KeyedPoints): BaselinePoints;
}

export function baselineData(encodedDir: string, panel: () => Panel, baselines: readonly string[]): BaselineData {
  const inputs = new Set<BaselineInput>(baselines.flatMap((name) => getBaseline(name).inputs));
  const { points } = readEncoded(encodedDir);
  const attach = inputs.size ? featureJoin(panel(), `encoded points of ${encodedDir}`) : (p: KeyedPoints) => ({ prev_code: p.prev_code });
  const split = (name: string): TrainPoints => {
    const idx = points.split.flatMap((s, i) => (s === name ? [i] : []));
    const picked = { person_id: idx.map((i) => points.person_id[i]), year: idx.map((i) => points.year[i]), prev_code: idx.map((i) => points.prev_code[i]) };
    return { ...attach(picked), true_code: idx.map((i) => points.true_code[i]) };
  };
  return { train: split('train'), valid: split('valid'), withInputs: attach };
}

/** Attaches prev2_code and gap by (person, year); the point's prev_code must match the panel's. */
function featureJoin(panel: Panel, what: string): (p: KeyedPoints) => BaselinePoints {
  const f = computePointFeatures(panel);
  const rowOf = new Map<string, number>();
  f.person_id.forEach((id, r) => rowOf.set(`${id}\u0000${f.year[r]}`, r));
  return (p) => {
    const n = p.person_id.length;
    const prev2: (string | null)[] = new Array(n);
    const gap = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = rowOf.get(`${p.person_id[i]}\u0000${p.year[i]}`);
      if (r === undefined) throw new InvalidData(`${what}: person '${p.person_id[i]}' year ${p.year[i]} is not a prediction point of panel '${panel.name}'`);
      if (f.prev_state[r] !== p.prev_code[i]) {
        throw new InvalidData(`${what}: person '${p.person_id[i]}' year ${p.year[i]}: previous state '${p.prev_code[i]}' but the panel has '${f.prev_state[r]}'`);
      }
      prev2[i] = f.prev2_state[r];
      gap[i] = f.gap[r];
    }
    return { prev_code: p.prev_code, prev2_code: prev2, gap };
  };
}
