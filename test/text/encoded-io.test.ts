import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contractTable, FILES } from '../../lib/artifacts/contracts';
import { readArrowFile, writeArrowFile } from '../../lib/artifacts/arrow-io';
import { int32Data, readInt32, readStrings, utf8Data } from '../../lib/artifacts/arrow-columns';
import { encodePanel, readEncoded, writeEncoded } from '../../lib/text';
import { tinyPanel } from './tiny-panel';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'labor-llm-encoded-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('encoded text folders', () => {
  it('round-trips texts, points and the template', () => {
    const dir = tmp();
    const enc = encodePanel(tinyPanel(), { name: 'resume-no-education' });
    expect(writeEncoded(dir, enc)).toEqual([FILES.texts, FILES.points]);
    const back = readEncoded(dir);
    expect(back.template).toEqual({ name: 'resume-no-education', version: 1 });
    expect(back.continuation).toBe(enc.continuation);
    expect(back.texts).toEqual(enc.texts);
    expect(back.points.person_id).toEqual(enc.points.person_id);
    expect([...back.points.context_end]).toEqual([...enc.points.context_end]);
    expect([...back.points.year]).toEqual([...enc.points.year]);
    expect(back.points.prev_code).toEqual(enc.points.prev_code);
  });

  it('keeps non-ASCII text and nulls intact', () => {
    const panel = tinyPanel();
    panel.persons[0].region = 'Puerto Rico — San Juan';
    const dir = tmp();
    const enc = encodePanel(panel, { name: 'resume' });
    enc.points.prev_code[0] = null;
    writeEncoded(dir, enc);
    const back = readEncoded(dir);
    expect(back.texts.text[0]).toBe(enc.texts.text[0]);
    expect(back.points.prev_code[0]).toBeNull();
    // Offsets are JS string indices: the non-ASCII header shifts them in characters, not bytes.
    expect(back.texts.text[0].slice(0, back.points.context_end[0]).endsWith('1991 (high school diploma):')).toBe(true);
  });

  it("rejects a context_end that is not after a ':'", () => {
    const dir = tmp();
    const enc = encodePanel(tinyPanel(), { name: 'resume' });
    enc.points.context_end[1] += 1;
    writeEncoded(dir, enc);
    expect(() => readEncoded(dir)).toThrow(/points\.arrow row 2: person 'p1', context_end 232/);
  });

  it('names missing files and columns', () => {
    const dir = tmp();
    expect(() => readEncoded(dir)).toThrow(/missing .*texts\.arrow/);
    writeEncoded(dir, encodePanel(tinyPanel(), { name: 'resume' }));
    const pointsPath = join(dir, FILES.points);
    const t = readArrowFile(pointsPath);
    const strings = (c: string) => utf8Data(readStrings(t, c) as string[]);
    const ints = (c: string) => int32Data(readInt32(t, c) as Int32Array);
    // Rewrite points.arrow without its context_end column.
    const full = contractTable('points', {
      person_id: strings('person_id'), split: strings('split'), year: ints('year'), context_end: ints('year'),
      true_code: strings('true_code'), prev_code: strings('prev_code'),
    });
    writeArrowFile(pointsPath, full.select(['person_id', 'split', 'year', 'true_code', 'prev_code']));
    expect(() => readEncoded(dir)).toThrow(/points\.arrow: column 'context_end'/);
  });
});
