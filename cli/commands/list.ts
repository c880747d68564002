import type { CommandModule } from 'yargs';
import { say, table } from '../output';
import { openSession } from '../session';

interface Args {
  experiment?: string;
  status?: string;
  limit: number;
  json: boolean;
}

const quote = (s: string) => `"${s.replace(/["\\]/g, '')}"`;

export const listCommand: CommandModule<object, Args> = {
  command: 'list',
  describe: "List runs from Temporal's visibility store",
  builder: (y) =>
    y
      .option('experiment', { type: 'string', describe: 'only runs of this experiment' })
      .option('status', { type: 'string', choices: ['running', 'succeeded', 'failed', 'cancelled'], describe: 'only runs in this state' })
      .option('limit', { type: 'number', default: 50 })
      .option('json', { type: 'boolean', default: false })
      .example('$0 list --experiment quickstart --status failed', ''),
  handler: async (args) => {
    const session = await openSession({ startServer: false });
    try {
      const clauses = ['WorkflowType = "runExperimentWorkflow"'];
      if (args.experiment) clauses.push(`ExperimentName = ${quote(args.experiment)}`);
      if (args.status) clauses.push(`RunStatus = ${quote(args.status)}`);
      const rows: Record<string, unknown>[] = [];
      for await (const wf of session.client.workflow.list({ query: clauses.join(' AND ') })) {
        const attrs = wf.typedSearchAttributes;
        const get = (name: string) => attrs.getAll().find((p) => p.key.name === name)?.value as string | undefined;
        rows.push({
          run: wf.workflowId, runId: wf.runId, experiment: get('ExperimentName'), status: get('RunStatus') ?? wf.status.name.toLowerCase(),
          step: get('Step'), configHash: get('ConfigHash'), started: wf.startTime.toISOString(), closed: wf.closeTime?.toISOString(),
        });
        if (rows.length >= args.limit) break;
      }
      if (args.json) return say(JSON.stringify(rows, null, 2));
      if (rows.length === 0) return say('no runs');
      say(table([['run', 'status', 'last step', 'started', 'config'], ...rows.map((r) => [String(r.run), String(r.status), String(r.step ?? ''), String(r.started), String(r.configHash ?? '').slice(0, 12)])]));
    } finally {
      await session.close();
    }
  },
};
