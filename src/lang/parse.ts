// Text to syntax tree. Syntax errors become located Diagnostics, never exceptions of ohm's own.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type * as ohm from 'ohm-js';
import type * as A from './ast.js';
import { cSyntaxError } from './cisms.js';
import { checkNesting, lineEnd } from './nesting.js';
import { savedRecipe, treeStore, userCacheDir } from './saved.js';
import { Diagnostic, lineCol, type SourceFile, type Span } from './source.js';

const here = dirname(fileURLToPath(import.meta.url));
const grammarText = readFileSync(join(here, 'dirtyrace.ohm'), 'utf8');
let built: ohm.Grammar | undefined;

/** The grammar, built on first use: a run whose files' trees are all kept (saved.ts) never loads ohm. */
function grammar(): ohm.Grammar {
  if (built) return built;
  // ohm's CommonJS build is one file; its ES module build is some forty, which take Node 2-3x as
  // long to load. makeRecipe (the inverse of Grammar.toRecipe) is exported but not in ohm's types.
  const ohmjs = createRequire(import.meta.url)('ohm-js') as typeof ohm & { makeRecipe(recipe: string): ohm.Grammar };
  const recipe = savedRecipe(here, grammarText);
  built = recipe === undefined ? ohmjs.grammar(grammarText) : ohmjs.makeRecipe(recipe);
  return built;
}

// What this parser builds changes with its grammar and its code (the semantics below).
export const trees = treeStore(grammarText + readFileSync(fileURLToPath(import.meta.url), 'utf8'), here, userCacheDir());

export function parseFile(file: SourceFile): A.FileAst {
  const kept = trees.get(file);
  if (kept) return kept;
  const ast = parseText(file);
  trees.put(file, ast);
  return ast;
}

/** The tree of `file`, parsed from its text. */
export function parseText(file: SourceFile): A.FileAst {
  checkNesting(file);
  const match = grammar().match(file.text);
  if (match.failed()) {
    const pos = match.getRightmostFailurePosition();
    throw cSyntaxError(file, pos, KEYWORDS) ?? syntaxError(file, pos, match.getExpectedText());
  }
  return semanticsFor(file)(match).ast() as A.FileAst;
}

function syntaxError(file: SourceFile, pos: number, expectedText: string): Diagnostic {
  const expected = describeExpected(expectedText);
  const found = file.text.slice(pos).match(/^\s*(\S{1,20})/)?.[1];
  // A missing ';' at the end of a line: point just after the line's last token, not at the
  // next line, which is where the parser noticed.
  const wantsSemi = expectedText.split(/, or |, /).some((p) => p.trim() === '";"');
  const gap = file.text.slice(0, pos).match(/\s*$/)![0];
  if (wantsSemi && /[\n\r]/.test(gap) && found !== undefined) {
    let end = pos - gap.length;
    const lineStart = Math.max(file.text.lastIndexOf('\n', end - 1), file.text.lastIndexOf('\r', end - 1)) + 1;
    const comment = file.text.slice(lineStart, end).indexOf('//');
    if (comment >= 0) end = lineStart + comment;
    const prev = file.text.slice(lineStart, end).match(/(\S{1,20})\s*$/);
    if (prev && !prev[1]!.endsWith('*/')) {
      const at = lineStart + prev.index! + prev[1]!.length;
      return new Diagnostic({ file, start: at, end: at + 1 }, `syntax error: expected ';' after '${prev[1]}'`,
        `the next line starts with '${found}'`);
    }
  }
  const word = file.text.slice(pos).match(/^\s*([A-Za-z_][A-Za-z0-9_]*)/)?.[1];
  const keyword = word !== undefined && KEYWORDS.has(word) && /(^| or |, )a name( or |, |$)/.test(expected);
  return new Diagnostic(
    { file, start: pos, end: pos + 1 },
    `syntax error: expected ${expected}${found === undefined ? ' before the end of the file' : `, found '${found}'`}`,
    found === undefined ? unclosedBrace(file) : keyword ? `'${word}' is a keyword and cannot be used as a name` : undefined,
  );
}

