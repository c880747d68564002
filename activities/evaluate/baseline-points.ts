/**
 * The points the baselines fit on (train), choose their smoothing on (valid) and predict (the
 * evaluated points), with the point-feature columns the chosen baselines need (prev2_code, gap)
 * read from the encoded folder's point_features.arrow (written by the encode step, checked to
 * match points.arrow row for row) and joined to any subset of points by person and year.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FILES } from '../../lib/artifacts/contracts';
import { getBaseline, type BaselineInput, type BaselinePoints, type TrainPoints } from '../../lib/baselines';
import { InvalidData } from '../../lib/errors';
import { checkFeaturesAlign, readPointFeatures, type PointFeatures, type PointKeys } from '../../lib/features';
import { readEncoded } from '../../lib/text';

export interface BaselineData {
  train: TrainPoints;
  valid: TrainPoints;
  /** The given points with the columns the baselines need. */
  withInputs(points: PointKeys): BaselinePoints;
}

export function baselineData(encodedDir: string, baselines: readonly string[]): BaselineData {
  const inputs = new Set<BaselineInput>(baselines.flatMap((name) => getBaseline(name).inputs));
  const root = resolve(encodedDir);
  const { points } = readEncoded(root);
  const attach = inputs.size ? featureJoin(readFeatures(root, points), `encoded points of ${root}`) : (p: PointKeys) => ({ prev_code: p.prev_code });
  const split = (name: string): TrainPoints => {
    const idx = points.split.flatMap((s, i) => (s === name ? [i] : []));
    const picked = { person_id: idx.map((i) => points.person_id[i]), year: idx.map((i) => points.year[i]), prev_code: idx.map((i) => points.prev_code[i]) };
    return { ...attach(picked), true_code: idx.map((i) => points.true_code[i]) };
  };
  return { train: split('train'), valid: split('valid'), withInputs: attach };
}

/** The folder's point features, checked against its points. */
function readFeatures(root: string, points: PointKeys): PointFeatures {
  const file = join(root, FILES.pointFeatures);
  if (!existsSync(file)) {
    throw new InvalidData(`${root}: no ${FILES.pointFeatures} (the baselines' covariates); the encode step writes it next to ${FILES.points}: encode again`);
  }
  const features = readPointFeatures(file);
  checkFeaturesAlign(points, features, { points: join(root, FILES.points), features: file });
  return features;
}

/** Attaches prev2_code and gap by (person, year); the point's prev_code must match the features'. */
function featureJoin(f: PointFeatures, what: string): (p: PointKeys) => BaselinePoints {
  const rowOf = new Map<string, number>();
  f.person_id.forEach((id, r) => rowOf.set(`${id}\u0000${f.year[r]}`, r));
  return (p) => {
    const n = p.person_id.length;
    const prev2: (string | null)[] = new Array(n);
    const gap = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = rowOf.get(`${p.person_id[i]}\u0000${p.year[i]}`);
      if (r === undefined) throw new InvalidData(`${what}: person '${p.person_id[i]}' year ${p.year[i]} has no point features`);
      if (f.prev_state[r] !== p.prev_code[i]) {
        throw new InvalidData(`${what}: person '${p.person_id[i]}' year ${p.year[i]}: previous state '${p.prev_code[i]}' but the point features have '${f.prev_state[r]}'`);
      }
      prev2[i] = f.prev2_state[r];
      gap[i] = f.gap[r];
    }
    return { prev_code: p.prev_code, prev2_code: prev2, gap };
  };
}
