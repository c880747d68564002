import type { CommandModule } from 'yargs';
import type { RunExperimentResult } from '../../workflows/types';
import { say, table } from '../output';
import { openSession, runUrl } from '../session';
import { printSummary, readProgress } from '../watch';

export const statusCommand: CommandModule<object, { run: string; json: boolean }> = {
  command: 'status <run>',
  describe: 'Show a run: its status, each step, the manifest and the Web UI link',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'run id (printed by `run`, listed by `list`)' })
      .option('json', { type: 'boolean', default: false })
      .example('$0 status quickstart-1a2b3c4d5e', ''),
  handler: async (args) => {
    const session = await openSession({ startServer: false });
    try {
      const handle = session.client.workflow.getHandle(args.run);
      const desc = await handle.describe();
      const progress = desc.status.name === 'RUNNING' ? await readProgress(session.client, handle) : undefined;
      const result = desc.status.name === 'COMPLETED' ? ((await handle.result()) as RunExperimentResult) : undefined;
      if (args.json) return say(JSON.stringify({ workflowId: args.run, runId: desc.runId, status: desc.status.name, progress, result }, null, 2));
      say(`run ${args.run}: ${desc.status.name.toLowerCase()} (started ${desc.startTime.toISOString()}${desc.closeTime ? `, closed ${desc.closeTime.toISOString()}` : ''})`);
      if (progress) say(table([['step', 'status', 'detail'], ...progress.steps.map((s) => [s.name, s.status, s.error ?? s.detail ?? ''])]));
      else if (desc.status.name === 'RUNNING') say('(no worker is answering: start one with `labor-llm worker`)');
      if (result) {
        printSummary(result.steps);
        say(`\nmanifest: ${result.manifestPath}`);
      }
      if (desc.status.name === 'FAILED') {
        await handle.result().catch((err) => say(`failure: ${((err as Error).cause as Error | undefined)?.message ?? (err as Error).message}`));
        say('fix the cause, then `labor-llm resume ' + args.run + '` (finished steps are reused)');
      }
      say(`Web UI: ${runUrl(session.settings, args.run, desc.runId)}`);
    } finally {
      await session.close();
    }
  },
};
