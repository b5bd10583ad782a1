// Hostile file systems (issue 12, items 7, 10, 11): what sits under a checked directory is
// reported entry by entry, never read unless it is a regular file, and the rest is checked;
// checking nothing and unwritable report paths are exit 2 with a message.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dirtyrace, HEADER, scratchDir, STACK } from './cli.js';

const OK = `${HEADER}cpu a { write P; }\n`;

/** A directory with one good scenario and every kind of entry that cannot be checked. */
function hostileTree(): string {
  const dir = scratchDir();
  const d = join(dir, 'scenarios');
  mkdirSync(d);
  writeFileSync(join(d, 'ok.race'), OK);
  spawnSync('mkfifo', [join(d, 'fifo.race')]);
  symlinkSync('nowhere.race', join(d, 'dangling.race'));
  symlinkSync('loop2.race', join(d, 'loop1.race'));
  symlinkSync('loop1.race', join(d, 'loop2.race'));
  symlinkSync('..', join(d, 'parent')); // a directory cycle
  symlinkSync('/proc/self/mem', join(d, 'eio.race')); // a "regular file" whose read fails
  mkdirSync(join(d, 'isdir.race'));
  writeFileSync(join(d, 'isdir.race', 'inner.race'), OK);
  writeFileSync(join(d, 'noperm.race'), OK);
  chmodSync(join(d, 'noperm.race'), 0o000);
  mkdirSync(join(d, 'locked'));
  writeFileSync(join(d, 'locked', 'hidden.race'), OK);
  chmodSync(join(d, 'locked'), 0o000);
  chmodSync(dir, 0o755);
  return d;
}

/**
 * Permissions do not stop root: as root, run the command without the capabilities that bypass
 * them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH; util-linux's setpriv), so the files' own mode bits
 * apply wherever the checkout lives (a `nobody` process could not even read a checkout in /root).
 */
function asUser(args: string[]) {
  if (process.getuid?.() !== 0) return dirtyrace(args);
  const main = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
  const drop = '-dac_override,-dac_read_search';
  const r = spawnSync('setpriv', [`--inh-caps=${drop}`, `--bounding-set=${drop}`, process.execPath, main, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`setpriv (util-linux) is needed to test permissions as root: ${r.error.message}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('items 7 and 10: entries under a checked directory', () => {
  it('reports each entry that cannot be checked, never blocks on a FIFO, and checks the rest', () => {
    const d = hostileTree();
    const r = asUser(['check', d]);
    expect(r.code, r.stderr).toBe(2); // the hang guard above kills a blocked run: code null
    expect(r.stdout).not.toMatch(STACK);
    const err = (name: string, why: string) => expect(r.stdout).toContain(`${join(d, name)}:1:1: error: cannot check this file: ${why}`);
    err('fifo.race', 'a FIFO, not read');
    err('dangling.race', 'a dangling symbolic link');
    err('loop1.race', 'too many levels of symbolic links');
    err('loop2.race', 'too many levels of symbolic links');
    err('eio.race', 'input/output error');
    err('noperm.race', 'permission denied');
    expect(r.stdout).toContain(`${join(d, 'locked')}:1:1: error: cannot check this file: cannot read the directory: permission denied`);
    expect(r.stdout).toMatch(/^PASS +.*\/ok\.race {2}holds/m);
    expect(r.stdout).toMatch(/^PASS +.*\/isdir\.race\/inner\.race {2}holds/m);
    // The cycle through parent/ is walked once: ok.race is checked once.
    expect(r.stdout).toContain('9 checked: 2 passed, 0 failed, 0 inconclusive, 7 errors');
  });

  it('puts those errors in JSON, JUnit and SARIF too', () => {
    const d = hostileTree();
    const outDir = scratchDir();
    const out = join(outDir, 'r');
    const r = asUser(['check', '--format', 'json', '--junit', `${out}.xml`, '--sarif', `${out}.sarif`, d]);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    const fifo = doc.results.find((x: { file: string }) => x.file.endsWith('fifo.race'));
    expect(fifo.error).toMatchObject({ line: 1, col: 1, message: 'cannot check this file: a FIFO, not read' });
    expect(readFileSync(`${out}.xml`, 'utf8')).toMatch(/<testsuite name="[^"]*fifo\.race"[^>]* errors="1"[\s\S]*?<error message="cannot check this file: a FIFO, not read"/);
    const sarif = JSON.parse(readFileSync(`${out}.sarif`, 'utf8'));
    expect(sarif.runs[0].results.filter((x: { ruleId: string }) => x.ruleId === 'bad-input')).toHaveLength(7);
  });

  it('a FIFO given on the command line and /dev/null are refused, not read', () => {
    const dir = scratchDir();
    spawnSync('mkfifo', [join(dir, 'p.race')]);
    const r = dirtyrace(['check', join(dir, 'p.race')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('p.race:1:1: error: cannot check this file: a FIFO, not read');
    // `export` reads its scenario the same way.
    const e = dirtyrace(['export', '--promela', join(dir, 'p.race'), '-']);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('p.race:1:1: error: cannot check this file: a FIFO, not read');
    const n = dirtyrace(['check', '/dev/null']);
    expect(n.code).toBe(2);
    expect(n.stderr).toContain('/dev/null:1:1: error: cannot check this file: a device, not read');
  });

  it('an unreadable model file is an error at the use line', () => {
    const dir = scratchDir();
    mkdirSync(join(dir, 'mylib.lib'));
    const f = join(dir, 's.race');
    writeFileSync(f, `use x86_64;\nuse mylib;\n${OK.slice(OK.indexOf('\n') + 1)}`);
    const r = dirtyrace(['check', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`s.race:2:5: error: cannot read ${join(dir, 'mylib.lib')}: a directory, not read`);
  });
});

describe('item 10: report files that cannot be written', () => {
  for (const flag of ['--junit', '--sarif', '--html']) {
    it(`${flag} into a file under a regular file: exit 2 with a message, results still printed`, () => {
      const dir = scratchDir();
      const f = join(dir, 'ok.race');
      writeFileSync(f, OK);
      const r = dirtyrace(['check', flag, join(f, 'report'), f]);
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/^holds {2}all properties/);
      expect(r.stderr).toBe(`dirtyrace: cannot write ${join(f, 'report')}: a file is in the way of a directory\n`);
    });
  }
});

describe('item 11: checking nothing is exit 2', () => {
  it('an empty directory, a directory of other files, an empty --arch list', () => {
    const dir = scratchDir();
    const empty = dirtyrace(['check', dir]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(`dirtyrace: nothing to check: no .race file in ${dir}`);
    writeFileSync(join(dir, 'notes.txt'), 'x');
    expect(dirtyrace(['check', dir]).code).toBe(2);
    const f = join(dir, 'ok.race');
    writeFileSync(f, OK);
    for (const arch of [',,,', '', ' , ']) {
      const r = dirtyrace(['check', '--arch', arch, f]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`dirtyrace: --arch names no architecture, found '${arch}'`);
    }
  });

  it('with --format json, a missing path or nothing to check still prints a JSON document', () => {
    const dir = scratchDir();
    for (const path of [join(dir, 'missing.race'), dir]) {
      const r = dirtyrace(['check', '--format', 'json', path]);
      expect(r.code).toBe(2);
      const doc = JSON.parse(r.stdout);
      expect(doc).toMatchObject({ schemaVersion: 1, exit: 2, results: [] });
      expect(doc.error).toMatch(/no such file or directory|nothing to check/);
    }
  });
});
