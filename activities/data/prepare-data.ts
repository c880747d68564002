/** The data step: a synthetic panel with its known truth, or an imported survey extract. */
import { heartbeat } from '@temporalio/activity';
import { generatePanel } from '../../lib/synth';
import { importCareer, importTable } from '../../lib/import';
import { writePanel } from '../../lib/panel/panel-io';
import { loadTaxonomy } from '../../lib/panel/taxonomy';
import type { DataStepConfig } from '../../lib/config/schema';
import type { Panel } from '../../lib/panel/panel';
import type { StepResult, StepRunInput } from '../../workflows/types';
import type { ActivityDeps } from '../deps';

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

export function prepareData(deps: ActivityDeps) {
  return async (input: StepRunInput): Promise<StepResult> => {
    const step = input.step as DataStepConfig;
    heartbeat({ phase: 'building panel' });
    const panel = buildPanel(step, input.seed);
    heartbeat({ phase: 'writing panel' });
    const summary = {
      dataset: panel.name,
      persons: panel.persons.length,
      personYears: panel.personYears.year.length,
      states: panel.taxonomy.size,
      oracle: !!panel.oracle,
    };
    const artifact = await deps.store.create('panel', input.key, (dir) => {
      writePanel(dir, panel);
      return { summary, source: step.source };
    });
    return { artifact, summary };
  };
}
