import type { CommandModule } from 'yargs';

export const resumeCommand: CommandModule<object, { run: string; worker: boolean }> = {
  command: 'resume <run>',
  describe: 'Continue a failed, cancelled or interrupted run; finished steps are reused from the cache',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'run id (printed by `run`, listed by `list`)' })
      .option('worker', { type: 'boolean', default: true, describe: 'run an in-process worker' })
      .example('$0 resume quickstart-1a2b3c4d5e', ''),
  handler: async (args) => {
    const { dirname } = await import('node:path');
    const [{ validateConfig }, { findRun, openSession }, { runAndFollow }, { say, UsageError }] = await Promise.all([
      import('../../lib/config/load'), import('../session'), import('../runs'), import('../output'),
    ]);
    const session = await openSession();
    let loaded: ReturnType<typeof validateConfig>;
    try {
      const { desc, name, own, store } = await findRun(session, args.run);
      if (!own) {
        // Its steps run on that store's workers and write into that store's folder.
        throw new UsageError(`run ${args.run} belongs to store ${store}, not to this one (${session.store.id}, ${session.store.home})`, [
          "resume it with that store's LABOR_LLM_HOME, or start the experiment in this store with `labor-llm run <config>`",
        ]);
      }
      const memo = desc.memo as { config?: Parameters<typeof validateConfig>[0]; configFile?: string } | undefined;
      if (!memo?.config || !memo.configFile) throw new UsageError(`run ${name} has no config in its memo: it was not started by labor-llm`);
      // The recorded config, revalidated: the run continues exactly as declared.
      loaded = validateConfig(memo.config, memo.configFile, dirname(memo.configFile));
      if (desc.status.name === 'RUNNING') say(`run ${name} is still running: attaching`);
      else if (desc.status.name === 'COMPLETED') say(`run ${name} succeeded already: running it again from the cache`);
    } catch (err) {
      await session.close();
      throw err;
    }
    await runAndFollow(session, loaded, { worker: args.worker });
  },
};
