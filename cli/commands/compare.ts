import type { CommandModule } from 'yargs';

interface Args {
  runs: string[];
  reference?: string;
  json: boolean;
  markdown?: string;
  bootstrap?: number;
  seed: number;
}

export const compareCommand: CommandModule<object, Args> = {
  command: 'compare <runs..>',
  describe: 'One table of every model of finished runs: metrics with intervals, and paired excess log-loss against the oracle and a reference model',
  builder: (y) =>
    y
      .positional('runs', { type: 'string', array: true, demandOption: true, describe: 'run ids (printed by `run`, listed by `list`)' })
      .option('reference', {
        type: 'string',
        describe: "the model the others are paired against: 'model', 'step:model' or 'run/step:model' (one model); 'none' for no reference. Default: the first run's first evaluate step's model",
      })
      .option('json', { type: 'boolean', default: false, describe: 'print the table as JSON' })
      .option('markdown', { type: 'string', describe: 'also write the table as Markdown to this file' })
      .option('bootstrap', { type: 'number', describe: 'replicates of the paired person bootstrap (0: no intervals; default 200)' })
      .option('seed', { type: 'number', default: 0, describe: 'seed of the paired bootstrap' })
      .example('$0 compare quickstart-1a2b3c4d5e', '')
      .example('$0 compare run-a run-b --reference run-a/evaluate:model --markdown compare.md', ''),
  handler: async (args) => {
    const [{ findRun, openSession }, { say, warn, statusName, UsageError }, { runOutcome }] = await Promise.all([
      import('../session'), import('../output'), import('../run-outcome'),
    ]);
    if (args.bootstrap !== undefined && !(Number.isInteger(args.bootstrap) && args.bootstrap >= 0)) {
      throw new UsageError(`--bootstrap: expected a non-negative integer, found ${args.bootstrap}`);
    }
    if (!Number.isInteger(args.seed)) throw new UsageError(`--seed: expected an integer, found ${args.seed}`);
    const runs: { id: string; manifestPath: string }[] = [];
    const session = await openSession({ startServer: false });
    try {
      for (const typed of args.runs) {
        const found = await findRun(session, typed);
        const { state, manifestPath } = await runOutcome(session, found);
        if (state !== 'COMPLETED') {
          throw new UsageError(`run ${found.name} is ${statusName(state)}: compare reads finished runs only`, [`\`labor-llm status ${found.name}\` shows where it stands`]);
        }
        if (!manifestPath) throw new UsageError(`run ${found.name} has no manifest: it finished without writing one`);
        runs.push({ id: found.name, manifestPath });
      }
    } finally {
      await session.close();
    }

    const [{ compareRuns, formatCompareMarkdown, formatCompareText }, { writeFileAtomic }, { resolve }] = await Promise.all([
      import('../../lib/compare'), import('../../lib/artifacts/atomic'), import('node:path'),
    ]);
    const table = compareRuns(runs, { reference: args.reference === 'none' ? null : args.reference, bootstrap: args.bootstrap, seed: args.seed });
    // Everything is computed before anything is written: a bad input leaves no half a file.
    if (args.markdown) {
      const file = resolve(args.markdown);
      writeFileAtomic(file, formatCompareMarkdown(table));
      (args.json ? warn : say)(`markdown: ${file}`);
    }
    say(args.json ? JSON.stringify(table, null, 2) : formatCompareText(table).trimEnd());
  },
};
