import type { CommandModule } from 'yargs';

interface Args {
  runs: string[];
  out?: string;
  open: boolean;
}

export const reportCommand: CommandModule<object, Args> = {
  command: 'report <runs..>',
  describe: 'Write one self-contained HTML report of finished runs (one run, or several compared) and print its summary',
  builder: (y) =>
    y
      .positional('runs', { type: 'string', array: true, demandOption: true, describe: 'run ids (printed by `run`, listed by `list`)' })
      .option('out', { type: 'string', describe: 'the HTML file to write (default: reports/<runs>.html in the store)' })
      .option('open', { type: 'boolean', default: false, describe: 'open the report in the default browser' })
      .example('$0 report quickstart-1a2b3c4d5e', 'report one run')
      .example('$0 report run-a run-b --out compare.html', 'compare two runs on one page'),
  handler: async (args) => {
    const [{ openSession }, { say, UsageError }, { gatherRunReport, writeReport }] = await Promise.all([
      import('../session'), import('../output'), import('../run-report'),
    ]);
    const twice = args.runs.find((r, i) => args.runs.indexOf(r) !== i);
    if (twice) throw new UsageError(`run ${twice} is named twice: name each run once`);
    const session = await openSession({ startServer: false });
    try {
      const runs = [];
      for (const typed of args.runs) runs.push(await gatherRunReport(session, typed));
      const { path, markdown } = await writeReport(session, runs, args.out);
      say(markdown);
      say(`report: ${path}`);
      if (args.open) openInBrowser(path);
    } finally {
      await session.close();
    }
  },
};

async function openInBrowser(path: string): Promise<void> {
  const { spawn } = await import('node:child_process');
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  spawn(opener, [path], { detached: true, stdio: 'ignore' })
    .on('error', () => process.stderr.write(`(could not start ${opener}; open ${path} yourself)\n`))
    .unref();
}