/** The grammar's reservedWord rule, for the hint when one is written where a name belongs. */
const KEYWORDS = new Set(['let', 'if', 'else', 'while', 'bound', 'for', 'in', 'atomic', 'await', 'assert', 'return', 'done',
  'skip', 'true', 'false', 'with', 'any', 'override', 'ghost', 'lock', 'unlock', 'down_read', 'up_read', 'down_write',
  'up_write', 'read', 'write', 'fault', 'extends']);

/** Where the innermost '{' left open at the end of the file was opened, as a hint. */
function unclosedBrace(file: SourceFile): string | undefined {
  const open: number[] = [];
  const t = file.text;
  for (let i = 0; i < t.length; i++) {
    if (t.startsWith('//', i)) i = lineEnd(t, i);
    else if (t.startsWith('/*', i)) i = t.indexOf('*/', i + 2) < 0 ? t.length : t.indexOf('*/', i + 2) + 1;
    else if (t[i] === '{') open.push(i);
    else if (t[i] === '}') open.pop();
  }
  const at = open.pop();
  if (at === undefined) return undefined;
  const { line, col } = lineCol(file, at);
  return `the '{' at line ${line}, column ${col} is never closed`;
}

function describeExpected(text: string): string {
  // ohm lists every alternative; keep the message to the few a person can act on. The
  // characters that may start a name or number are one alternative each, not three.
  // "not a reservedWord" is the grammar's way of saying a name (that is no keyword) goes here.
  const parts = text.split(/, or |, | or /).map((s) => s.trim()).filter(Boolean)
    .map((p) => (p === '"_"' || p === 'a letter' || p === 'not a reservedWord' ? 'a name' : p === 'a digit' ? 'a number' : p));
  const unique = [...new Set(parts)];
  if (unique.length > 8) return `${unique.slice(0, 8).join(', ')}, ...`;
  return unique.join(' or ');
}

