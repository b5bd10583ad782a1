// Golden output: every bundled scenario and proof, checked by the built `dirtyrace` binary under
// each combination of reductions and with one and two threads, must print JSON identical to the
// committed files in test/golden/ (times and the checkout's absolute path removed). It pins the
// whole pipeline's observable behaviour, so a refactoring that changes no behaviour changes no
// golden file. After an intended change of behaviour, regenerate with
//   UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts
// and review the diff of test/golden/ like any other change.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const GOLDEN = join(ROOT, 'test', 'golden');
const run = promisify(execFile);
const bin = join(ROOT, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { dirtyrace: string } }).bin.dirtyrace);

/**
 * Each configuration: its golden file's name and the flags. Two threads must print exactly what
 * one thread prints, so they share the one-thread files.
 */
const CONFIGS: readonly (readonly [string, readonly string[]])[] = [
  ['default', []],
  ['no-symmetry', ['--no-symmetry']],
  ['no-por', ['--no-por']],
  ['no-reductions', ['--no-symmetry', '--no-por']],
  ['hash-compact', ['--hash-compact']],
  ['default', ['--threads', '2']],
  ['no-reductions', ['--threads', '2', '--no-symmetry', '--no-por']],
];

/** The JSON document with what legitimately varies between runs taken out. */
function normalize(text: string): unknown {
  return JSON.parse(text.split(ROOT).join('<root>'), (k, v) => (k === 'ms' ? undefined : v));
}

async function check(flags: readonly string[]): Promise<unknown> {
  const r = await run(process.execPath, [bin, 'check', '--format', 'json', ...flags, 'scenarios', 'proofs'], { cwd: ROOT, maxBuffer: 1 << 28 })
    .catch((e: { stdout?: string; code?: number }) => {
      // A violated expectation would exit 1; the bundled files all meet theirs.
      throw new Error(`dirtyrace exited ${e.code}: ${e.stdout?.slice(0, 2000)}`);
    });
  return normalize(r.stdout);
}

describe('golden JSON of every bundled scenario and proof', () => {
  const update = process.env.UPDATE_GOLDEN === '1';
  for (const [name, flags] of CONFIGS) {
    it(`${flags.join(' ') || 'default flags'}: test/golden/${name}.json`, async () => {
      const doc = await check(flags);
      const file = join(GOLDEN, `${name}.json`);
      if (update && !flags.includes('--threads')) {
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
      }
      expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
      expect(doc).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    });
  }
});
