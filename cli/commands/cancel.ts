import type { CommandModule } from 'yargs';
import { say } from '../output';
import { openSession } from '../session';

export const cancelCommand: CommandModule<object, { run: string }> = {
  command: 'cancel <run>',
  describe: 'Cancel a run (a running training job is cancelled too)',
  builder: (y) => y.positional('run', { type: 'string', demandOption: true }).example('$0 cancel quickstart-1a2b3c4d5e', ''),
  handler: async (args) => {
    const session = await openSession({ startServer: false });
    try {
      await session.client.workflow.getHandle(args.run).cancel();
      say(`cancellation requested for ${args.run}`);
    } finally {
      await session.close();
    }
  },
};
