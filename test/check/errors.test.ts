// Every user-facing error of the check stage: the exact file:line:col, a caret under the
// offending text, and the words of the message a user acts on.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { Diagnostic, formatDiagnostic } from '../../src/lang/source.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MODELS = [join(ROOT, 'models')];
const PATH = 'bad.race';

/** A small valid scenario prelude (7 lines); the cases below append to it. */
const HEAD = `use x86_64;
page P { present: true, write: true, pfn: F0 }
frame F0;
spinlock ptl;
rwsem mm;
bool flag = false;
int[0..3] n = 0;
`;
const L = 8; // first line after HEAD

function diagnose(text: string, opts: { modelDirs?: string[] } = { modelDirs: MODELS }): Diagnostic {
  let thrown: unknown;
  try {
    modelOf({ path: PATH, text }, opts);
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`expected an error, but the scenario checked:\n${text}`);
  if (!(thrown instanceof Diagnostic)) throw new Error(`expected a Diagnostic, got ${String((thrown as Error)?.stack ?? thrown)}`);
  return thrown;
}

interface Want {
  line: number;
  col: number;
  /** The source text the caret line marks (its first characters when `caretPrefix`). */
  under: string;
  /** Words the message (first line) must contain. */
  words: (string | RegExp)[];
  /** Words the hint must contain. */
  hint?: (string | RegExp)[];
}

/** Checks the formatted diagnostic: location line, caret placement, message, hint. */
function expectError(text: string, want: Want, opts?: { modelDirs?: string[] }): string {
  const d = diagnose(text, opts);
  const out = formatDiagnostic(d);
  const lines = out.split('\n');
  const head = lines[0]!;
  expect(head.startsWith(`${PATH}:${want.line}:${want.col}: error: `), out).toBe(true);
  const src = lines[2]!;
  const caret = lines[3]!;
  const gutter = String(want.line).length;
  expect(src.startsWith(`${want.line} | `), out).toBe(true);
  const srcText = src.slice(gutter + 3);
  expect(srcText, out).toBe(text.split('\n')[want.line - 1]);
  const m = caret.slice(gutter + 3).match(/^( *)(\^+)$/);
  expect(m, out).not.toBeNull();
  const [, pad, carets] = m!;
  expect(pad!.length, out).toBe(want.col - 1);
  // The carets mark exactly the offending text (a zero-width point is one caret past the text).
  const marked = srcText.slice(pad!.length, pad!.length + carets!.length);
  expect(marked, out).toBe(want.under);
  for (const w of want.words) {
    if (typeof w === 'string') expect(head, out).toContain(w);
    else expect(head, out).toMatch(w);
  }
  if (want.hint) {
    const hintLine = lines.find((x) => /^ += /.test(x));
    expect(hintLine, out).toBeDefined();
    for (const w of want.hint) {
      if (typeof w === 'string') expect(hintLine!, out).toContain(w);
      else expect(hintLine!, out).toMatch(w);
    }
  }
  return out;
}

