import type { CommandModule } from 'yargs';

export const serverCommand: CommandModule<object, { action: 'start' | 'stop' | 'status' }> = {
  command: 'server <action>',
  describe: 'Start, stop or check the embedded Temporal dev server',
  builder: (y) =>
    y
      .positional('action', { choices: ['start', 'stop', 'status'] as const, demandOption: true })
      .example('$0 server start', 'start it (runs survive restarts: SQLite file under .labor-llm/temporal)')
      .example('$0 server status', ''),
  handler: async (args) => {
    const [{ readSettings }, { isServing, serverOptions, serverPid, startServer, stopServer }, { say, UsageError }] = await Promise.all([
      import('../../lib/env'), import('../../temporal/server'), import('../output'),
    ]);
    const settings = readSettings();
    const o = serverOptions(settings);
    if (!settings.embedded && args.action !== 'status') {
      throw new UsageError(`TEMPORAL_ADDRESS is set (${settings.temporalAddress}): that server is not managed by labor-llm`);
    }
    if (args.action === 'start') {
      const { started, address, pid } = await startServer(o);
      say(started ? `started on ${address} (pid ${pid}); Web UI ${settings.uiUrl}` : `already serving on ${address}; Web UI ${settings.uiUrl}`);
    } else if (args.action === 'stop') {
      say((await stopServer(o)) ? 'stopped' : `not running (no pid file in ${o.stateDir}${(await isServing(settings.temporalAddress)) ? `; ${settings.temporalAddress} is served by a process labor-llm did not start` : ''})`);
    } else {
      const up = await isServing(settings.temporalAddress);
      say(`${settings.temporalAddress}: ${up ? 'serving' : 'not serving'}`);
      if (settings.embedded) {
        say(`  pid       ${serverPid(o) ?? '-'}`);
        say(`  database  ${o.stateDir}/temporal.db`);
        say(`  log       ${o.stateDir}/server.log`);
        say(`  Web UI    ${settings.uiUrl}`);
      }
    }
  },
};
