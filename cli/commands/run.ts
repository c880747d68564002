import type { CommandModule } from 'yargs';
import { loadConfig } from '../../lib/config/load';
import { defaultDeps } from '../../activities';
import { connectWorker } from '../../temporal/connection';
import { createWorkers, runWorkers } from '../../temporal/worker';
import { say } from '../output';
import { followRun, startRun } from '../runs';
import { openSession } from '../session';

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
      .example('$0 run experiments/quickstart.yaml --rerun evaluate', 'recompute the evaluation only')
      .example('$0 run exp.yaml --no-worker', 'start the run for workers elsewhere'),
  handler: async (args) => {
    const loaded = loadConfig(args.config);
    const session = await openSession();
    const stop = new AbortController();
    let workers: Promise<void> | undefined;
    if (args.worker) {
      const connection = await connectWorker(session.settings);
      workers = runWorkers(await createWorkers({ connection, namespace: session.settings.TEMPORAL_NAMESPACE, deps: defaultDeps(session.settings), taskQueues: session.settings.queues }), stop.signal)
        .finally(() => connection.close());
    }
    const detach = () => {
      say('\ndetached: the run goes on in Temporal. Continue it with `labor-llm worker` (or `labor-llm resume`), follow it with `labor-llm status`.');
      stop.abort();
      setTimeout(() => process.exit(130), 3000).unref();
    };
    process.once('SIGINT', detach);
    try {
      const handle = await startRun(session.client, loaded, { noCache: !args.cache, rerun: args.rerun, queues: session.settings.queues });
      await followRun(session, handle);
    } finally {
      process.off('SIGINT', detach);
      stop.abort();
      await workers;
      await session.close();
    }
  },
};
