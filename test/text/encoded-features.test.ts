/** writeEncoded with point features: written after the points, checked first, never stale. */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FILES } from '../../lib/artifacts/contracts';
import { computePointFeatures, readPointFeatures } from '../../lib/features';
import { encodePanel, writeEncoded } from '../../lib/text';
import { tinyPanel } from './tiny-panel';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'labor-llm-encoded-features-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('encoded folders with point features', () => {
  const panel = tinyPanel();
  const enc = encodePanel(panel, { name: 'resume' });

  it('writes point_features.arrow next to points.arrow, row for row', () => {
    const dir = tmp();
    expect(writeEncoded(dir, enc, computePointFeatures(panel))).toEqual([FILES.texts, FILES.points, FILES.pointFeatures]);
    const f = readPointFeatures(join(dir, FILES.pointFeatures));
    expect(f.person_id).toEqual(enc.points.person_id);
    expect([...f.year]).toEqual([...enc.points.year]);
    expect(f.prev_state).toEqual(enc.points.prev_code);
    expect(f.prev2_state).toEqual([null, '11', null]);
  });

  it('rejects features of other points before writing anything', () => {
    const dir = tmp();
    const f = computePointFeatures(panel);
    f.person_id[1] = 'p2';
    expect(() => writeEncoded(dir, enc, f)).toThrow(/point_features\.arrow does not match [^\n]*points\.arrow row for row[\s\S]*row 2: point person 'p1' year 1993, features person 'p2' year 1993/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes a stale features file when written without features', () => {
    const dir = tmp();
    writeEncoded(dir, enc, computePointFeatures(panel));
    expect(writeEncoded(dir, enc)).toEqual([FILES.texts, FILES.points]);
    expect(existsSync(join(dir, FILES.pointFeatures))).toBe(false);
  });
});
