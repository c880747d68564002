/**
 * The data steps' heavy work, run in a worker thread (threads/run-in-thread.ts): each writes its
 * artifact files into the folder it is given and returns a small summary.
 */
import type { DataStepConfig, EncodeStepConfig } from '../../lib/config/schema';
import { generatePanel } from '../../lib/synth';
import { importCareer, importTable } from '../../lib/import';
import { readPanel, writePanel } from '../../lib/panel/panel-io';
import { loadTaxonomy } from '../../lib/panel/taxonomy';
import { encodePanel, writeEncoded } from '../../lib/text';
import type { Panel } from '../../lib/panel/panel';
import type { Progress } from '../threads/run-in-thread';

export function buildPanel(step: DataStepConfig, seed: number): Panel {
  const taxonomy = loadTaxonomy(step.taxonomy);
  const s = step.seed ?? seed;
  switch (step.source) {
    case 'synthetic':
      return generatePanel({
        taxonomy, population: step.population, persons: step.persons, seed: s, firstYear: step.firstYear,
        lastYear: step.lastYear, biennialAfter: step.biennialAfter, splits: step.splits, oracle: true,
        name: step.datasetName ?? `synthetic ${step.population}`,
      });
    case 'career':
      return importCareer(step.path, { taxonomy, name: step.datasetName, seed: s, splits: step.splits });
    case 'table':
      return importTable(step.path, { taxonomy, name: step.datasetName, seed: s, splits: step.splits, columns: step.columns });
  }
}

export function writePanelStep(dir: string, step: DataStepConfig, seed: number, progress: Progress): Record<string, unknown> {
  progress({ phase: 'building panel' });
  const panel = buildPanel(step, seed);
  progress({ phase: 'writing panel' });
  writePanel(dir, panel);
  return {
    dataset: panel.name,
    persons: panel.persons.length,
    personYears: panel.personYears.year.length,
    states: panel.taxonomy.size,
    oracle: !!panel.oracle,
  };
}

export function writeEncodedStep(dir: string, panelDir: string, step: EncodeStepConfig, progress: Progress): Record<string, unknown> {
  progress({ phase: 'reading panel' });
  const panel = readPanel(panelDir);
  progress({ phase: 'encoding' });
  const encoded = encodePanel(panel, step.template);
  progress({ phase: 'writing' });
  writeEncoded(dir, encoded);
  return {
    template: `${encoded.template.name}@${encoded.template.version}`,
    texts: encoded.texts.text.length,
    points: encoded.points.year.length,
    // kept in the manifest for the evaluate step (also in texts.arrow's schema metadata)
    templateRef: encoded.template,
    continuation: encoded.continuation,
  };
}
