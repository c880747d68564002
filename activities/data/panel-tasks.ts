/**
 * The data step's work, run as a task in a worker thread (threads/run-in-thread.ts): builds the
 * panel, writes its files into the folder it is given and returns a small summary.
 */
import type { DataStepConfig } from '../../lib/config/schema';
import { generatePanel } from '../../lib/synth';
import { importCareer, importTable } from '../../lib/import';
import { writePanel } from '../../lib/panel/panel-io';
import { loadTaxonomy } from '../../lib/panel/taxonomy';
import type { Panel } from '../../lib/panel/panel';
import type { Progress } from '../threads/run-in-thread';

function buildPanel(step: DataStepConfig, seed: number, progress: Progress): Panel {
  const taxonomy = loadTaxonomy(step.taxonomy);
  const s = step.seed ?? seed;
  switch (step.source) {
    case 'synthetic':
      return generatePanel({
        taxonomy, population: step.population, persons: step.persons, seed: s, firstYear: step.firstYear,
        lastYear: step.lastYear, biennialAfter: step.biennialAfter, splits: step.splits, oracle: true,
        name: step.datasetName ?? `synthetic ${step.population}`,
        onProgress: (phase, done, total) => progress({ phase: `generating ${phase}`, done, total }),
      });
    case 'career':
      return importCareer(step.path, { taxonomy, name: step.datasetName, seed: s, splits: step.splits });
    case 'table':
      return importTable(step.path, { taxonomy, name: step.datasetName, seed: s, splits: step.splits, columns: step.columns });
  }
}

export function writePanelStep(dir: string, step: DataStepConfig, seed: number, progress: Progress): Record<string, unknown> {
  progress({ phase: 'building panel' });
  const panel = buildPanel(step, seed, progress);
  progress({ phase: 'writing panel' });
  writePanel(dir, panel, (file) => progress({ phase: 'writing panel', wrote: file }));
  return {
    dataset: panel.name,
    persons: panel.persons.length,
    personYears: panel.personYears.year.length,
    states: panel.taxonomy.size,
    oracle: !!panel.oracle,
  };
}
