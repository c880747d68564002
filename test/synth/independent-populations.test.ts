/**
 * Two synthetic data steps of one experiment, without seeds of their own, are independent draws:
 * each gets its seed from the experiment's seed and its name (dataSeed), so person i of the
 * resumes and person i of the survey agree on gender about half the time, not 93% of it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dataSeed, loadConfig } from '../../lib/config/load';
import type { DataStepConfig } from '../../lib/config/schema';
import { loadTaxonomy } from '../../lib/panel/taxonomy';
import { generatePanel } from '../../lib/synth';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function config(body: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'labor-llm-seeds-')), 'x.yaml');
  writeFileSync(file, `schemaVersion: 1\nname: seeds\nseed: 7\nsteps:\n${body}`);
  return file;
}

describe('data step seeds', () => {
  it('default to a draw from the experiment seed and the step name; an explicit seed wins', () => {
    const steps = loadConfig(config(
      '  - {name: resumes, kind: data, source: synthetic, population: resume, persons: 10}\n' +
      '  - {name: survey, kind: data, source: synthetic, population: survey, persons: 10}\n' +
      '  - {name: fixed, kind: data, source: synthetic, population: survey, persons: 10, seed: 7}\n' +
      '  - {name: text, kind: encode, input: survey}\n' +
      '  - {name: eval, kind: evaluate, data: text, model: {path: /nowhere}}\n',
    )).config.steps;
    const seed = (name: string) => (steps.find((s) => s.name === name) as { seed: number }).seed;
    expect(seed('resumes')).toBe(dataSeed(7, 'resumes'));
    expect(seed('survey')).toBe(dataSeed(7, 'survey'));
    expect(seed('resumes')).not.toBe(seed('survey'));
    expect(seed('fixed')).toBe(7);
    // Other steps keep the experiment's seed.
    expect(seed('eval')).toBe(7);
    expect(dataSeed(7, 'survey')).toBe(dataSeed(7, 'survey'));
    expect(Number.isSafeInteger(dataSeed(7, 'survey')) && dataSeed(7, 'survey') >= 0).toBe(true);
  });

  it('make the two populations independent draws', () => {
    const steps = loadConfig(config(
      '  - {name: resumes, kind: data, source: synthetic, population: resume, persons: 2000}\n' +
      '  - {name: survey, kind: data, source: synthetic, population: survey, persons: 2000}\n',
    )).config.steps as DataStepConfig[];
    const taxonomy = loadTaxonomy(join(ROOT, 'data/taxonomy/default.csv'));
    const [a, b] = steps.map((s) => generatePanel({ taxonomy, population: (s as { population: 'resume' | 'survey' }).population, persons: 2000, seed: s.seed!, oracle: false }));
    const agree = (key: 'gender' | 'race') => a.persons.filter((p, i) => p[key] === b.persons[i][key]).length / a.persons.length;
    // Independent: agreement is what the two populations' marginals give, about 0.5 for gender.
    expect(agree('gender')).toBeGreaterThan(0.4);
    expect(agree('gender')).toBeLessThan(0.6);
    // With one seed for both (what a missing derivation gives), person i of each is mostly the same person.
    const same = generatePanel({ taxonomy, population: 'resume', persons: 2000, seed: 7, oracle: false });
    const twin = generatePanel({ taxonomy, population: 'survey', persons: 2000, seed: 7, oracle: false });
    expect(same.persons.filter((p, i) => p.gender === twin.persons[i].gender).length / 2000).toBeGreaterThan(0.8);
  });
});
