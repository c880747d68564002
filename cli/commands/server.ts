import type { CommandModule } from 'yargs';

export const serverCommand: CommandModule<object, { action: 'start' | 'stop' | 'status' }> = {
  command: 'server <action>',
  describe: "Start, stop or check the embedded Temporal dev server (one per user, shared by the user's stores)",
  builder: (y) =>
    y
      .positional('action', { choices: ['start', 'stop', 'status'] as const, demandOption: true })
      .example('$0 server start', 'start it (runs survive restarts: SQLite file in LABOR_LLM_SERVER_DIR, default ~/.local/state/labor-llm/temporal)')
      .example('$0 server status', 'which process serves the port, and on which database'),
  handler: async (args) => {
    const [{ readSettings }, { describeServer, isServing, serverOptions, startServer, stopServer }, { say, UsageError }] = await Promise.all([
      import('../../lib/env'), import('../../temporal/server'), import('../output'),
    ]);
    const settings = readSettings();
    const o = serverOptions(settings);
    if (!settings.embedded) {
      if (args.action !== 'status') throw new UsageError(`TEMPORAL_ADDRESS is set (${settings.temporalAddress}): that server is not managed by labor-llm`);
      return say(`${settings.temporalAddress}: ${(await isServing(settings.temporalAddress)) ? 'serving' : 'not serving'} (TEMPORAL_ADDRESS: a server labor-llm does not manage)`);
    }
    if (args.action === 'start') {
      const { started, address, pid, db } = await startServer(o);
      if (started) return say(`started on ${address} (pid ${pid}); database ${db}; Web UI ${settings.uiUrl}`);
      const s = await describeServer(o);
      return say(`already serving on ${address}${s.ours ? ` (pid ${s.pid}, started from ${o.stateDir})` : `, by a process not started from ${o.stateDir}`}; Web UI ${settings.uiUrl}`);
    }
    if (args.action === 'stop') {
      if (await stopServer(o)) return say('stopped');
      const other = await isServing(settings.temporalAddress);
      return say(`not running from ${o.stateDir}${other ? `; ${settings.temporalAddress} is served by a process not started from there (\`labor-llm server status\` names it)` : ''}`);
    }
    const s = await describeServer(o);
    say(`${s.address}: ${s.serving ? 'serving' : 'not serving'}`);
    if (s.serving && s.ours) {
      say(`  started   from ${o.stateDir} (pid ${s.pid})`);
    } else if (s.serving) {
      say(`  started   NOT from ${o.stateDir} (LABOR_LLM_SERVER_DIR): by ${s.pid ? `process ${s.pid}` : 'a process labor-llm cannot see (another user\'s, or not Linux)'}`);
      say('            this store uses it all the same; its runs are kept apart from other stores\' runs there');
    }
    const db = !s.serving ? `${s.files.db} (when started from here)`
      : s.db ?? (s.db === null ? 'none: the server keeps its state in memory' : 'unknown');
    say(`  database  ${db}`);
    if (!s.serving || s.ours) say(`  log       ${s.files.log}`);
    say(`  Web UI    ${settings.uiUrl}`);
  },
};
