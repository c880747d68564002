import type { CommandModule } from 'yargs';

export const validateCommand: CommandModule<object, { config: string; json: boolean }> = {
  command: 'validate <config>',
  describe: 'Check an experiment config and print it resolved (defaults applied)',
  builder: (y) =>
    y
      .positional('config', { type: 'string', demandOption: true, describe: 'experiment YAML file' })
      .option('json', { type: 'boolean', default: false, describe: 'print the resolved config as JSON' })
      .example('$0 validate experiments/quickstart.yaml', ''),
  handler: async (args) => {
    const [{ loadConfig }, { stringify }, { say }, { runIdFor }] = await Promise.all([
      import('../../lib/config/load'), import('yaml'), import('../output'), import('../run-id'),
    ]);
    const loaded = loadConfig(args.config);
    if (args.json) return say(JSON.stringify({ file: loaded.file, hash: loaded.hash, runId: runIdFor(loaded), config: loaded.config }, null, 2));
    say(`# ${loaded.file}: valid`);
    say(`# run id ${runIdFor(loaded)} (config hash ${loaded.hash.slice(0, 16)}); steps: ${loaded.config.steps.map((s) => `${s.name} (${s.kind})`).join(' → ')}`);
    say(`# resolved, defaults applied:`);
    // Each step's name and kind first, as people write them.
    const shown = { ...loaded.config, steps: loaded.config.steps.map(({ name, kind, ...rest }) => ({ name, kind, ...rest })) };
    process.stdout.write(stringify(shown, { lineWidth: 0 }));
  },
};
