// Running the built command line as a user would (a child process, so a stack overflow or a hang
// shows as what a user sees), for the hostile-input suites.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

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

/** `dirtyrace ARGV...`, with only a hang guard (the limit and signal suites run longer searches). */
export function cli(...argv: string[]): Run {
  return dirtyrace(argv, { killAfterMs: 600_000 });
}

/** Writes `text` to a fresh temporary directory as `name`: its path. */
export const scenarioFile = (name: string, text: string): string => scenario(name, text);

/** Five counters (about a million states a second, 15 M in all without reductions): a search that runs for a while. */
export const LONG_SEARCH = `use x86_64;
page P { present: true, write: true, pfn: F0 }
frame F0;
int[0..15] a = 0; int[0..15] b = 0; int[0..15] c = 0; int[0..15] d = 0; int[0..15] e = 0;
cpu w0 { while (a < 15) bound 15 { a = a + 1; } }
cpu w1 { while (b < 15) bound 15 { b = b + 1; } }
cpu w2 { while (c < 15) bound 15 { c = c + 1; } }
cpu w3 { while (d < 15) bound 15 { d = d + 1; } }
cpu w4 { while (e < 15) bound 15 { e = e + 1; } write P; }
invariant bounded: a + b + c + d + e <= 75;
`;

/** Starts the CLI; `untilStderr` resolves when stderr matches, `exit` when the process ends. */
export function start(...argv: string[]): { child: ChildProcess; untilStderr(re: RegExp): Promise<void>; exit: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [MAIN, ...argv]);
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => {
    stderr += d;
    for (const w of waiters.splice(0)) (w.re.test(stderr) ? w.resolve() : waiters.push(w));
  });
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return {
    child, exit,
    untilStderr: (re) => new Promise((resolve, reject) => {
      if (re.test(stderr)) return resolve();
      waiters.push({ re, resolve });
      void exit.then(() => reject(new Error(`ended before stderr matched ${re}:\n${stderr}`)));
    }),
  };
}