function semanticsFor(file: SourceFile) {
  const s = grammar().createSemantics();
  const span = (n: ohm.Node): Span => ({ file, start: n.source.startIdx, end: n.source.endIdx });
  const id = (n: ohm.Node): A.Ident => ({ name: n.sourceString, span: span(n) });
  const opt = <T>(n: ohm.Node): T | undefined => (n.numChildren > 0 ? (n.children[0]!.ast() as T) : undefined);
  const list = <T>(n: ohm.Node): T[] => n.asIteration().children.map((c) => c.ast() as T);
  const bin = (op: A.BinaryOp) =>
    function (this: ohm.Node, l: ohm.Node, _o: ohm.Node, r: ohm.Node): A.Expr {
      return { kind: 'binary', op, left: l.ast(), right: r.ast(), span: span(this) };
    };

  s.addOperation('ast', {
    File(items) {
      return { items: items.children.map((c) => c.ast()) };
    },
    ArchHeader(_a, name, _e, base, _s) {
      return { kind: 'arch', name: id(name), extends: base.numChildren ? id(base.children[0]!) : undefined, span: span(this) };
    },
    LibraryHeader(_l, name, _s) {
      return { kind: 'library', name: id(name), span: span(this) };
    },
    Use(_u, name, args, _s) {
      return { kind: 'use', name: id(name), args: opt(args) ?? [], span: span(this) };
    },
    UseArgs(_o, bindings, _c) {
      return list(bindings);
    },
    Binding(name, _o, index, _c, _e, value) {
      return { name: id(name), index: index.numChildren ? id(index.children[0]!) : undefined, value: value.ast() };
    },
    PteDecl(_p, _o, fields, _c) {
      return { kind: 'pte', fields: list(fields), span: span(this) };
    },
    TlbDecl(_t, _o, fields, _c) {
      return { kind: 'tlb', fields: list(fields), span: span(this) };
    },
    FieldDecl(name, _c, type) {
      return { name: id(name), type: type.ast(), span: span(this) };
    },
    HwRule(ov, _h, name, body) {
      return { kind: 'hardware', override: ov.numChildren > 0, name: id(name), body: body.ast().body, span: span(this) };
    },
    AccessRule(ov, _a, kind, body) {
      return { kind: 'accessRule', override: ov.numChildren > 0, access: kind.sourceString, body: body.ast().body, span: span(this) };
    },
    FnDecl(ov, _f, name, _o, params, _c, _arrow, ret, body) {
      return {
        kind: 'fn', override: ov.numChildren > 0, name: id(name), params: list(params), ret: ret.ast(),
        body: body.ast().body, span: span(this),
      };
    },
    ProcDecl(ov, _p, name, _o, params, _c, _arrow, ret, body) {
      return {
        kind: 'proc', override: ov.numChildren > 0, name: id(name), params: list(params), ret: opt(ret),
        body: body.ast().body, span: span(this),
      };
    },
    Param(name, _c, type) {
      return { name: id(name), type: type.ast(), span: span(this) };
    },
    ParamDecl(_p, type, name, _o, perCpu, _c, _e, value, _s) {
      return {
        kind: 'param', type: type.ast(), name: id(name), perCpu: perCpu.numChildren ? id(perCpu.children[0]!) : undefined,
        value: value.ast(), span: span(this),
      };
    },
    PageDecl_fields(_p, name, _o, fields, _c) {
      return { kind: 'page', name: id(name), fields: list(fields), span: span(this) };
    },
    PageDecl_expr(_p, name, _e, value, _s) {
      return { kind: 'page', name: id(name), value: value.ast(), span: span(this) };
    },
    FieldInit(name, _c, value) {
      return { name: id(name), value: value.ast(), span: span(this) };
    },
    InitValue_any(_a) {
      return { kind: 'any', span: span(this) };
    },
    InitValue(e) {
      // Called for both alternatives: `any` arrives here already built by InitValue_any.
      const v = e.ast() as A.Expr | { kind: 'any' };
      return v.kind === 'any' ? v : { kind: 'expr', expr: v, span: span(this) };
    },
    FrameDecl(_f, names, _s) {
      const frames = names.asIteration().children.map((n) => n.ast() as { name: A.Ident; data?: A.Expr });
      return { kind: 'frame', names: frames.map((f) => f.name), data: frames.map((f) => f.data), span: span(this) };
    },
    FrameName(name, _o, field, _c, data, _cl) {
      if (field.numChildren && field.children[0]!.sourceString !== 'data') {
        throw new Diagnostic(span(field.children[0]!), `a frame has one initial field, data: frame ${name.sourceString} { data: 1 };`);
      }
      return { name: id(name), data: opt(data) };
    },
    DataDecl(_d, type, _s) {
      return { kind: 'dataDecl', type: type.ast(), span: span(this) };
    },
    LockDecl(kind, name, _o, perPage, _c, _s) {
      return {
        kind: 'lockDecl', lockKind: kind.sourceString, name: id(name),
        perPage: perPage.numChildren ? id(perPage.children[0]!) : undefined, span: span(this),
      };
    },
    EnumDecl(_e, name, _o, members, _c) {
      return { kind: 'enum', name: id(name), members: members.asIteration().children.map(id), span: span(this) };
    },
    VarDecl(gh, type, name, _o, index, _c, _eq, init, _s) {
      return {
        kind: 'var', ghost: gh.numChildren > 0, type: type.ast(), name: id(name),
        indexBy: index.numChildren ? id(index.children[0]!) : undefined, init: opt(init), span: span(this),
      };
    },
    CpuDecl(_c, name, _o, count, _cl, body) {
      return {
        kind: 'cpu', name: id(name), count: count.numChildren ? Number(count.children[0]!.sourceString) : undefined,
        body: body.ast().body, span: span(this),
      };
    },
    FaultDecl(_f, kind, _o, param, _c, body) {
      return { kind: 'faultHandler', access: kind.sourceString, param: id(param), body: body.ast().body, span: span(this) };
    },
    InterruptDecl(_i, name, _w, guard, body) {
      return { kind: 'interrupt', name: id(name), guard: opt(guard), body: body.ast().body, span: span(this) };
    },
    Property_invariant(_i, name, _c, e, _s) {
      return { kind: 'invariant', name: id(name), expr: e.ast(), span: span(this) };
    },
    Property_final(_f, name, _c, e, _s) {
      return { kind: 'final', name: id(name), expr: e.ast(), span: span(this) };
    },
    Property_reachable(_r, name, _c, e, _s) {
      return { kind: 'reachable', name: id(name), expr: e.ast(), span: span(this) };
    },
    Property_access(_on, kind, name, _o, a, _c1, b, _c2, c, _cl, _colon, e, _s) {
      return {
        kind: 'onAccess', access: kind.sourceString, name: id(name), binders: [id(a), id(b), id(c)],
        expr: e.ast(), span: span(this),
      };
    },
    Expect_holds(_e, on, _h, _s) {
      return { kind: 'expect', on: opt(on), span: span(this) };
    },
    Expect_violated(_e, on, _v, name, _s) {
      return { kind: 'expect', on: opt(on), violated: id(name), span: span(this) };
    },
    ExpectOn(_on, name, args) {
      return { name: id(name), args: opt(args) ?? [], span: span(this) };
    },
    Disable(_d, name, _s) {
      return { kind: 'disable', name: id(name), span: span(this) };
    },
    Type_bool(_b) {
      return { kind: 'bool', span: span(this) };
    },
    Type_int(_i, _o, lo, _dd, hi, _c) {
      return { kind: 'int', lo: lo.ast(), hi: hi.ast(), span: span(this) };
    },
    Type_named(name) {
      return { kind: 'named', name: id(name), span: span(this) };
    },
    SignedNum(minus, digits) {
      return (minus.numChildren ? -1 : 1) * Number(digits.sourceString);
    },
    Block(_o, body, _c) {
      return { kind: 'block', body: body.children.map((c) => c.ast()), span: span(this) };
    },
    Stmt_label(label, _c, body) {
      return { kind: 'label', label: id(label), body: body.ast(), span: span(this) };
    },
    Stmt_let(_l, name, _c, type, _e, init, _s) {
      return { kind: 'let', name: id(name), type: opt(type), init: init.ast(), span: span(this) };
    },
    Stmt_ifElse(_i, _o, test, _c, then, _e, els) {
      return { kind: 'if', test: test.ast(), then: then.ast(), else: els.ast(), span: span(this) };
    },
    Stmt_if(_i, _o, test, _c, then) {
      return { kind: 'if', test: test.ast(), then: then.ast(), span: span(this) };
    },
    Stmt_whileBound(_w, _o, test, _c, _b, bound, body) {
      return { kind: 'while', test: test.ast(), bound: Number(bound.sourceString), body: body.ast(), span: span(this) };
    },
    Stmt_whileUnbounded(_w, _o, test, _c, body) {
      return { kind: 'while', test: test.ast(), body: body.ast(), span: span(this) };
    },
    Stmt_forCpu(_f, v, _in, _cpu, except, _self, body) {
      return { kind: 'forCpu', var: id(v), exceptSelf: except.numChildren > 0, body: body.ast(), span: span(this) };
    },
    Stmt_forPage(_f, v, _in, _page, body) {
      return { kind: 'forPage', var: id(v), body: body.ast(), span: span(this) };
    },
    Stmt_for(_f, v, _in, from, _dd, to, body) {
      return { kind: 'for', var: id(v), from: from.ast(), to: to.ast(), body: body.ast(), span: span(this) };
    },
    Stmt_atomic(_a, body) {
      return { kind: 'atomic', body: body.ast().body, span: span(this) };
    },
    Stmt_lock(op, _o, lock, _c, _s) {
      return { kind: 'lock', op: op.sourceString, lock: lock.ast(), span: span(this) };
    },
    Stmt_await(_a, _o, test, _c, _s) {
      return { kind: 'await', test: test.ast(), span: span(this) };
    },
    Stmt_assertNamed(_a, name, _c, test, _s) {
      return { kind: 'assert', name: id(name), test: test.ast(), span: span(this) };
    },
    Stmt_assert(_a, test, _s) {
      return { kind: 'assert', test: test.ast(), span: span(this) };
    },
    Stmt_access(kind, order, page, _e, value, _w, guard, expectFault, _s) {
      const v = opt(value) as A.Expr | undefined;
      return {
        kind: 'access', access: kind.sourceString, order: opt(order), page: page.ast(), guard: opt(guard),
        expectFault: expectFault.numChildren > 0, data: v ? { op: 'store', value: v } : undefined, span: span(this),
      };
    },
    Stmt_letAccess(_l, name, _c, type, _e, access, _s) {
      return { ...access.ast(), result: { kind: 'let', name: id(name), type: opt(type) }, span: span(this) };
    },
    Stmt_assignAccess(target, _e, access, _s) {
      return { ...access.ast(), result: { kind: 'assign', target: target.ast() }, span: span(this) };
    },
    DataAccess_read(_r, order, page, tail) {
      return { kind: 'access', access: 'read', order: opt(order), page: page.ast(), data: { op: 'load' }, ...tail.ast() };
    },
    DataAccess_swap(_k, order, page, _e, value, tail) {
      return { kind: 'access', access: 'write', order: opt(order), page: page.ast(), data: { op: 'swap', value: value.ast() }, ...tail.ast() };
    },
    DataAccess_cas(_k, order, _o, page, _c1, expected, _c2, value, _c, tail) {
      return {
        kind: 'access', access: 'write', order: opt(order), page: page.ast(),
        data: { op: 'cas', expected: expected.ast(), value: value.ast() }, ...tail.ast(),
      };
    },
    AccessTail(_w, guard, expectFault) {
      return { guard: opt(guard), expectFault: expectFault.numChildren > 0 };
    },
    Order(kw, _la) {
      return kw.sourceString;
    },
    CasOrder(kw, _la) {
      return kw.sourceString;
    },
    Stmt_return(_r, value, _s) {
      return { kind: 'return', value: opt(value), span: span(this) };
    },
    Stmt_done(_d, _s) {
      return { kind: 'done', span: span(this) };
    },
    Stmt_fault(_f, _s) {
      return { kind: 'fault', span: span(this) };
    },
    Stmt_sigsegv(_k, _s) {
      return { kind: 'sigsegv', span: span(this) };
    },
    Stmt_skip(_k, _s) {
      return { kind: 'skip', span: span(this) };
    },
    Stmt_assign(target, _e, value, _s) {
      return { kind: 'assign', target: target.ast(), value: value.ast(), span: span(this) };
    },
    Stmt_expr(e, _s) {
      return { kind: 'expr', expr: e.ast(), span: span(this) };
    },
    Expr_cond(test, _q, then, _c, els) {
      return { kind: 'cond', test: test.ast(), then: then.ast(), else: els.ast(), span: span(this) };
    },
    Implies_implies: bin('=>'),
    Or_or: bin('||'),
    And_and: bin('&&'),
    Eq_eq: bin('=='),
    Eq_ne: bin('!='),
    Rel_le: bin('<='),
    Rel_ge: bin('>='),
    Rel_lt: bin('<'),
    Rel_gt: bin('>'),
    Add_add: bin('+'),
    Add_sub: bin('-'),
    Unary_not(_n, arg) {
      return { kind: 'unary', op: '!', arg: arg.ast(), span: span(this) };
    },
    Unary_neg(_n, arg) {
      return { kind: 'unary', op: '-', arg: arg.ast(), span: span(this) };
    },
    Postfix_call(callee, _o, args, _c) {
      const target = callee.ast() as A.Expr;
      if (target.kind !== 'ident') {
        throw new Diagnostic(target.span, 'only a named function or procedure can be called');
      }
      return { kind: 'call', callee: target.name, args: list(args), span: span(this) };
    },
    Postfix_field(target, _d, name) {
      return { kind: 'field', target: target.ast(), field: id(name), span: span(this) };
    },
    Postfix_index(target, _o, index, _c) {
      return { kind: 'index', target: target.ast(), index: index.ast(), span: span(this) };
    },
    Postfix_with(target, _w, _o, fields, _c) {
      return { kind: 'with', target: target.ast(), fields: list(fields), span: span(this) };
    },
    FieldSet(name, _c, value) {
      return { name: id(name), value: value.ast(), span: span(this) };
    },
    Primary_paren(_o, e, _c) {
      return e.ast();
    },
    Primary_record(type, _o, fields, _c) {
      return { kind: 'record', type: id(type), fields: list(fields), span: span(this) };
    },
    Primary_true(_t) {
      return { kind: 'bool', value: true, span: span(this) };
    },
    Primary_false(_f) {
      return { kind: 'bool', value: false, span: span(this) };
    },
    Primary_number(n) {
      const value = Number(n.sourceString);
      if (!Number.isSafeInteger(value)) throw new Diagnostic(span(this), 'number too large');
      return { kind: 'number', value, span: span(this) };
    },
    Primary_ident(name) {
      return { kind: 'ident', name: id(name), span: span(this) };
    },
  });
  return (m: ohm.MatchResult) => s(m);
}
