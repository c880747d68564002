/**
 * An oracle that sees what the evaluation's text hides (a template without the birth year or
 * education) is labelled a bound: in metrics.json by the evaluation, then in every comparison,
 * and never merged with the oracle row of an evaluation whose text shows everything.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { oracleBound } from '../../lib/baselines';
import { compareEvaluations, formatCompareMarkdown } from '../../lib/compare';
import { FILES } from '../../lib/artifacts/contracts';
import { tinyTaxonomy } from '../predict/tiny';
import { modelPredictions, panelPoints, writeEvaluation, writePanelTaxonomy } from './fixtures';

const root = mkdtempSync(join(tmpdir(), 'labor-llm-bound-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('oracle bound', () => {
  it('names what each template hides, and nothing for templates that show all the truth uses', () => {
    expect(oracleBound({ name: 'resume' })).toBeUndefined();
    expect(oracleBound({ name: 'resume-codes' })).toBeUndefined();
    expect(oracleBound({ name: 'resume-no-birth-year' })).toMatch(/conditions on birth year, which template 'resume-no-birth-year' leaves out/);
    expect(oracleBound({ name: 'resume-no-education' })).toMatch(/conditions on education, which template 'resume-no-education'/);
  });

  it('labels the oracle row a bound in the comparison, separately from a full-text oracle', () => {
    const taxonomy = tinyTaxonomy();
    const panel = writePanelTaxonomy(join(root, 'panel'), taxonomy);
    const points = panelPoints(taxonomy, 20, 3);
    const write = (name: string, bound?: string) => {
      const dir = join(root, name);
      writeEvaluation(dir, taxonomy, { model: modelPredictions(taxonomy, points, 1, 2), oracle: modelPredictions(taxonomy, points, 3, 4) });
      if (bound) {
        const file = join(dir, FILES.metrics);
        writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), oracle_bound: bound }));
      }
      return { run: 'r', step: name, dir, panelDir: panel };
    };
    const bound = oracleBound({ name: 'resume-no-birth-year' })!;
    const t = compareEvaluations([write('full'), write('hidden', bound)], { bootstrap: 0 });
    // The same oracle predictions, but one is a bound: two rows.
    expect(t.rows.map((r) => r.label)).toEqual(['full:model', 'full:oracle', 'hidden:model', 'hidden:oracle']);
    expect(t.rows[1].bound).toBeUndefined();
    expect(t.rows[3].bound).toBe(bound);
    const md = formatCompareMarkdown(t);
    expect(md).toContain('| hidden:oracle (bound) |');
    expect(md).toContain(`\`hidden:oracle\` (bound): ${bound}.`);
  });
});
