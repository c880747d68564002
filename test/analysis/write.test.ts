import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analysisTables, analyzeOneStep, ANALYSIS_FILES, writeOneStepAnalysis } from '../../lib/analysis';
import { readArrowFile } from '../../lib/artifacts/arrow-io';
import { columnValues } from '../../lib/artifacts/contracts';
import { preds, synthetic, taxonomy } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'labor-llm-analysis-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const s = synthetic(40, 4, 5);
const groups = new Map(taxonomy.rows.map((r) => [r.code, r.kind === 'occupation' ? 'work' : 'none']));
const analysis = analyzeOneStep(
  { taxonomy, persons: s.persons, models: [{ name: 'oracle', predictions: preds(s.rows, s.truth), oracle: true }], groups },
  // gender: 40 persons each (ok); gender x race: 20 each (too small).
  { subgroups: [['gender'], ['gender', 'race']], minPersons: 30, minPoints: 50, bootstrap: 20, eceBins: 4 },
);

describe('writeOneStepAnalysis', () => {
  it('writes the JSON and one Arrow table per analysis, and nothing else', () => {
    const paths = writeOneStepAnalysis(join(dir, 'out'), analysis);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(Object.values(ANALYSIS_FILES).sort());
    expect(paths).toHaveLength(4);
    expect(JSON.parse(readFileSync(join(dir, 'out', ANALYSIS_FILES.json), 'utf8'))).toEqual(JSON.parse(JSON.stringify(analysis)));

    const d = readArrowFile(join(dir, 'out', ANALYSIS_FILES.subgroup_distances));
    // 7 subgroups (all, 2 genders, 4 intersections) x 2 levels x 3 metrics.
    expect(d.numRows).toBe(7 * 2 * 3);
    expect(d.schema.fields.map((f) => f.name)).toEqual([
      'model', 'subgroup', 'dimensions', 'status', 'n_persons', 'n_points', 'weight', 'level', 'metric', 'value', 'ci_lo', 'ci_hi',
      'minus_oracle_lo', 'minus_oracle_hi', 'exceeds_oracle',
    ]);
    const status = columnValues<string>(d, 'status');
    const value = columnValues<number | null>(d, 'value');
    const subgroup = columnValues<string>(d, 'subgroup');
    status.forEach((st, i) => {
      expect(st).toBe(subgroup[i].includes('&') ? 'too_small' : 'ok');
      if (st === 'too_small') expect(value[i]).toBeNull();
      else expect(value[i]).toBeGreaterThan(0);
    });
    expect(columnValues(d, 'dimensions').slice(0, 1)).toEqual(['all']);

    const r = readArrowFile(join(dir, 'out', ANALYSIS_FILES.subgroup_rates));
    expect(r.numRows).toBe(7 * 2);
    const female = analysis.results.find((x) => x.subgroup === 'gender=female')!.rates!.change;
    const row = columnValues<string>(r, 'subgroup').findIndex((g, i) => g === 'gender=female' && columnValues(r, 'rate')[i] === 'change');
    expect(columnValues(r, 'gap')[row]).toBe(female.gap);
    expect(columnValues(r, 'ci_lo')[row]).toBe(female.ci!.lo);
    expect(r.getChild('flagged')!.get(row)).toBe(female.flagged);

    const c = readArrowFile(join(dir, 'out', ANALYSIS_FILES.subgroup_calibration));
    // 3 ok subgroups x 4 bins + 4 too-small subgroups x one row without bins.
    expect(c.numRows).toBe(3 * 4 + 4);
    expect(columnValues(c, 'bin').filter((b) => b === null)).toHaveLength(4);
  });

  it('builds every table before writing, so a failure writes nothing', () => {
    const broken = { ...analysis, results: [...analysis.results, { ...analysis.results[0], subgroup: 'no such subgroup' }] };
    expect(() => analysisTables(broken)).toThrow("a result names subgroup 'no such subgroup', which is not in the subgroup list");
    expect(() => writeOneStepAnalysis(join(dir, 'broken'), broken)).toThrow(/no such subgroup/);
    expect(() => readdirSync(join(dir, 'broken'))).toThrow();
  });
});
