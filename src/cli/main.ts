#!/usr/bin/env node
// The `dirtyrace` executable.
import { escapeControls } from '../report/escape.js';
import { EXIT } from '../run/exit.js';
import { runCli } from './run.js';

runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stderrIsTTY: process.stderr.isTTY === true,
}).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(escapeControls(`dirtyrace: internal error: ${e instanceof Error ? e.message : String(e)}\n`));
    process.exitCode = EXIT.internal;
  },
);
