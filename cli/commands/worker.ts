import type { CommandModule } from 'yargs';
import type { QueueName } from '../../temporal/task-queues';

export const workerCommand: CommandModule<object, { queue?: QueueName[]; concurrency?: number }> = {
  command: 'worker',
  describe: "Run a worker: it picks up steps of this store's runs from its task queues until Ctrl-C",
  builder: (y) =>
    y
      .option('queue', { type: 'string', array: true, choices: ['cpu', 'gpu'] as QueueName[], describe: 'task queues to serve (default both)' })
      .option('concurrency', { type: 'number', describe: 'activities run at once per queue' })
      .example('$0 worker', 'serve both queues on this machine')
      .example('$0 worker --queue gpu --concurrency 1', 'a GPU machine: training jobs and scoring only'),
  handler: async (args) => {
    const [{ openSession }, { say }, { connectWorker }, { createWorkers, runWorkers }, { defaultDeps }] = await Promise.all([
      import('../session'), import('../output'), import('../../temporal/connection'), import('../../temporal/worker'), import('../../activities'),
    ]);
    const session = await openSession({ startServer: false });
    const connection = await connectWorker(session.settings);
    try {
      const queues = args.queue ?? ['cpu', 'gpu'];
      const workers = await createWorkers({ connection, namespace: session.settings.TEMPORAL_NAMESPACE, deps: defaultDeps(session.settings), taskQueues: session.store.queues, queues, concurrency: args.concurrency });
      const stop = new AbortController();
      const onSignal = () => {
        say('stopping: running steps get a few seconds to finish, then resume on another worker');
        stop.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      say(`worker for store ${session.store.id} (${session.store.home}) serving ${queues.map((q) => session.store.queues[q]).join(', ')} on ${session.settings.temporalAddress}; Ctrl-C to stop`);
      await runWorkers(workers, stop.signal);
    } finally {
      await connection.close();
      await session.close();
    }
  },
};
