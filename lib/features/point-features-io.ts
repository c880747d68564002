/** point_features.arrow: the contract table of computePointFeatures' columns, written atomically. */
import type { Table } from 'apache-arrow';
import { float64Data, int32Data, utf8Data, utf8ListData } from '../artifacts/arrow-columns';
import { writeArrowFile } from '../artifacts/arrow-io';
import { contractTable } from '../artifacts/contracts';
import type { PointFeatures } from './point-features';

/** The file name next to points.arrow in an encoded-text (or features) folder. */
export const POINT_FEATURES_FILE = 'point_features.arrow';

export function pointFeaturesTable(f: PointFeatures): Table {
  return contractTable('point_features', {
    person_id: utf8Data(f.person_id),
    split: utf8Data(f.split),
    year: int32Data(f.year),
    true_state: utf8Data(f.true_state),
    prev_state: utf8Data(f.prev_state),
    prev2_state: utf8Data(f.prev2_state),
    tenure: int32Data(f.tenure),
    years_since_first: int32Data(f.years_since_first),
    gap: int32Data(f.gap),
    education: utf8Data(f.education),
    education_prev: utf8Data(f.education_prev),
    education_changed: int32Data(f.education_changed),
    age: int32Data(f.age),
    gender: utf8Data(f.gender),
    race: utf8Data(f.race),
    region: utf8Data(f.region),
    birth_year: int32Data(f.birth_year),
    last_occupation_before_spell: utf8Data(f.last_occupation_before_spell),
    held_codes: utf8ListData(f.held_codes),
    weight: float64Data(f.weight),
  });
}

export function writePointFeatures(path: string, f: PointFeatures): void {
  writeArrowFile(path, pointFeaturesTable(f));
}
