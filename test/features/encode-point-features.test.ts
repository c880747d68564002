/**
 * The encode step's task writes point_features.arrow next to points.arrow: row for row the
 * points' covariates, equal to computePointFeatures of the panel; and the reader and the
 * alignment check reject files that do not fit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { writeEncodedStep } from '../../activities/data/encode-tasks';
import { writeArrowFile, readArrowFile } from '../../lib/artifacts/arrow-io';
import { FILES, rowsOf, type PointFeatureRow } from '../../lib/artifacts/contracts';
import type { EncodeStepConfig } from '../../lib/config/schema';
import { InvalidData } from '../../lib/errors';
import { checkFeaturesAlign, computePointFeatures, pointFeaturesTable, readPointFeatures } from '../../lib/features';
import { readPanel, writePanel } from '../../lib/panel/panel-io';
import { loadTaxonomy } from '../../lib/panel/taxonomy';
import { generatePanel } from '../../lib/synth';
import { readEncoded } from '../../lib/text';

const root = mkdtempSync(join(tmpdir(), 'encode-features-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const panel = generatePanel({ taxonomy: loadTaxonomy('default'), population: 'survey', persons: 200, seed: 11 });
// Survey weights on every person, so the weight column carries something other than 1.
panel.persons.forEach((p, i) => (p.weight = 0.5 + (i % 7)));
const panelDir = join(root, 'panel');
writePanel(panelDir, panel);
const encodedDir = join(root, 'encoded');
const step: EncodeStepConfig = { kind: 'encode', name: 'text', input: 'survey', template: { name: 'resume' } };
const phases: string[] = [];
const summary = writeEncodedStep(encodedDir, panelDir, step, (p) => phases.push(String((p as { phase: string }).phase)));

describe('the encode task writes point_features.arrow', () => {
  const file = join(encodedDir, FILES.pointFeatures);

  it("holds computePointFeatures' rows of the panel, in points.arrow's order", () => {
    const expected = rowsOf<PointFeatureRow>(pointFeaturesTable(computePointFeatures(readPanel(panelDir))));
    const written = rowsOf<PointFeatureRow>(readArrowFile(file));
    expect(written.length).toBe(summary.points);
    expect(written).toEqual(expected);
    const { points } = readEncoded(encodedDir);
    expect(written.map((r) => r.person_id)).toEqual(points.person_id);
    expect(written.map((r) => r.year)).toEqual([...points.year]);
    expect(written.map((r) => r.prev_state)).toEqual(points.prev_code);
    const weightOf = new Map(panel.persons.map((p) => [p.person_id, p.weight]));
    expect(written.map((r) => r.weight)).toEqual(written.map((r) => weightOf.get(r.person_id)));
    expect(written.some((r) => r.weight !== 1)).toBe(true);
    expect(phases).toContain('point features');
  });

  it('reads back as the computed columns', () => {
    const f = readPointFeatures(file);
    const g = computePointFeatures(panel);
    expect(f.person_id).toEqual(g.person_id);
    expect(f.prev2_state).toEqual(g.prev2_state);
    expect(f.held_codes).toEqual(g.held_codes);
    expect(f.last_occupation_before_spell).toEqual(g.last_occupation_before_spell);
    expect([...f.tenure]).toEqual([...g.tenure]);
    expect([...f.weight]).toEqual([...g.weight]);
  });
});

describe('point features that do not fit', () => {
  it('the alignment check names the rows: a missing row, another point, another previous state', () => {
    const { points } = readEncoded(encodedDir);
    const f = computePointFeatures(panel);
    const short = { ...f, person_id: f.person_id.slice(0, -1), year: f.year.slice(0, -1), prev_state: f.prev_state.slice(0, -1) };
    const where = { points: 'points.arrow', features: 'point_features.arrow' };
    const n = points.person_id.length;
    expect(() => checkFeaturesAlign(points, short, where)).toThrow(
      new RegExp(`row counts differ[^\\n]*${n} points[^\\n]*${n - 1} rows[\\s\\S]*point without its features row[^\\n]*row ${n}: point person '${points.person_id[n - 1]}' year ${points.year[n - 1]}`),
    );
    const swapped = { ...f, year: f.year.slice(), prev_state: f.prev_state.slice() };
    swapped.year[2] += 1;
    swapped.prev_state[4] = 'not-a-state';
    let err: unknown;
    try {
      checkFeaturesAlign(points, swapped, where);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidData);
    expect(String(err)).toContain(`features row describes another point: 1 occurrence; first: row 3: point person '${points.person_id[2]}' year ${points.year[2]}, features person '${f.person_id[2]}' year ${f.year[2] + 1}`);
    expect(String(err)).toContain(`previous state differs: 1 occurrence; first: row 5:`);
    expect(String(err)).toContain("features prev_state 'not-a-state'");
  });

  it('the reader names a missing column and a wrong type', () => {
    const table = readArrowFile(join(encodedDir, FILES.pointFeatures));
    const dropped = join(root, 'dropped.arrow');
    writeArrowFile(dropped, table.select(table.schema.fields.map((fd) => fd.name).filter((c) => c !== 'gap')));
    expect(() => readPointFeatures(dropped)).toThrow(/dropped\.arrow: column 'gap'/);
    const retyped = join(root, 'retyped.arrow');
    const cols = table.schema.fields.map((fd) => fd.name);
    writeArrowFile(retyped, new Table(Object.fromEntries(cols.map((c) => [c, table.getChild(c === 'weight' ? 'gender' : c)!]))));
    expect(() => readPointFeatures(retyped)).toThrow(/retyped\.arrow: column 'weight' has type Utf8, expected numbers/);
  });
});
