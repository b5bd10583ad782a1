// Hostile scenario text (issue 12, items 9, 14, 15): deep nesting, terminal escapes, odd
// encodings and line endings, NUL, and forms the documentation forbids. Each ends in a verdict or
// a located error (exit 2, `file:line:col`), never a stack trace or exit 4.
import { describe, expect, it } from 'vitest';
import { dirtyrace, HEADER, scenario, STACK } from './cli.js';

/** A located error at line `line`, exit 2, nothing like a stack trace. */
function expectLocated(r: { code: number | null; stdout: string; stderr: string }, path: string, line: number | string, message: RegExp) {
  expect(r.code, r.stdout + r.stderr).toBe(2);
  expect(r.stderr).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+: error: `));
  expect(r.stderr).toMatch(message);
  expect(r.stdout + r.stderr).not.toMatch(STACK);
}

describe('item 9: deep nesting is a located error, not a stack overflow', () => {
  const cases: [string, string, number][] = [
    ['1 000 chained else if', `cpu a {\nif (x == 0) { x = 1; }\n${'else if (x == 1) { x = 2; }\n'.repeat(1000)}}\n`, 0],
    ['! x 1 000', `cpu a { b = ${'!'.repeat(1000)}b; }\n`, 6],
    ['a 1 000-term ||', `cpu a { b = b${' || b'.repeat(1000)}; }\n`, 6],
    ['1 000 nested ?:', `cpu a { x = ${'b ? 1 : '.repeat(1000)}0; }\n`, 6],
    ['1 000 parentheses', `cpu a { b = ${'('.repeat(1000)}b${')'.repeat(1000)}; }\n`, 6],
    ['1 000 nested if without braces', `cpu a { ${'if (b) '.repeat(1000)}skip; }\n`, 6],
    ['1 000 labels', `cpu a { ${'l: '.repeat(1000)}skip; }\n`, 6],
  ];
  for (const [what, body, line] of cases) {
    it(what, () => {
      const f = scenario('deep.race', HEADER + body);
      const r = dirtyrace(['check', f]);
      // The else-if chain is refused at its 99th branch (each adds `else` and `if`).
      expectLocated(r, f, line || 105, /nested deeper than 200 levels/);
      // The excerpt of a long line is the part around the column, not the whole line.
      expect(r.stderr.length).toBeLessThan(600);
      expect(r.stderr.split('\n')[3]!.indexOf('^')).toBeGreaterThan(0);
    });
  }

  it('a chain of 1 000 procedures or functions, each small, is refused at the call that nests too deep', () => {
    const procs = `proc p0() { if (b) { x = 1; } }\n${Array.from({ length: 1000 }, (_, i) => `proc p${i + 1}() { if (b) { p${i}(); } }\n`).join('')}cpu a { p1000(); }\n`;
    const fns = `fn f0(v: bool) -> bool { return !v; }\n${Array.from({ length: 1000 }, (_, i) => `fn f${i + 1}(v: bool) -> bool { return !f${i}(v); }\n`).join('')}cpu a { b = f1000(b); }\n`;
    for (const body of [procs, fns]) {
      const f = scenario('chain.race', HEADER + body);
      const r = dirtyrace(['check', f]);
      expectLocated(r, f, 927, /calls nested too deeply: inlining '[pf]920' here nests the program deeper than 400 levels/);
      expect(r.stderr).toMatch(/the calls in progress: [pf]1000 > [pf]999 > /);
    }
  });

  it('nesting just inside the bounds checks, under every engine option and in the Promela export', () => {
    // Three levels of 180 (the CPU, p2, p1), with a violation so the trace is rendered too.
    const ifs = 'if (!b) '.repeat(180);
    const text = `${HEADER}proc p1() { x = ${'-'.repeat(90)}-1 + 2; }\nproc p2() { ${ifs}p1(); }\ncpu a { ${ifs}p2(); }\ninvariant small: x == 0;\n`;
    const f = scenario('inside.race', text);
    for (const opts of [[], ['--threads', '2'], ['--no-por', '--no-symmetry']]) {
      const r = dirtyrace(['check', ...opts, f]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/violated {2}small/);
    }
    const out = dirtyrace(['export', '--promela', f, '-']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('proctype');
  });

  it('the bound counts no comments', () => {
    const f = scenario('comment.race', `${HEADER}// ${'((((('.repeat(200)}\n/* ${'!'.repeat(500)} */\ncpu a { skip; }\n`);
    expect(dirtyrace(['check', f]).code).toBe(0);
  });
});

