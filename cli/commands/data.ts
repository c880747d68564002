import type { Argv, CommandModule } from 'yargs';

const synth: CommandModule<object, { population: 'resume' | 'survey'; persons: number; seed: number; taxonomy: string; out: string }> = {
  command: 'synth',
  describe: 'Generate a synthetic panel with its known truth (oracle)',
  builder: (y) =>
    y
      .option('population', { choices: ['resume', 'survey'] as const, default: 'survey' as const })
      .option('persons', { type: 'number', default: 1000 })
      .option('seed', { type: 'number', default: 0 })
      .option('taxonomy', { type: 'string', default: 'default', describe: "'default' or a code,title CSV" })
      .option('out', { type: 'string', demandOption: true, describe: 'new (or empty) folder for the panel' })
      .example('$0 data synth --persons 2000 --out /tmp/survey', ''),
  handler: async (a) => {
    const [{ checkOutFolder, writePanelFolder }, { loadTaxonomy }, { generatePanel }] = await Promise.all([
      import('../data-folder'), import('../../lib/panel/taxonomy'), import('../../lib/synth'),
    ]);
    checkOutFolder(a.out);
    const taxonomy = loadTaxonomy(a.taxonomy);
    writePanelFolder(a.out, generatePanel({ taxonomy, population: a.population, persons: a.persons, seed: a.seed }));
  },
};

const importCmd: CommandModule<object, { format: 'career' | 'table'; input: string; out: string; taxonomy: string; seed: number; name?: string }> = {
  command: 'import <input>',
  describe: 'Import a survey extract (CAREER text files or a long CSV/Arrow table) into a panel folder',
  builder: (y) =>
    y
      .positional('input', { type: 'string', demandOption: true, describe: 'CAREER folder, or CSV/Arrow file' })
      .option('format', { choices: ['career', 'table'] as const, demandOption: true })
      .option('out', { type: 'string', demandOption: true, describe: 'new (or empty) folder for the panel' })
      .option('taxonomy', { type: 'string', default: 'default', describe: "'default' or a code,title CSV" })
      .option('seed', { type: 'number', default: 0, describe: 'seed of the split by person, when the source has none' })
      .option('name', { type: 'string', describe: 'dataset name written into the texts' })
      .example('$0 data import --format career ./career-data --out /tmp/panel --taxonomy data/taxonomy/census2010.csv', ''),
  handler: async (a) => {
    const [{ checkOutFolder, writePanelFolder }, { loadTaxonomy }, { importCareer, importTable }] = await Promise.all([
      import('../data-folder'), import('../../lib/panel/taxonomy'), import('../../lib/import'),
    ]);
    checkOutFolder(a.out);
    const taxonomy = loadTaxonomy(a.taxonomy);
    const panel = a.format === 'career' ? importCareer(a.input, { taxonomy, seed: a.seed, name: a.name }) : importTable(a.input, { taxonomy, seed: a.seed, name: a.name });
    writePanelFolder(a.out, panel);
  },
};

const inspect: CommandModule<object, { dir: string; json: boolean }> = {
  command: 'inspect <dir>',
  describe: 'Summarise a panel folder',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', demandOption: true, describe: 'panel folder (written by `data synth` or `data import`, or a data step artifact)' })
      .option('json', { type: 'boolean', default: false })
      .example('$0 data inspect /tmp/survey', ''),
  handler: async (a) => {
    const [{ readPanel }, { formatPanelSummary, summarizePanel }, { say }] = await Promise.all([
      import('../../lib/panel/panel-io'), import('../../lib/panel/inspect'), import('../output'),
    ]);
    const summary = summarizePanel(readPanel(a.dir));
    say(a.json ? JSON.stringify(summary, null, 2) : formatPanelSummary(summary));
  },
};

export const dataCommand: CommandModule = {
  command: 'data',
  describe: 'Panel datasets: data synth, data import, data inspect',
  builder: (y: Argv) => y.command(synth).command(importCmd).command(inspect).demandCommand(1, 'name a data command: synth, import or inspect'),
  handler: () => undefined,
};