describe('check errors', () => {
  it('the prelude itself checks', () => {
    expect(() => modelOf({ path: PATH, text: `${HEAD}cpu a { skip; }\n` }, { modelDirs: MODELS })).not.toThrow();
  });

  describe('syntax', () => {
    it('missing semicolon: points just after the last token of the line', () => {
      const text = `${HEAD}cpu a {\n  flag = true\n  n = 1;\n}\n`;
      // The caret is one past 'true' (the source line has no character there).
      const out = expectError(text, { line: L + 1, col: 14, under: '', words: ['syntax error', "expected ';'", "after 'true'"], hint: ["next line starts with 'n'"] });
      expect(out.split('\n')[3]).toBe('  |              ^');
    });

    it('missing semicolon mid-line: points at the unexpected token', () => {
      const text = `${HEAD}cpu a {\n  flag = true n = 1;\n}\n`;
      expectError(text, { line: L + 1, col: 15, under: 'n', words: ['syntax error', '";"', "found 'n'"] });
    });

    it('missing semicolon before a line comment: points before the comment', () => {
      const text = `${HEAD}cpu a {\n  flag = true // set it\n  n = 1;\n}\n`;
      expectError(text, { line: L + 1, col: 14, under: ' ', words: ["expected ';' after 'true'"] });
    });

    it('unclosed brace: at the end of the file, naming the open brace', () => {
      const text = `${HEAD}cpu a {\n  flag = true;\n`;
      const out = expectError(text, { line: L + 2, col: 1, under: '', words: ['syntax error', '"}"', 'before the end of the file'], hint: ["'{' at line 8, column 7 is never closed"] });
      expect(out).not.toMatch(/"_"|a letter|a digit/); // one alternative per kind of token
    });

    it('a keyword where a name belongs', () => {
      const text = `${HEAD}cpu a {\n  let read = true;\n}\n`;
      const out = expectError(text, { line: L + 1, col: 7, under: 'r', words: ['syntax error', 'expected a name', "found 'read'"], hint: ["'read' is a keyword"] });
      expect(out).not.toContain('reservedWord');
    });

    it('a half-written name: the expected token is named, not the grammar rule', () => {
      const text = `${HEAD}cpu a {\n  n = n + 1;\n}\nfinal\n`;
      const out = expectError(text, { line: L + 4, col: 1, under: '', words: ['syntax error', 'expected a name', 'before the end of the file'] });
      expect(out).not.toMatch(/"_"|a letter|reservedWord/);
    });

    it('stray character', () => {
      const text = `${HEAD}cpu a {\n  flag = true @ false;\n}\n`;
      expectError(text, { line: L + 1, col: 15, under: '@', words: ['syntax error', "found '@'"] });
    });
  });

  describe('names', () => {
    it('unknown variable with a did-you-mean hint', () => {
      expectError(`${HEAD}cpu a {\n  flg = true;\n}\n`, { line: L + 1, col: 3, under: 'flg', words: ["unknown variable 'flg'"], hint: ["did you mean 'flag'?"] });
    });

    it('unknown name in an expression with a did-you-mean hint', () => {
      expectError(`${HEAD}cpu a {\n  if (flgg) { skip; }\n}\n`, { line: L + 1, col: 7, under: 'flgg', words: ["unknown name 'flgg'"], hint: ["did you mean 'flag'?"] });
    });

    it('unknown function, suggesting a built-in', () => {
      expectError(`${HEAD}cpu a {\n  let e = ptep_gett(P);\n}\n`, { line: L + 1, col: 11, under: 'ptep_gett', words: ["unknown function 'ptep_gett'"], hint: ["did you mean 'ptep_get'?"] });
    });

    it('unknown function, suggesting a model helper', () => {
      expectError(`${HEAD}cpu a {\n  let e = ptep_get(P);\n  let d = pte_drity(e);\n}\n`, { line: L + 2, col: 11, under: 'pte_drity', words: ["unknown function 'pte_drity'"], hint: ["did you mean 'pte_dirty'?"] });
    });

    it('unknown procedure called as a statement', () => {
      expectError(`${HEAD}cpu a {\n  frobnicate(P);\n}\n`, { line: L + 1, col: 3, under: 'frobnicate', words: ["unknown procedure 'frobnicate'"] });
    });

    it('duplicate declaration points at the second one and names the first', () => {
      expectError(`${HEAD}bool flag = true;\ncpu a { skip; }\n`, { line: L, col: 6, under: 'flag', words: ["'flag' is already declared"], hint: ['bad.race:6:6'] });
    });

    it('duplicate declaration across kinds points at the later one in the file', () => {
      // Frames are entered before pages; the error still goes to the later text.
      expectError(`${HEAD}frame P;\ncpu a { skip; }\n`, { line: L, col: 7, under: 'P', words: ["'P' is already declared"], hint: ['bad.race:2:6'] });
    });

    it('a scenario name that clashes with a model helper is reported in the scenario', () => {
      const out = expectError(`${HEAD}bool pte_dirty = false;\ncpu a { skip; }\n`, { line: L, col: 6, under: 'pte_dirty', words: ["'pte_dirty' is already declared"], hint: ['x86_64.arch'] });
      expect(out.startsWith('bad.race:')).toBe(true);
    });

    it('duplicate local in one block', () => {
      expectError(`${HEAD}cpu a {\n  let b = flag;\n  let b = true;\n}\n`, { line: L + 2, col: 7, under: 'b', words: ["'b' is already declared in this block"] });
    });
  });

  describe('types', () => {
    it('int assigned to a bool', () => {
      expectError(`${HEAD}cpu a {\n  flag = 1;\n}\n`, { line: L + 1, col: 10, under: '1', words: ['type mismatch', 'int', 'bool'], hint: ['true or false'] });
    });

    it('bool assigned to an int', () => {
      expectError(`${HEAD}cpu a {\n  n = true;\n}\n`, { line: L + 1, col: 7, under: 'true', words: ['type mismatch', 'cannot assign bool to int[0..3]'] });
    });

    it('int used as an if condition', () => {
      expectError(`${HEAD}cpu a {\n  if (n) { skip; }\n}\n`, { line: L + 1, col: 7, under: 'n', words: ['type mismatch', 'condition must be bool', 'found int[0..3]'], hint: ['n != 0'] });
    });

    it('pte compared with bool', () => {
      expectError(`${HEAD}cpu a {\n  let e = ptep_get(P);\n  if (e == true) { skip; }\n}\n`, { line: L + 2, col: 7, under: 'e == true', words: ['type mismatch', 'cannot compare pte with bool'] });
    });

    it('wrong argument type to a model function', () => {
      expectError(`${HEAD}cpu a {\n  let d = pte_dirty(P);\n}\n`, { line: L + 1, col: 21, under: 'P', words: ['type mismatch', "argument 'e' of pte_dirty", 'pte', 'found page'] });
    });

    it('let of an int without a type', () => {
      expectError(`${HEAD}cpu a {\n  let k = 2;\n}\n`, { line: L + 1, col: 7, under: 'k', words: ["give 'k' an int type with its range"], hint: ['let k: int[0..3] = ...;'] });
    });

    it('out-of-range initial value', () => {
      expectError(`${HEAD}int[0..3] x = 5;\ncpu a { skip; }\n`, { line: L, col: 15, under: '5', words: ['value 5 is out of range for int[0..3]'] });
    });

    it('out-of-range constant assigned', () => {
      expectError(`${HEAD}cpu a {\n  n = 7;\n}\n`, { line: L + 1, col: 7, under: '7', words: ['value 7 is out of range for int[0..3]'] });
    });

    it('out-of-range typed let', () => {
      expectError(`${HEAD}cpu a {\n  let k: int[0..1] = 2;\n}\n`, { line: L + 1, col: 22, under: '2', words: ['value 2 is out of range for int[0..1]'] });
    });

    it('empty int range', () => {
      expectError(`${HEAD}int[3..1] z = 3;\ncpu a { skip; }\n`, { line: L, col: 1, under: 'int[3..1]', words: ['empty range int[3..1]'] });
    });
  });

  describe('locks', () => {
    it('a CPU program using an undeclared lock', () => {
      expectError(`${HEAD}cpu a {\n  lock(mmap_lock);\n}\n`, { line: L + 1, col: 8, under: 'mmap_lock', words: ["'mmap_lock' is not a declared lock"], hint: ['spinlock mmap_lock;'] });
    });

    it('a spinlock used with down_read', () => {
      expectError(`${HEAD}cpu a {\n  down_read(ptl);\n}\n`, { line: L + 1, col: 3, under: 'down_read(ptl);', words: ["'ptl' is a spinlock", 'lock/unlock'] });
    });

    it('an rwsem used with lock', () => {
      expectError(`${HEAD}cpu a {\n  lock(mm);\n}\n`, { line: L + 1, col: 3, under: 'lock(mm);', words: ["'mm' is a rwsem", 'down_read/up_read or down_write/up_write'] });
    });

    it('a lock inside atomic', () => {
      expectError(`${HEAD}cpu a {\n  atomic { lock(ptl); }\n}\n`, { line: L + 1, col: 12, under: 'lock(ptl);', words: ['lock operation cannot appear inside atomic'] });
    });
  });

  describe('architecture fields and steps', () => {
    it('a page field the architecture does not have', () => {
      const text = `use x86_64;\npage P { present: true, dbm: true, pfn: F0 }\nframe F0;\ncpu a { skip; }\n`;
      expectError(text, { line: 2, col: 25, under: 'dbm', words: ["x86_64 PTE has no field 'dbm'"], hint: ['present, write, dirty'] });
    });

    it('a PTE field the architecture does not have, in an expression', () => {
      expectError(`${HEAD}cpu a {\n  let v = ptep_get(P);\n  if (v.dbm) { skip; }\n}\n`, { line: L + 2, col: 9, under: 'dbm', words: ["x86_64 PTE has no field 'dbm'"], hint: ['its fields are'] });
    });

    it('a misspelt PTE field suggests the right one', () => {
      expectError(`${HEAD}cpu a {\n  let v = ptep_get(P);\n  if (v.drity) { skip; }\n}\n`, { line: L + 2, col: 9, under: 'drity', words: ["has no field 'drity'"], hint: ["did you mean 'dirty'?"] });
    });

    it('disable of an unknown hardware step', () => {
      expectError(`${HEAD}cpu a { skip; }\ndisable prefetch;\n`, { line: L + 1, col: 9, under: 'prefetch', words: ["architecture 'x86_64' has no hardware step 'prefetch'"], hint: ['fill, evict'] });
    });

    it('disable of a misspelt hardware step', () => {
      expectError(`${HEAD}cpu a { skip; }\ndisable fil;\n`, { line: L + 1, col: 9, under: 'fil', words: ["no hardware step 'fil'"], hint: ["did you mean 'fill'?"] });
    });
  });

  describe('control flow and steps', () => {
    it('while without a bound', () => {
      expectError(`${HEAD}cpu a {\n  while (!flag) { skip; }\n}\n`, { line: L + 1, col: 3, under: 'while (!flag) { skip; }', words: ['while loop has no bound'], hint: ['bound N'] });
    });

    it('while bound out of range', () => {
      expectError(`${HEAD}cpu a {\n  while (!flag) bound 0 { skip; }\n}\n`, { line: L + 1, col: 3, under: 'while (!flag) bound 0 { skip; }', words: ['loop bound 0 is out of range 1..1000'] });
    });

    it('for loop with a non-constant bound', () => {
      expectError(`${HEAD}cpu a {\n  for i in 0..n { skip; }\n}\n`, { line: L + 1, col: 15, under: 'n', words: ['for loop bounds must be constants'], hint: ['while (cond) bound N'] });
    });

    it('recursion of a procedure', () => {
      expectError(`${HEAD}proc f(p: page) {\n  f(p);\n}\ncpu a {\n  f(P);\n}\n`, { line: L + 1, col: 3, under: 'f(p)', words: ["recursive call of 'f'", 'cannot be bounded'] });
    });

    it('mutual recursion of procedures', () => {
      const text = `${HEAD}proc f(p: page) {\n  g(p);\n}\nproc g(p: page) {\n  f(p);\n}\ncpu a {\n  f(P);\n}\n`;
      expectError(text, { line: L + 4, col: 3, under: 'f(p)', words: ["recursive call of 'f'"] });
    });

    it('a statement that loads and stores a PTE in one step', () => {
      expectError(`${HEAD}cpu a {\n  set_pte(P, pte_mkclean(ptep_get(P)));\n}\n`, {
        line: L + 1, col: 3, under: 'set_pte(P, pte_mkclean(ptep_get(P)));',
        words: ['touches a PTE more than once in one step'], hint: ['two statements', 'atomic'],
      });
    });

    it('the same load and store inside atomic is accepted', () => {
      expect(() => modelOf({ path: PATH, text: `${HEAD}cpu a {\n  atomic { set_pte(P, pte_mkclean(ptep_get(P))); }\n}\n` }, { modelDirs: MODELS })).not.toThrow();
    });

    it('done; outside an access rule', () => {
      expectError(`${HEAD}cpu a {\n  done;\n}\n`, { line: L + 1, col: 3, under: 'done;', words: ["'done;'", "only inside 'access read' or 'access write'"] });
    });

    it('fault; outside an access rule', () => {
      expectError(`${HEAD}cpu a {\n  fault;\n}\n`, { line: L + 1, col: 3, under: 'fault;', words: ["'fault;'", 'access rule'] });
    });

    it('a user access in a fault handler', () => {
      const text = `${HEAD}cpu a {\n  write P;\n}\nfault write(p) {\n  read p;\n}\n`;
      expectError(text, { line: L + 4, col: 3, under: 'read p;', words: ['fault handler cannot make user accesses'] });
    });

    it('a user access in a fault handler that no CPU triggers', () => {
      // The handler is never inlined (no CPU reads), but its body is still checked.
      const text = `${HEAD}cpu a {\n  write P;\n}\nfault read(p) {\n  write p;\n}\n`;
      expectError(text, { line: L + 4, col: 3, under: 'write p;', words: ['fault handler cannot make user accesses'] });
    });

    it('an error in a fault handler that no CPU triggers', () => {
      const text = `${HEAD}cpu a { skip; }\nfault write(p) {\n  flgg = true;\n}\n`;
      expectError(text, { line: L + 2, col: 3, under: 'flgg', words: ["unknown variable 'flgg'"], hint: ["did you mean 'flag'?"] });
    });

    it('an error in a function no one calls', () => {
      const text = `${HEAD}fn g(x: bool) -> bool {\n  return x + 1;\n}\ncpu a { skip; }\n`;
      expectError(text, { line: L + 1, col: 10, under: 'x', words: ['type mismatch', "operand of '+' must be int", 'found bool'] });
    });

    it('an argument reading shared state passed to a proc', () => {
      expectError(`${HEAD}proc g(b: bool) { skip; }\ncpu a {\n  g(flag);\n}\n`, {
        line: L + 2, col: 5, under: 'flag', words: ["argument 'b' reads shared state"], hint: ['load the value into a local first'],
      });
    });

    it('a PTE load passed to a model procedure', () => {
      expectError(`${HEAD}cpu a {\n  ptep_modify_prot_commit(P, ptep_get(P));\n}\n`, {
        line: L + 1, col: 30, under: 'ptep_get(P)', words: ["argument 'e' reads shared state"],
      });
    });

    it('a procedure used inside an expression', () => {
      expectError(`${HEAD}cpu a {\n  let b = !ptep_test_and_clear_young(P);\n}\n`, {
        line: L + 1, col: 12, under: 'ptep_test_and_clear_young(P)', words: ["procedure 'ptep_test_and_clear_young' takes steps"],
      });
    });

    it('assert inside atomic', () => {
      expectError(`${HEAD}cpu a {\n  atomic { assert flag; }\n}\n`, { line: L + 1, col: 12, under: 'assert flag;', words: ['assert cannot appear inside atomic'] });
    });
  });

  describe('models, use and expectations', () => {
    it('an unknown model in use', () => {
      const text = `use x86_65;\npage P { present: true, pfn: F0 }\nframe F0;\ncpu a { skip; }\n`;
      expectError(text, { line: 1, col: 5, under: 'x86_65', words: ["no model named 'x86_65'"], hint: ["did you mean 'x86_64'?"] });
    });

    it('no use of an architecture', () => {
      const text = `page P { present: true, pfn: F0 }\nframe F0;\ncpu a { skip; }\n`;
      expectError(text, { line: 1, col: 1, under: 'p', words: ['names no architecture', 'use x86_64;'] });
    });

    it('two architectures in use', () => {
      const text = `use x86_64;\nuse x86_64;\npage P { present: true, pfn: F0 }\nframe F0;\ncpu a { skip; }\n`;
      expectError(text, { line: 2, col: 1, under: 'use x86_64;', words: ["a scenario uses one architecture; 'x86_64' is already used"] });
    });

    it('the bundled models are found without modelDirs', () => {
      expect(() => modelOf({ path: PATH, text: `${HEAD}cpu a { skip; }\n` }, {})).not.toThrow();
      expectError(`${HEAD}cpu a { skip; }\ndisable fil;\n`, { line: L + 1, col: 9, under: 'fil', words: ['no hardware step'] }, {});
    });

    it('expect violated naming a property that does not exist', () => {
      const text = `${HEAD}cpu a { skip; }\nfinal no_lost_dirty: !flag;\nexpect violated no_lost_dirt;\n`;
      expectError(text, { line: L + 2, col: 17, under: 'no_lost_dirt', words: ["no property named 'no_lost_dirt'"], hint: ["did you mean 'no_lost_dirty'?"] });
    });

    it('expect holds together with expect violated', () => {
      const text = `${HEAD}cpu a { skip; }\nexpect violated deadlock;\nexpect holds;\n`;
      expectError(text, { line: L + 2, col: 1, under: 'expect holds;', words: ["'expect holds' contradicts 'expect violated'"] });
    });

    it('a property named like a built-in one', () => {
      const text = `${HEAD}cpu a { skip; }\ninvariant deadlock: true;\n`;
      expectError(text, { line: L + 1, col: 1, under: 'invariant deadlock: true;', words: ["'deadlock' is the name of a built-in property"] });
    });

    it('an unknown use parameter', () => {
      const text = `use x86_64(keep = true);\npage P { present: true, pfn: F0 }\nframe F0;\ncpu a { skip; }\n`;
      expectError(text, { line: 1, col: 12, under: 'keep', words: ["the used models have no parameter 'keep'"] });
    });

    it('`any` initial values are accepted (regression: they crashed the checker)', () => {
      const text = `${HEAD}ghost bool g = any;\npage Q { present: any, write: any, pfn: F0 }\ncpu a {\n  if (g) { write Q; }\n}\n`;
      const m = modelOf({ path: PATH, text }, { modelDirs: MODELS });
      expect(m.pages[1]!.init[m.arch.pteFields.findIndex((f) => f.name === 'present')]).toBeUndefined();
      expect(m.globals.find((v) => v.name === 'g')!.init).toEqual([undefined]);
    });

    it('`any` is not a value in an expression', () => {
      expectError(`${HEAD}cpu a {\n  flag = any;\n}\n`, { line: L + 1, col: 10, under: 'a', words: ['syntax error', "found 'any;'"], hint: ["'any' is a keyword"] });
    });

    it('a page expression that reads state is not a constant PTE', () => {
      const text = `${HEAD}page Q = pte_mkwrite(ptep_get(P));\ncpu a { skip; }\n`;
      expectError(text, { line: L, col: 10, under: 'pte_mkwrite(ptep_get(P))', words: ["the initial value of page 'Q' must be a constant PTE"], hint: ['mk_pte'] });
    });

    it('a page expression that reads a variable is not a constant PTE', () => {
      const text = `${HEAD}page Q = flag ? mk_pte(F0) : pte_mkwrite(mk_pte(F0));\ncpu a { skip; }\n`;
      expectError(text, { line: L, col: 10, under: 'flag ? mk_pte(F0) : pte_mkwrite(mk_pte(F0))', words: ['must be a constant PTE'] });
    });

    it('a page expression of the wrong type', () => {
      const text = `${HEAD}page Q = pte_dirty(mk_pte(F0));\ncpu a { skip; }\n`;
      expectError(text, { line: L, col: 10, under: 'pte_dirty(mk_pte(F0))', words: ["initial value of page 'Q' must be pte, found bool"] });
    });

    it('a constant page expression gives the PTE its helpers build', () => {
      const text = `${HEAD}page Q = pte_mkyoung(pte_mkwrite(mk_pte(F0))) with { soft_dirty: true };\ncpu a { skip; }\n`;
      const m = modelOf({ path: PATH, text }, { modelDirs: MODELS });
      const set = m.arch.pteFields.filter((_, i) => m.pages[1]!.init[i] === 1).map((f) => f.name);
      expect(set).toEqual(['present', 'write', 'accessed', 'soft_dirty']);
    });

    it('an expect on an unknown parameter of the checked architecture', () => {
      const text = `${HEAD}cpu a { skip; }\nexpect on x86_64(keep = true) holds;\n`;
      expectError(text, { line: L + 1, col: 18, under: 'keep', words: ["architecture 'x86_64' and the used libraries have no parameter 'keep'"] });
    });

    it('an expect on another architecture still names a property', () => {
      const text = `${HEAD}cpu a { skip; }\nexpect on arm64 violated no_such;\n`;
      expectError(text, { line: L + 1, col: 26, under: 'no_such', words: ["no property named 'no_such'"] });
    });

    it('a scenario without a CPU', () => {
      expectError(`${HEAD}`, { line: 1, col: 1, under: 'u', words: ['declares no CPU'] });
    });
  });
});
