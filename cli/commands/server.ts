import type { CommandModule } from 'yargs';
import { readSettings } from '../../lib/env';
import { isServing, serverOptions, serverPid, startServer, stopServer } from '../../temporal/server';
import { say } from '../output';

export const serverCommand: CommandModule<object, { action: 'start' | 'stop' | 'status' }> = {
  command: 'server <action>',
  describe: 'Start, stop or check the embedded Temporal dev server',
  builder: (y) =>
    y
      .positional('action', { choices: ['start', 'stop', 'status'] as const, demandOption: true })
      .example('$0 server start', 'start it (runs survive restarts: SQLite file under .labor-llm/temporal)')
      .example('$0 server status', ''),
  handler: async (args) => {
    const settings = readSettings();
    const o = serverOptions(settings);
    if (!settings.embedded && args.action !== 'status') {
      throw new Error(`TEMPORAL_ADDRESS is set (${settings.temporalAddress}): that cluster is not managed by labor-llm`);
    }
    if (args.action === 'start') {
      const { started, address, pid } = await startServer(o);
      say(started ? `started on ${address} (pid ${pid}); Web UI ${settings.uiUrl}` : `already serving on ${address}; Web UI ${settings.uiUrl}`);
    } else if (args.action === 'stop') {
      say((await stopServer(o)) ? 'stopped' : 'not running (no pid file)');
    } else {
      const up = await isServing(settings.temporalAddress);
      say(`${settings.temporalAddress}: ${up ? 'serving' : 'not serving'}${settings.embedded ? `; pid ${serverPid(o) ?? '-'}; database ${o.stateDir}/temporal.db; Web UI ${settings.uiUrl}` : ''}`);
    }
  },
};
