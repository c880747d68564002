/**
 * Encoded-text folders on disk: texts.arrow (one row per person), points.arrow (one row per
 * prediction point) and point_features.arrow (row i: the covariates of point i, lib/features),
 * the contract schemas of lib/artifacts/contracts.ts. The template's name, version and
 * continuation format travel in texts.arrow's schema metadata, so a folder is self-describing
 * (the step's manifest repeats them).
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { contractTable, FILES } from '../artifacts/contracts';
import { writeArrowFile } from '../artifacts/arrow-io';
import { InvalidData, ProblemList } from '../errors';
import { checkedReader } from '../artifacts/checked-read';
import { int32Data, utf8Data } from '../artifacts/arrow-columns';
import { checkFeaturesAlign, pointFeaturesTable, type PointFeatures } from '../features';
import type { EncodedText } from './encode';

export const TEMPLATE_NAME_KEY = 'labor_llm.template_name';
export const TEMPLATE_VERSION_KEY = 'labor_llm.template_version';
export const CONTINUATION_KEY = 'labor_llm.continuation';

/**
 * Writes texts.arrow, points.arrow and, when given, point_features.arrow (checked first to match
 * the points row for row) into `dir`; returns the file names written.
 */
export function writeEncoded(dir: string, enc: EncodedText, features?: PointFeatures): string[] {
  const root = resolve(dir);
  const pointsFile = join(root, FILES.points);
  const featuresFile = join(root, FILES.pointFeatures);
  if (features) checkFeaturesAlign(enc.points, features, { points: pointsFile, features: featuresFile });
  const texts = contractTable('texts', {
    person_id: utf8Data(enc.texts.person_id),
    split: utf8Data(enc.texts.split),
    text: utf8Data(enc.texts.text),
  }, {
    [TEMPLATE_NAME_KEY]: enc.template.name,
    [TEMPLATE_VERSION_KEY]: String(enc.template.version),
    [CONTINUATION_KEY]: enc.continuation,
  });
  const p = enc.points;
  const points = contractTable('points', {
    person_id: utf8Data(p.person_id),
    split: utf8Data(p.split),
    year: int32Data(p.year),
    context_end: int32Data(p.context_end),
    true_code: utf8Data(p.true_code),
    prev_code: utf8Data(p.prev_code),
  });
  writeArrowFile(join(root, FILES.texts), texts);
  writeArrowFile(pointsFile, points);
  if (!features) {
    // A stale features file from an earlier write would no longer match the points.
    rmSync(featuresFile, { force: true });
    return [FILES.texts, FILES.points];
  }
  writeArrowFile(featuresFile, pointFeaturesTable(features));
  return [FILES.texts, FILES.points, FILES.pointFeatures];
}

/**
 * Reads an encoded-text folder. Checks columns, that every point's person has a text, and that
 * every context_end falls inside the text just after a ':'.
 */
export function readEncoded(dir: string): EncodedText {
  const root = resolve(dir);
  const textsFile = join(root, FILES.texts);
  const pointsFile = join(root, FILES.points);
  const missing = [textsFile, pointsFile].filter((f) => !existsSync(f));
  if (missing.length) throw new InvalidData(`${root}: not an encoded-text folder: missing ${missing.join(', ')}`);
  const problems = new ProblemList();
  const { load, strings, ints } = checkedReader(problems);
  const tTexts = load(textsFile, 'texts');
  const tPoints = load(pointsFile, 'points');
  problems.throwIfAny((m, d) => new InvalidData(m, d), `${root}: unreadable encoded text`);

  const meta = tTexts!.schema.metadata;
  const name = meta.get(TEMPLATE_NAME_KEY);
  const version = Number(meta.get(TEMPLATE_VERSION_KEY));
  if (!name || !Number.isInteger(version)) problems.add('missing template metadata', `${textsFile}: schema metadata ${TEMPLATE_NAME_KEY}, ${TEMPLATE_VERSION_KEY}`);
  const texts = {
    person_id: strings(tTexts!, textsFile, 'person_id') as string[],
    split: strings(tTexts!, textsFile, 'split') as string[],
    text: strings(tTexts!, textsFile, 'text') as string[],
  };
  const points = {
    person_id: strings(tPoints!, pointsFile, 'person_id') as string[],
    split: strings(tPoints!, pointsFile, 'split') as string[],
    year: ints(tPoints!, pointsFile, 'year'),
    context_end: ints(tPoints!, pointsFile, 'context_end'),
    true_code: strings(tPoints!, pointsFile, 'true_code') as string[],
    prev_code: strings(tPoints!, pointsFile, 'prev_code', true),
  };
  problems.throwIfAny((m, d) => new InvalidData(m, d), `${root}: invalid encoded text`);

  const textOf = new Map(texts.person_id.map((id, i) => [id, texts.text[i]]));
  for (let i = 0; i < points.person_id.length; i++) {
    const text = textOf.get(points.person_id[i]);
    const end = points.context_end[i];
    if (text === undefined) problems.add(`point's person has no text in ${FILES.texts}`, `${pointsFile} row ${i + 1}: '${points.person_id[i]}'`);
    else if (end < 1 || end > text.length || text.charCodeAt(end - 1) !== 58 /* ':' */) {
      problems.add("context_end is not just after a ':' in the person's text", `${pointsFile} row ${i + 1}: person '${points.person_id[i]}', context_end ${end}`);
    }
  }
  problems.throwIfAny((m, d) => new InvalidData(m, d), `${root}: invalid encoded text`);
  return {
    template: { name: name!, version },
    continuation: meta.get(CONTINUATION_KEY) ?? '" " + title + "\\n"',
    texts,
    points,
  };
}