describe('item 14: control characters are escaped in everything printed', () => {
  const ESC = '\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e';

  it('in a trace, a summary line and a file name', () => {
    const f = scenario(`name${ESC}.race`, `${HEADER}cpu a { x = 1 /* ${ESC} */; }\ninvariant zero: x == 0;\n`);
    for (const args of [['check', f], ['check', f, f]]) {
      const r = dirtyrace(args);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
      expect(r.stdout).toContain('\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m\\u202e');
    }
  });

  it('in a located error, and JSON output stays valid and keeps the text', () => {
    const f = scenario('err.race', `${HEADER}cpu a { x = ; } // ${ESC}\n`);
    const r = dirtyrace(['check', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/err.race:6:13: error: /);
    expect(r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
    expect(r.stderr).toContain('// \\u001b]0;pwned');
    const g = scenario(`json${ESC}.race`, `${HEADER}cpu a { x = 1; }\n`);
    const j = dirtyrace(['check', '--format', 'json', g]);
    expect(j.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
    expect(JSON.parse(j.stdout).results[0].file).toBe(g);
  });
});

describe('item 15: encodings, line endings and forms the documentation forbids', () => {
  it('a UTF-8 byte-order mark is accepted, and takes no column', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const f = scenario('bom.race', Buffer.concat([bom, Buffer.from(`${HEADER}cpu a { write P; }\n`)]));
    const r = dirtyrace(['check', f]);
    expect(r.code, r.stderr).toBe(0);
    const g = scenario('bom.race', Buffer.concat([bom, Buffer.from('use x86_64 x;\n')]));
    expectLocated(dirtyrace(['check', g]), g, 1, /^\S+:1:12: error: syntax error/);
  });

  it('CR-only and CRLF line endings give the right line numbers (and no stray CR in the excerpt)', () => {
    for (const eol of ['\r', '\r\n']) {
      const text = `${HEADER}// a comment\ncpu a {\n  x = ;\n}\n`.replace(/\n/g, eol);
      const f = scenario('cr.race', text);
      const r = dirtyrace(['check', f]);
      expectLocated(r, f, 8, /syntax error: expected/);
      expect(r.stderr).toContain('8 |   x = ;\n');
    }
  });

  it('NUL is not whitespace: a located error', () => {
    const f = scenario('nul.race', `${HEADER}cpu a {\0 write P; }\n`);
    expectLocated(dirtyrace(['check', f]), f, 6, /syntax error: expected .*found '\\u0000/);
  });

  it('a library used twice is reported at the scenario\'s second use line', () => {
    const f = scenario('twice.race', `use x86_64;\nuse linux;\nuse linux;\n${HEADER.slice(HEADER.indexOf('\n') + 1)}cpu a { write P; }\n`);
    const r = dirtyrace(['check', f]);
    expectLocated(r, f, 3, /library 'linux' is already used at line 2/);
    expect(r.stderr).not.toContain('linux.lib');
  });

  it('a fn reading a global, a PTE or a frame is a located error; through its arguments it may', () => {
    for (const [body, what] of [['v && b', "the global 'b'"], ['v && pte_dirty(ptep_get(P))', 'a PTE'], ['v && F0.version == 0', "a frame's version"]] as const) {
      const f = scenario('fn.race', `${HEADER}fn f(v: bool) -> bool { return ${body}; }\ncpu a { let y = f(true); write P; }\n`);
      const r = dirtyrace(['check', f]);
      expectLocated(r, f, 6, new RegExp(`function 'f' reads ${what.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: a fn may read only its arguments`));
    }
    // Never called, it is still checked.
    const unused = scenario('fn.race', `${HEADER}fn f(v: bool) -> bool { return v && b; }\ncpu a { write P; }\n`);
    expectLocated(dirtyrace(['check', unused]), unused, 6, /function 'f' reads the global 'b'/);
    const ok = scenario('fn.race', `${HEADER}fn f(v: bool, p: pte) -> bool { return v && pte_dirty(p); }\ncpu a { let y = f(b, ptep_get(P)); write P; }\n`);
    expect(dirtyrace(['check', ok]).code).toBe(0);
  });
});
