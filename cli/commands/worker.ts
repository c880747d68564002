import type { CommandModule } from 'yargs';
import { defaultDeps } from '../../activities';
import { connectWorker } from '../../temporal/connection';
import type { QueueName } from '../../temporal/task-queues';
import { createWorkers, runWorkers } from '../../temporal/worker';
import { say } from '../output';
import { openSession } from '../session';

export const workerCommand: CommandModule<object, { queue?: QueueName[]; concurrency?: number }> = {
  command: 'worker',
  describe: 'Run a worker: it picks up steps of any run from its task queues until Ctrl-C',
  builder: (y) =>
    y
      .option('queue', { type: 'string', array: true, choices: ['cpu', 'gpu'] as QueueName[], describe: 'task queues to serve (default both)' })
      .option('concurrency', { type: 'number', describe: 'activities run at once per queue' })
      .example('$0 worker', 'serve both queues on this machine')
      .example('$0 worker --queue gpu --concurrency 1', 'a GPU machine: training jobs and scoring only'),
  handler: async (args) => {
    const session = await openSession({ startServer: false });
    const connection = await connectWorker(session.settings);
    const queues = args.queue ?? ['cpu', 'gpu'];
    const workers = await createWorkers({ connection, namespace: session.settings.TEMPORAL_NAMESPACE, deps: defaultDeps(session.settings), taskQueues: session.settings.queues, queues, concurrency: args.concurrency });
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    say(`worker on ${queues.map((q) => session.settings.queues[q]).join(', ')} (${session.settings.temporalAddress}); Ctrl-C to stop`);
    await runWorkers(workers, stop.signal);
    await connection.close();
    await session.close();
  },
};
