import type { CommandModule } from 'yargs';
import type { LoadedConfig } from '../../lib/config/load';

interface Args {
  config: string;
  worker: boolean;
  cache: boolean;
  rerun?: string[];
}

export const runCommand: CommandModule<object, Args> = {
  command: 'run <config>',
  describe: 'Run an experiment (or attach to its identical run already going)',
  builder: (y) =>
    y
      .positional('config', { type: 'string', demandOption: true, describe: 'experiment YAML file' })
      .option('worker', { type: 'boolean', default: true, describe: 'run an in-process worker (--no-worker: leave the work to `labor-llm worker` processes)' })
      .option('cache', { type: 'boolean', default: true, describe: 'reuse cached step outputs (--no-cache recomputes everything)' })
      .option('rerun', { type: 'string', array: true, describe: 'recompute these steps and what depends on them' })
      .example('$0 run experiments/quickstart.yaml', 'run the quickstart')
      .example('$0 run exp.yaml --rerun evaluate', 'recompute one step and what depends on it')
      .example('$0 run exp.yaml --no-worker', 'start the run for workers elsewhere'),
  handler: async (args) => {
    // Heavy modules (Temporal SDK, activities) load here, not when the command line is parsed.
    const { loadConfig } = await import('../../lib/config/load');
    const loaded = loadConfig(args.config);
    const unknown = (args.rerun ?? []).filter((name) => !loaded.config.steps.some((s) => s.name === name));
    if (unknown.length) {
      const { UsageError } = await import('../output');
      throw new UsageError(`--rerun ${unknown.join(' ')}: no such step in ${loaded.config.name} (steps: ${loaded.config.steps.map((s) => s.name).join(', ')})`);
    }
    if (args.cache && !args.rerun?.length && (await printIfAllCached(loaded))) return;
    const [{ openSession }, { runAndFollow }] = await Promise.all([import('../session'), import('../runs')]);
    await runAndFollow(await openSession(), loaded, { noCache: !args.cache, rerun: args.rerun, worker: args.worker });
  },
};

/** A rerun with every step cached: the results at once, no run started (cli/cached-run.ts). */
async function printIfAllCached(loaded: LoadedConfig): Promise<boolean> {
  const [{ cachedSteps }, { readSettings }, { printSummary }, { say }] = await Promise.all([
    import('../cached-run'), import('../../lib/env'), import('../watch'), import('../output'),
  ]);
  const steps = await cachedSteps(loaded, readSettings());
  if (!steps) return false;
  say(`every step of ${loaded.config.name} is cached in this store: nothing to run, so no run was started`);
  printSummary(steps);
  say();
  say(`the runs that computed them: labor-llm list --experiment ${loaded.config.name}; --no-cache or --rerun STEP computes again`);
  return true;
}
