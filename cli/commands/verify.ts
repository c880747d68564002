import type { CommandModule } from 'yargs';

interface Args {
  run: string;
}

export const verifyCommand: CommandModule<object, Args> = {
  command: 'verify <run>',
  describe: "Re-hash every artifact of a run and the model folders it read, trusting no recorded size or mtime; exit 1 if any changed or is missing",
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'a run id (printed by `run`, listed by `list`)' })
      .example('$0 verify quickstart-1a2b3c4d5e', ''),
  handler: async (args) => {
    const [{ findRun, openSession }, { say, UsageError }, { runOutcome }, { activityDeps }, { verifyRun, formatVerify }] = await Promise.all([
      import('../session'), import('../output'), import('../run-outcome'), import('../../activities/deps'), import('../verify-run'),
    ]);
    const session = await openSession({ startServer: false });
    let found: { name: string; manifestPath: string };
    try {
      const run = await findRun(session, args.run);
      const { manifestPath } = await runOutcome(session, run);
      if (!manifestPath) throw new UsageError(`run ${run.name} has no manifest yet: nothing to verify`, [`\`labor-llm status ${run.name}\` shows where it stands`]);
      found = { name: run.name, manifestPath };
    } finally {
      await session.close();
    }
    const items = await verifyRun(found.manifestPath, activityDeps(session.settings).store);
    say(items.length ? formatVerify(items) : `run ${found.name}: no artifacts to verify`);
    if (items.some((i) => i.state !== 'ok')) process.exitCode = 1;
  },
};
