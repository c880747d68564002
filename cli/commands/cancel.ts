import type { CommandModule } from 'yargs';

export const cancelCommand: CommandModule<object, { run: string; wait: number }> = {
  command: 'cancel <run>',
  describe: 'Cancel a run (a running training job is cancelled too)',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'run id (printed by `run`, listed by `list`)' })
      .option('wait', { type: 'number', default: 10, describe: 'seconds to wait for the run to stop (0: just request it)' })
      .example('$0 cancel quickstart-1a2b3c4d5e', ''),
  handler: async (args) => {
    const [{ findRun, openSession }, { say, statusName, UsageError }, { waitForClose, recentPollers }] = await Promise.all([import('../session'), import('../output'), import('../runs-info')]);
    const session = await openSession({ startServer: false });
    try {
      // A full id may name another store's run (one whose folder is gone, say): cancelling it is allowed.
      const { handle, desc, name, own, store } = await findRun(session, args.run);
      if (desc.status.name !== 'RUNNING') throw new UsageError(`run ${name} is not running (${statusName(desc.status.name)}): nothing to cancel`);
      await handle.cancel();
      say(`cancellation requested for ${name}${own ? '' : ` (a run of store ${store})`}`);
      if (args.wait <= 0) return;
      const status = await waitForClose(handle, args.wait * 1000);
      if (status) return say(`${name}: ${statusName(status)}`);
      // The workflow carries the cancellation out (cancels its steps and training job, writes the
      // manifest), so it needs a worker.
      const workers = await recentPollers(session, desc.taskQueue);
      say(workers > 0
        ? `${name} has not stopped yet (a step may be finishing): check with \`labor-llm status ${name}\``
        : `${name} stops when a worker picks it up: no worker serves ${desc.taskQueue} now (\`labor-llm worker\`)`);
    } finally {
      await session.close();
    }
  },
};
