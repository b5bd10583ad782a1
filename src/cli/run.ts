// The command line: argv → the command → its exit status.
import { parseArgs } from 'node:util';
import { EXIT } from '../run/exit.js';
import { MissingPath } from '../run/files.js';
import { toolVersion } from '../run/version.js';
import { CHECK_FLAGS, CHECK_USAGE, runCheck } from './check.js';
import { runCrosscheck } from './crosscheck.js';
import { runExport } from './export.js';
import { UsageError, type Io } from './usage.js';

export type { Io } from './usage.js';

const USAGE = `usage: dirtyrace check [options] PATH...
       dirtyrace --help | --version

Checks every scenario file (*.race) given or found under the given directories.

options:
${CHECK_USAGE}
  -h, --help          this text
  --version           the tool version

exit status: 0 every expectation met; 1 a property violated or an expectation missed;
2 bad input (the error is printed as file:line:col with a caret); 3 inconclusive (a limit was
reached first, or SIGINT/SIGTERM stopped the search); 4 internal error (a bug in dirtyrace:
please report it); 130 a second SIGINT/SIGTERM`;

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  if (argv[0] === 'export') return runExport(argv.slice(1), io);
  if (argv[0] === 'crosscheck') return runCrosscheck(argv.slice(1), io);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv], allowPositionals: true, strict: true,
      options: { ...CHECK_FLAGS, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } },
    });
  } catch (e) {
    io.stderr(`dirtyrace: ${(e as Error).message}\n\n${USAGE}\n`);
    return EXIT.badInput;
  }
  const { values, positionals } = parsed;
  if (values.help) { io.stdout(`${USAGE}\n`); return EXIT.ok; }
  if (values.version) { io.stdout(`dirtyrace ${toolVersion()}\n`); return EXIT.ok; }
  const [command, ...paths] = positionals;
  try {
    if (command !== 'check') throw new UsageError(command === undefined ? 'no command given' : `unknown command '${command}'`);
    return await runCheck(values, paths, io, argv);
  } catch (e) {
    if (e instanceof UsageError || e instanceof MissingPath) { io.stderr(`dirtyrace: ${e.message}\n\n${USAGE}\n`); return EXIT.badInput; }
    throw e;
  }
}
