import type { CommandModule } from 'yargs';
import { loadConfig } from '../../lib/config/load';
import { say } from '../output';
import { runIdFor } from '../runs';

export const validateCommand: CommandModule<object, { config: string; json: boolean }> = {
  command: 'validate <config>',
  describe: 'Check an experiment config and print it resolved (defaults applied)',
  builder: (y) =>
    y
      .positional('config', { type: 'string', demandOption: true })
      .option('json', { type: 'boolean', default: false, describe: 'print the resolved config as JSON' })
      .example('$0 validate experiments/quickstart.yaml', ''),
  handler: (args) => {
    const loaded = loadConfig(args.config);
    if (args.json) return say(JSON.stringify({ hash: loaded.hash, runId: runIdFor(loaded), config: loaded.config }, null, 2));
    say(`${loaded.file}: valid`);
    say(`experiment ${loaded.config.name}, config hash ${loaded.hash.slice(0, 16)}, run id ${runIdFor(loaded)}`);
    for (const s of loaded.config.steps) say(`  ${s.name} (${s.kind})`);
  },
};
