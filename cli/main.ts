/**
 * The `labor-llm` command line. Each command lives in its own module and loads what it needs
 * (Temporal SDK, activities, data code) inside its handler: `--help` and `validate` start fast.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { reportError } from './output';
import { runCommand } from './commands/run';
import { validateCommand } from './commands/validate';
import { resumeCommand } from './commands/resume';
import { statusCommand } from './commands/status';
import { listCommand } from './commands/list';
import { cancelCommand } from './commands/cancel';
import { workerCommand } from './commands/worker';
import { serverCommand } from './commands/server';
import { dataCommand } from './commands/data';
import { reportCommand } from './commands/report';
import { compareCommand } from './commands/compare';
import { verifyCommand } from './commands/verify';

const width = Math.min(110, Math.max(80, process.stdout.columns ?? 100));

// `labor-llm list | head`: a reader that stops early is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

try {
  await yargs(hideBin(process.argv))
    .scriptName('labor-llm')
    .usage('$0 <command> [options]\n\nCareer prediction with language models, run as durable Temporal experiments.')
    .command(runCommand)
    .command(validateCommand)
    .command(resumeCommand)
    .command(statusCommand)
    .command(listCommand)
    .command(cancelCommand)
    .command(workerCommand)
    .command(serverCommand)
    .command(dataCommand)
    .command(reportCommand)
    .command(compareCommand)
    .command(verifyCommand)
    .demandCommand(1, 'name a command: see --help')
    .strict()
    .wrap(width)
    .epilogue('Exit codes: 0 success, 1 the run failed, 2 invalid input (config or data).\nWith no TEMPORAL_ADDRESS set, a Temporal dev server is started on 127.0.0.1 (Web UI http://127.0.0.1:8233).')
    .fail((msg, err, y) => {
      if (err) throw err;
      process.stderr.write(`${y.help()}\n\nerror: ${msg}\n`);
      process.exit(2);
    })
    .parseAsync();
} catch (err) {
  process.exitCode = reportError(err);
}
