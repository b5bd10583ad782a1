// The command line: argv → the command → its exit status.
import { parseArgs } from 'node:util';
import { escapeControls } from '../report/escape.js';
import { JSON_SCHEMA_VERSION } from '../report/json.js';
import { EXIT } from '../run/exit.js';
import { MissingPath } from '../run/files.js';
import { toolVersion } from '../run/version.js';
import { CHECK_FLAGS, CHECK_USAGE, runCheck } from './check.js';
import { UsageError, type Io } from './usage.js';

export type { Io } from './usage.js';

const USAGE = `usage: dirtyrace check [options] PATH...
       dirtyrace explain [options] PATH...
       dirtyrace simulate [--seed S] [--steps N] FILE
       dirtyrace init TEMPLATE [FILE]
       dirtyrace export --promela [--arch A] [--models DIR] FILE OUT
       dirtyrace crosscheck [--models DIR] [--fast] PATH...
       dirtyrace worker --distributed URL --partitions N --partition I [--run NAME]
       dirtyrace lsp [--stdio]
       dirtyrace --help | --version

commands:
  check       check every scenario file (*.race) given or found under the given directories
  explain     check --explain: also, for each violation, where each step of the shortest
              counterexample can move and which orderings between CPUs the violation needs
  simulate    one random run of a scenario, reproducible from its seed (dirtyrace simulate --help)
  init        write a starting scenario of a usual shape: deferred-flush, fault-vs-cleaner,
              mmu-gather (dirtyrace init --help)
  export      write a scenario's Promela translation (dirtyrace export --help)
  crosscheck  check scenarios with dirtyrace and with SPIN and compare (dirtyrace crosscheck --help)
  lsp         a language server on stdin/stdout, for editors (dirtyrace lsp --help)
  worker      one partition process of check --distributed (dirtyrace worker --help)

options of check and explain:
${CHECK_USAGE}
  -h, --help          this text
  --version           the tool version

exit status: 0 every expectation met; 1 a property violated or an expectation missed;
2 bad input (the error is printed as file:line:col with a caret); 3 inconclusive (a limit was
reached first, or SIGINT/SIGTERM stopped the search); 4 internal error (a bug in dirtyrace:
please report it); 130 a second SIGINT/SIGTERM`;

export async function runCli(argv: readonly string[], raw: Io): Promise<number> {
  // No scenario text reaches the terminal unescaped (src/report/escape.ts).
  const io: Io = { ...raw, stdout: (s) => raw.stdout(escapeControls(s)), stderr: (s) => raw.stderr(escapeControls(s)), terminal: raw.terminal ?? raw.stderr };
  // The other commands are loaded only when asked for: `check` need not load their modules (the
  // language server's protocol library, the Promela export, the simulator), which costs start-up.
  if (argv[0] === 'export') return (await import('./export.js')).runExport(argv.slice(1), io);
  if (argv[0] === 'crosscheck') return (await import('./crosscheck.js')).runCrosscheck(argv.slice(1), io);
  if (argv[0] === 'simulate') return (await import('./simulate.js')).runSimulate(argv.slice(1), io);
  if (argv[0] === 'worker') return (await import('./worker.js')).runWorker(argv.slice(1), io);
  if (argv[0] === 'init') return (await import('./init.js')).runInit(argv.slice(1), io);
  if (argv[0] === 'lsp') return (await import('../lsp/server.js')).runLsp(argv.slice(1), io);
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
    if (command === 'explain') return await runCheck({ ...values, explain: true }, paths, io, argv);
    if (command !== 'check') throw new UsageError(command === undefined ? 'no command given' : `unknown command '${command}'`);
    return await runCheck(values, paths, io, argv);
  } catch (e) {
    if (!(e instanceof UsageError || e instanceof MissingPath)) throw e;
    // With --format json a script reads stdout: it gets a document there too (docs/JSON.md).
    if (values.format === 'json') {
      io.stdout(`${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, tool: { name: 'dirtyrace', version: toolVersion() }, exit: EXIT.badInput, error: e.message, results: [] }, null, 2)}\n`);
      io.stderr(`dirtyrace: ${e.message}\n`);
    } else io.stderr(`dirtyrace: ${e.message}\n\n${USAGE}\n`);
    return EXIT.badInput;
  }
}
