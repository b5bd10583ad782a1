// Running the built command line as a user would (a child process, so a stack overflow or a hang
// shows as what a user sees), for the hostile-input suites.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

export interface Run { readonly code: number | null; readonly stdout: string; readonly stderr: string }

/** `dirtyrace ARGS` in `cwd`; a run that has not ended after `killAfterMs` is killed (code null). */
export function dirtyrace(args: readonly string[], opts: { cwd?: string; killAfterMs?: number } = {}): Run {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: opts.cwd, encoding: 'utf8', timeout: opts.killAfterMs ?? 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'dirtyrace-hostile-'));
}

/** Writes `text` to `name` in a fresh directory and returns its path. */
export function scenario(name: string, text: string | Buffer): string {
  const path = join(scratchDir(), name);
  writeFileSync(path, text);
  return path;
}

/** Nothing printed looks like a JavaScript stack trace. */
export const STACK = /\n\s+at .+:\d+:\d+\)?\n|Maximum call stack|RangeError|TypeError/;

export const HEADER = 'use x86_64;\npage P { present: true, write: true, pfn: F0 }\nframe F0;\nint[0..3] x = 0;\nbool b = false;\n';
