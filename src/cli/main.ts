#!/usr/bin/env node
// The `dirtyrace` executable.
import { escapeControls } from '../report/escape.js';
import { EXIT } from '../run/exit.js';
import { runCli } from './run.js';

// A reader that closes early (`dirtyrace check F | head`) is not an error: stop writing to it and
// finish the run, which exits with its own status.
let stdoutClosed = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  stdoutClosed = true;
});

runCli(process.argv.slice(2), {
  stdout: (s) => { if (!stdoutClosed) process.stdout.write(s); },
  stderr: (s) => process.stderr.write(s),
  stderrIsTTY: process.stderr.isTTY === true,
}).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(escapeControls(`dirtyrace: internal error: ${e instanceof Error ? e.message : String(e)}\n`));
    process.exitCode = EXIT.internal;
  },
);
