import { existsSync, readdirSync, renameSync, rmSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { InvalidConfig } from '../../lib/errors';
import { generatePanel } from '../../lib/synth';
import { importCareer, importTable } from '../../lib/import';
import { readPanel, writePanel } from '../../lib/panel/panel-io';
import { formatPanelSummary, summarizePanel } from '../../lib/panel/inspect';
import { loadTaxonomy } from '../../lib/panel/taxonomy';
import type { Panel } from '../../lib/panel/panel';
import { say } from '../output';

/** Writes a panel into `out` whole or not at all: built in a sibling temp folder, then renamed. */
function writePanelFolder(out: string, panel: Panel): void {
  const dir = resolve(out);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new InvalidConfig(`--out ${dir}: folder exists and is not empty`);
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  try {
    writePanel(tmp, panel);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  say(formatPanelSummary(summarizePanel(panel)));
  say(`written to ${dir}`);
}

const synth: CommandModule<object, { population: 'resume' | 'survey'; persons: number; seed: number; taxonomy: string; out: string }> = {
  command: 'synth',
  describe: 'Generate a synthetic panel with its known truth (oracle)',
  builder: (y) =>
    y
      .option('population', { choices: ['resume', 'survey'] as const, default: 'survey' as const })
      .option('persons', { type: 'number', default: 1000 })
      .option('seed', { type: 'number', default: 0 })
      .option('taxonomy', { type: 'string', default: 'default', describe: "'default' or a code,title CSV" })
      .option('out', { type: 'string', demandOption: true })
      .example('$0 data synth --persons 2000 --out /tmp/survey', ''),
  handler: (a) => {
    const taxonomy = loadTaxonomy(a.taxonomy);
    writePanelFolder(a.out, generatePanel({ taxonomy, population: a.population, persons: a.persons, seed: a.seed }));
  },
};

const importCmd: CommandModule<object, { format: 'career' | 'table'; input: string; out: string; taxonomy: string; seed: number; name?: string }> = {
  command: 'import <input>',
  describe: 'Import a survey extract (CAREER text files or a long CSV/Arrow table) into a panel folder',
  builder: (y) =>
    y
      .positional('input', { type: 'string', demandOption: true })
      .option('format', { choices: ['career', 'table'] as const, demandOption: true })
      .option('out', { type: 'string', demandOption: true })
      .option('taxonomy', { type: 'string', default: 'default' })
      .option('seed', { type: 'number', default: 0, describe: 'seed of the split by person, when the source has none' })
      .option('name', { type: 'string', describe: 'dataset name written into the texts' })
      .example('$0 data import --format career ./career-data --out /tmp/panel --taxonomy ../shared/data/census2010_occupations.csv', ''),
  handler: (a) => {
    const taxonomy = loadTaxonomy(a.taxonomy);
    const panel = a.format === 'career' ? importCareer(a.input, { taxonomy, seed: a.seed, name: a.name }) : importTable(a.input, { taxonomy, seed: a.seed, name: a.name });
    writePanelFolder(a.out, panel);
  },
};

const inspect: CommandModule<object, { dir: string; json: boolean }> = {
  command: 'inspect <dir>',
  describe: 'Summarise a panel folder',
  builder: (y) => y.positional('dir', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }),
  handler: (a) => {
    const summary = summarizePanel(readPanel(a.dir));
    say(a.json ? JSON.stringify(summary, null, 2) : formatPanelSummary(summary));
  },
};

export const dataCommand: CommandModule = {
  command: 'data <command>',
  describe: 'Generate, import and inspect panel datasets',
  builder: (y: Argv) => y.command(synth).command(importCmd).command(inspect).demandCommand(1),
  handler: () => undefined,
};
