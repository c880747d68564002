import type { CommandModule } from 'yargs';

interface Args {
  experiment?: string;
  status?: string;
  limit: number;
  json: boolean;
  'all-stores': boolean;
}

const quote = (s: string) => `"${s.replace(/["\\]/g, '')}"`;

export const listCommand: CommandModule<object, Args> = {
  command: 'list',
  describe: "List this store's runs, newest first, from Temporal's visibility store",
  builder: (y) =>
    y
      .option('experiment', { type: 'string', describe: 'only runs of this experiment' })
      .option('status', { type: 'string', choices: ['running', 'succeeded', 'failed', 'cancelled'], describe: 'only runs in this state' })
      .option('limit', { type: 'number', default: 50 })
      .option('json', { type: 'boolean', default: false })
      .option('all-stores', { type: 'boolean', default: false, describe: 'runs of every store on this server, not only of this one (LABOR_LLM_HOME)' })
      .example('$0 list --experiment quickstart --status failed', ''),
  handler: async (args) => {
    const [{ openSession }, { displayRunId }, { say, seconds, statusName, table, when }] = await Promise.all([import('../session'), import('../run-id'), import('../output')]);
    const session = await openSession({ startServer: false });
    try {
      const { store } = session;
      const clauses = ['WorkflowType = "runExperimentWorkflow"'];
      if (!args['all-stores']) clauses.push(`StoreId = ${quote(store.id)}`);
      if (args.experiment) clauses.push(`ExperimentName = ${quote(args.experiment)}`);
      if (args.status) clauses.push(`RunStatus = ${quote(args.status)}`);
      const rows: { run: string; workflowId: string; store?: string; runId: string; experiment?: string; status: string; step?: string; configHash?: string; started: Date; closed?: Date }[] = [];
      for await (const wf of session.client.workflow.list({ query: clauses.join(' AND ') })) {
        const get = (name: string) => wf.typedSearchAttributes.getAll().find((p) => p.key.name === name)?.value as string | undefined;
        // RunStatus is the workflow's own word; a run that ended without setting it (terminated) falls back to Temporal's.
        const closedWithout = wf.status.name !== 'RUNNING' && get('RunStatus') === 'running';
        rows.push({
          run: displayRunId(wf.workflowId, store.id), workflowId: wf.workflowId, store: get('StoreId'), runId: wf.runId, experiment: get('ExperimentName'),
          status: closedWithout ? statusName(wf.status.name) : get('RunStatus') ?? statusName(wf.status.name),
          step: get('Step'), configHash: get('ConfigHash'), started: wf.startTime, closed: wf.closeTime,
        });
        if (rows.length >= args.limit) break;
      }
      rows.sort((a, b) => b.started.getTime() - a.started.getTime());
      if (args.json) return say(JSON.stringify(rows, null, 2));
      const scope = args['all-stores'] ? 'on this server' : `in this store (${store.id}, ${store.home})`;
      if (rows.length === 0) {
        say(`no runs ${args.experiment || args.status ? 'match ' : ''}${scope}${args.experiment || args.status ? '' : ': start one with `labor-llm run <config>`'}`);
        if (!args['all-stores']) say('(`labor-llm list --all-stores` lists the runs of every store on this server)');
        return;
      }
      // Runs of other stores show their full id (`…@<store>`).
      say(table([
        ['run', 'status', 'last step', 'started', 'took'],
        ...rows.map((r) => [r.run, r.status, r.step ?? '', when(r.started), r.closed ? seconds(r.closed.getTime() - r.started.getTime()) : '']),
      ]));
    } finally {
      await session.close();
    }
  },
};
