/**
 * point_features.arrow: the contract table of computePointFeatures' columns, written atomically
 * and read back with every problem (missing column, wrong type, null) named by file and row.
 */
import { DataType, type Table } from 'apache-arrow';
import { decodeUtf8Lists, float64Data, int32Data, utf8Data, utf8ListData } from '../artifacts/arrow-columns';
import { writeArrowFile } from '../artifacts/arrow-io';
import { checkedReader } from '../artifacts/checked-read';
import { contractTable, FILES, SPLITS, type Split } from '../artifacts/contracts';
import { InvalidData, ProblemList } from '../errors';
import type { PointFeatures } from './point-features';

/** The file name next to points.arrow in an encoded-text folder. */
export const POINT_FEATURES_FILE = FILES.pointFeatures;

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

/** Reads a point_features.arrow file; throws InvalidData listing every problem. */
export function readPointFeatures(path: string): PointFeatures {
  const problems = new ProblemList();
  const { load, strings, ints, floats } = checkedReader(problems);
  const t = load(path, 'point_features');
  problems.throwIfAny((m, d) => new InvalidData(m, d), `${path}: unreadable point features`);
  const table = t!;
  const text = (col: string) => strings(table, path, col) as string[];
  const held = table.getChild('held_codes')!;
  const heldType = held.type as DataType;
  const heldOk = DataType.isList(heldType) && DataType.isUtf8(heldType.children[0].type);
  if (!heldOk) problems.add('wrong column type', `${path}: column 'held_codes' has type ${heldType}, expected List<Utf8>`);
  const f: PointFeatures = {
    person_id: text('person_id'),
    split: text('split') as Split[],
    year: ints(table, path, 'year'),
    true_state: text('true_state'),
    prev_state: text('prev_state'),
    prev2_state: strings(table, path, 'prev2_state', true),
    tenure: ints(table, path, 'tenure'),
    years_since_first: ints(table, path, 'years_since_first'),
    gap: ints(table, path, 'gap'),
    education: text('education'),
    education_prev: text('education_prev'),
    education_changed: ints(table, path, 'education_changed'),
    age: ints(table, path, 'age'),
    gender: text('gender'),
    race: text('race'),
    region: text('region'),
    birth_year: ints(table, path, 'birth_year'),
    last_occupation_before_spell: strings(table, path, 'last_occupation_before_spell', true),
    held_codes: heldOk ? decodeUtf8Lists(held) : [],
    weight: floats(table, path, 'weight'),
  };
  const bad = f.split.findIndex((s) => !SPLITS.includes(s));
  if (bad >= 0) problems.add(`split must be one of ${SPLITS.join('|')}`, `${path} row ${bad + 1}: '${f.split[bad]}'`);
  problems.throwIfAny((m, d) => new InvalidData(m, d), `${path}: invalid point features`);
  return f;
}
