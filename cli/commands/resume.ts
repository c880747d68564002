import type { CommandModule } from 'yargs';
import type { ExperimentConfig } from '../../lib/config/schema';
import { validateConfig } from '../../lib/config/load';
import { defaultDeps } from '../../activities';
import { connectWorker } from '../../temporal/connection';
import { createWorkers, runWorkers } from '../../temporal/worker';
import { say } from '../output';
import { followRun, startRun } from '../runs';
import { openSession } from '../session';
import { dirname } from 'node:path';

export const resumeCommand: CommandModule<object, { run: string; worker: boolean }> = {
  command: 'resume <run>',
  describe: 'Continue a failed, cancelled or interrupted run; finished steps are reused from the cache',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true })
      .option('worker', { type: 'boolean', default: true, describe: 'run an in-process worker' })
      .example('$0 resume quickstart-1a2b3c4d5e', ''),
  handler: async (args) => {
    const session = await openSession();
    const stop = new AbortController();
    let workers: Promise<void> | undefined;
    try {
      const desc = await session.client.workflow.getHandle(args.run).describe();
      const memo = desc.memo as { config: ExperimentConfig; configFile: string } | undefined;
      if (!memo?.config) throw new Error(`run ${args.run} has no config in its memo: is it a labor-llm run?`);
      if (args.worker) {
        const connection = await connectWorker(session.settings);
        workers = runWorkers(await createWorkers({ connection, namespace: session.settings.TEMPORAL_NAMESPACE, deps: defaultDeps(session.settings), taskQueues: session.settings.queues }), stop.signal)
          .finally(() => connection.close());
      }
      // The recorded config, revalidated: the run continues exactly as declared.
      const loaded = validateConfig(memo.config, memo.configFile, dirname(memo.configFile));
      if (desc.status.name === 'RUNNING') say(`run ${args.run} is still running: attaching`);
      const handle = await startRun(session.client, loaded, { queues: session.settings.queues });
      await followRun(session, handle);
    } finally {
      stop.abort();
      await workers;
      await session.close();
    }
  },
};
