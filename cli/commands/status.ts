import type { CommandModule } from 'yargs';

export const statusCommand: CommandModule<object, { run: string; json: boolean }> = {
  command: 'status <run>',
  describe: 'Show a run: its status, each step, the manifest and the Web UI link',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'run id (printed by `run`, listed by `list`)' })
      .option('json', { type: 'boolean', default: false })
      .example('$0 status quickstart-1a2b3c4d5e', ''),
  handler: async (args) => {
    const [{ findRun, openSession }, { runUrl }, { say, seconds, statusName, table, when }, { printSummary, readProgress }, { runOutcome }] = await Promise.all([
      import('../session'), import('../../lib/env'), import('../output'), import('../watch'), import('../run-outcome'),
    ]);
    const session = await openSession({ startServer: false });
    try {
      const found = await findRun(session, args.run);
      const { handle, desc, name, workflowId, own, store } = found;
      const progress = desc.status.name === 'RUNNING' ? await readProgress(session.client, handle) : undefined;
      const { state, result, failure, manifestPath } = await runOutcome(session, found);
      if (args.json) {
        return say(JSON.stringify({ run: name, workflowId, store, runId: desc.runId, status: statusName(state), startedAt: desc.startTime, closedAt: desc.closeTime, progress, result, failure, manifestPath }, null, 2));
      }
      const took = desc.closeTime ? `, took ${seconds(desc.closeTime.getTime() - desc.startTime.getTime())}` : '';
      say(`run ${name}: ${statusName(state)} (started ${when(desc.startTime)}${took})${own ? '' : ` (a run of store ${store}, not this one)`}`);
      if (progress) {
        say();
        say(table([['step', 'kind', 'status', 'detail'], ...progress.steps.map((s) => [s.name, s.kind, s.status, (s.error ?? s.detail ?? '').split('\n')[0]])]));
      } else if (state === 'RUNNING') {
        say('(no worker answers this run now: start one with `labor-llm worker`, or `labor-llm resume ' + name + '`)');
      }
      if (result) printSummary(result.steps);
      if (failure) {
        say();
        say(state === 'CANCELLED' ? 'cancelled' : `failure: ${failure.replace(/\nmanifest: .*$/, '')}`);
        if (own) say(`continue it with \`labor-llm resume ${name}\` (finished steps are reused)`);
      }
      if (manifestPath) say(`\nmanifest: ${manifestPath}`);
      say(`Web UI:   ${runUrl(session.settings, workflowId, desc.runId)}`);
    } finally {
      await session.close();
    }
  },
};
