// Statements: checking, inlining of procedures and fault handlers, unrolling of `for`.
import type * as A from '../lang/ast.js';
import { Diagnostic, lineCol, type Span } from '../lang/source.js';
import { BARRIER_OPTIONS, type BarrierOption, type DataAccess, type Expr, type LValue, type Local, type Lock, type Stmt, type Type } from '../ir/model.js';
import { roomForStatements } from './bounds.js';
import { bindArgs, checkConstRange, checkExpr, expectType, interruptTarget, readsShared } from './expr.js';
import { nestedCall } from './depth.js';
import { fieldIndex, recordOf, type Ctx } from './scope.js';
import { BOOL, CPU, PAGE, assignable, constBool, constInt, constValue, typeName } from './types.js';

/** Most iterations a `for` loop may unroll to. */
const MAX_UNROLL = 64;

type StmtBody = Stmt extends infer S ? (S extends { id: number; span: Span } ? Omit<S, 'id' | 'span'> : never) : never;

function mk(ctx: Ctx, span: Span, body: StmtBody): Stmt {
  return { ...body, id: ctx.alloc.stmtId(), span } as Stmt;
}

export function checkBlock(ctx: Ctx, stmts: readonly A.Stmt[], span: Span): Stmt {
  ctx.push();
  ctx.blockLocals.push([]);
  try {
    const body = stmts.map((s) => checkStmt(ctx, s));
    return mk(ctx, span, { k: 'block', body, locals: ctx.blockLocals[ctx.blockLocals.length - 1]! });
  } finally {
    ctx.pop();
    ctx.blockLocals.pop();
  }
}

export function checkStmt(ctx: Ctx, s: A.Stmt): Stmt {
  const before = ctx.pteTouches;
  const out = checkStmtInner(ctx, s);
  if (SIMPLE.has(out.k)) onePteTouch(ctx, before, s.span);
  else ctx.pteTouches = before; // compound: its parts were checked on their own
  return out;
}

const SIMPLE = new Set<Stmt['k']>(['let', 'assign', 'setPte', 'lock', 'await', 'assert', 'return', 'flush', 'skip', 'barrier', 'tlbi']);

/**
 * A plain statement is one step; touching PTEs twice in it would make a load and a store atomic
 * that hardware can interleave with (the lost-dirty race itself).
 */
function onePteTouch(ctx: Ctx, before: number, span: Span): void {
  if (!ctx.inAtomic && ctx.pteTouches - before > 1) {
    throw new Diagnostic(span, 'this statement touches a PTE more than once in one step',
      'a plain load and store of a PTE are separate steps: split it into two statements, or wrap it in atomic { } if the kernel uses an atomic operation');
  }
  ctx.pteTouches = before;
}

function checkTest(ctx: Ctx, e: A.Expr, what: string): Expr {
  const before = ctx.pteTouches;
  const test = expectType(ctx, e, BOOL, what);
  onePteTouch(ctx, before, e.span);
  return test;
}

function notInAtomic(ctx: Ctx, s: A.Stmt, what: string): void {
  if (ctx.inAtomic) throw new Diagnostic(s.span, `${what} cannot appear inside atomic { }, a hardware rule or an interrupt handler (it would block or loop inside one step)`);
}

function checkStmtInner(ctx: Ctx, s: A.Stmt): Stmt {
  switch (s.kind) {
    case 'block': return checkBlock(ctx, s.body, s.span);
    case 'label': {
      const st = checkStmt(ctx, s.body);
      // `end...:` marks a valid end point (as SPIN's end labels) on a statement that can block;
      // on one that never blocks the CPU cannot stop there, so it means nothing more.
      return s.label.name.startsWith('end') && canBlock(st) ? { ...st, validEnd: true } : st;
    }
    case 'let': return checkLet(ctx, s);
    case 'assign': {
      const target = checkLValue(ctx, s.target);
      if (s.value.kind === 'call' && ctx.g.syms.get(s.value.callee.name)?.k === 'proc') {
        return inlineProc(ctx, s.value, target.lv, target.t);
      }
      const v = checkExpr(ctx, s.value);
      if (!assignable(target.t, v.t)) {
        throw new Diagnostic(s.value.span, `type mismatch: cannot assign ${typeName(v.t)} to ${typeName(target.t)}`,
          target.t.k === 'bool' && v.t.k === 'int' ? 'write true or false' : undefined);
      }
      checkConstRange(ctx, v.e, target.t, s.value.span);
      return mk(ctx, s.span, { k: 'assign', target: target.lv, value: v.e });
    }
    case 'if': {
      const test = checkTest(ctx, s.test, 'condition');
      const then = checkScoped(ctx, s.then);
      const els = s.else ? checkScoped(ctx, s.else) : undefined;
      return mk(ctx, s.span, { k: 'if', test, then, else: els });
    }
    case 'while': {
      notInAtomic(ctx, s, 'a while loop');
      if (s.bound === undefined) {
        throw new Diagnostic(s.span, 'this while loop has no bound',
          'write `while (cond) bound N { ... }`: the checker explores up to N iterations and reports `loop_bound` if more are possible');
      }
      if (s.bound < 1 || s.bound > 1000) throw new Diagnostic(s.span, `loop bound ${s.bound} is out of range 1..1000`);
      const test = checkTest(ctx, s.test, 'loop condition');
      const counter = ctx.alloc.local('#iterations', { k: 'int', lo: 0, hi: s.bound });
      return mk(ctx, s.span, { k: 'while', test, bound: s.bound, counter, body: checkScoped(ctx, s.body) });
    }
    case 'for': return unrollFor(ctx, s);
    case 'forCpu': {
      if (s.exceptSelf && ctx.selfCpu === undefined) {
        throw new Diagnostic(s.span, "'except self' needs the running CPU to be known: it is allowed in a CPU's program (and the procedures it calls), not here",
          'loop over every CPU and test it: for c in cpu { if (c != self) ... }');
      }
      const cpus = Array.from({ length: ctx.g.counts.cpus.length }, (_, i) => i).filter((i) => !s.exceptSelf || i !== ctx.selfCpu);
      return unroll(ctx, s.span, s.var, s.body, cpus.map((i) => ({ k: 'const', type: CPU, value: i })), CPU);
    }
    // Every page of the scenario, in declaration order (an rmap walk over the mappings of a folio).
    case 'forPage': return unroll(ctx, s.span, s.var, s.body, Array.from({ length: ctx.g.counts.pages.length }, (_, i) => ({ k: 'const', type: PAGE, value: i })), PAGE);
    case 'atomic': {
      if (ctx.inAtomic) return checkBlock(ctx, s.body, s.span);
      ctx.inAtomic = true;
      try {
        const [first, ...rest] = s.body;
        const guard = first?.kind === 'await' ? expectType(ctx, first.test, BOOL, 'await condition') : undefined;
        const block = checkBlock(ctx, guard ? rest : s.body, s.span) as Stmt & { k: 'block' };
        return mk(ctx, s.span, { k: 'atomic', guard, body: block.body, locals: block.locals });
      } finally {
        ctx.inAtomic = false;
      }
    }
    case 'lock': return checkLockOp(ctx, s);
    case 'await':
      notInAtomic(ctx, s, "'await' (other than as the first statement of atomic { })");
      return mk(ctx, s.span, { k: 'await', test: expectType(ctx, s.test, BOOL, 'await condition') });
    case 'assert': {
      notInAtomic(ctx, s, 'assert');
      if (ctx.mode !== 'program') throw new Diagnostic(s.span, 'assert belongs in a CPU program or procedure');
      const name = s.name?.name ?? `assert_line_${lineOf(s.span)}`;
      if (!ctx.asserts.some((a) => a.name === name)) ctx.asserts.push({ name, span: s.span });
      return mk(ctx, s.span, { k: 'assert', name, test: expectType(ctx, s.test, BOOL, 'assertion') });
    }
    case 'access': return checkAccess(ctx, s);
    case 'return': return checkReturn(ctx, s);
    case 'done':
    case 'fault':
      if (!ctx.inAccessRule) throw new Diagnostic(s.span, `'${s.kind};' ends an access rule and is allowed only inside 'access read' or 'access write'`);
      return mk(ctx, s.span, { k: s.kind });
    case 'skip': return mk(ctx, s.span, { k: 'skip' });
    case 'sigsegv':
      // A fatal fault: only a handler decides that the access cannot be fixed.
      if (!ctx.inHandler) throw new Diagnostic(s.span, "'sigsegv;' belongs in a fault handler: it makes the fault fatal, ending the access and the CPU's program");
      notInAtomic(ctx, s, 'sigsegv');
      return mk(ctx, s.span, { k: 'kill' });
    case 'expr': return checkExprStmt(ctx, s);
  }
}

/** A step that can be disabled: an await, a lock acquisition, a guarded atomic or a gated access. */
function canBlock(st: Stmt): boolean {
  switch (st.k) {
    case 'await': return true;
    case 'lock': return st.op === 'lock' || st.op === 'down_read' || st.op === 'down_write';
    case 'atomic': case 'access': return st.guard !== undefined;
    default: return false;
  }
}

function lineOf(span: Span): number {
  return lineCol(span.file, span.start).line;
}

/** A branch or loop body is its own scope even when it is a single statement. */
function checkScoped(ctx: Ctx, s: A.Stmt): Stmt {
  return s.kind === 'block' ? checkBlock(ctx, s.body, s.span) : checkBlock(ctx, [s], s.span);
}

function declareLocal(ctx: Ctx, name: A.Ident, type: Type): Local {
  const local = ctx.alloc.local(name.name, type);
  ctx.define(name, { k: 'local', local, readonly: false });
  ctx.blockLocals[ctx.blockLocals.length - 1]!.push(local);
  return local;
}

function checkLet(ctx: Ctx, s: A.Stmt & { kind: 'let' }): Stmt {
  const declared = s.type ? ctx.resolveType(s.type) : undefined;
  if (s.init.kind === 'call' && ctx.g.syms.get(s.init.callee.name)?.k === 'proc') {
    const decl = (ctx.g.syms.get(s.init.callee.name) as { decl: A.Item & { kind: 'proc' } }).decl;
    if (!decl.ret) throw new Diagnostic(s.init.span, `procedure '${decl.name.name}' returns no value`);
    const type = declared ?? ctx.resolveType(decl.ret);
    const call = inlineProc(ctx, s.init, undefined, type, (t) => declareLocal(ctx, s.name, t));
    return call;
  }
  const v = checkExpr(ctx, s.init);
  const type = declared ?? v.t;
  if (!declared && v.t.k === 'int') {
    throw new Diagnostic(s.name.span, `give '${s.name.name}' an int type with its range`, `for example: let ${s.name.name}: int[0..3] = ...;`);
  }
  if (!assignable(type, v.t)) throw new Diagnostic(s.init.span, `type mismatch: '${s.name.name}' is ${typeName(type)}, found ${typeName(v.t)}`);
  checkConstRange(ctx, v.e, type, s.init.span);
  const local = declareLocal(ctx, s.name, type);
  return mk(ctx, s.span, { k: 'let', local, value: v.e });
}

function checkLValue(ctx: Ctx, e: A.Expr): { lv: LValue; t: Type } {
  switch (e.kind) {
    case 'ident': {
      const local = ctx.lookupLocal(e.name.name);
      if (local?.k === 'local') return { lv: { k: 'local', local: local.local }, t: local.local.type };
      if (local) throw new Diagnostic(e.span, `'${e.name.name}' is a parameter and cannot be assigned`);
      if (ctx.mode === 'rule' && e.name.name === 'pte') return { lv: { k: 'rulePte' }, t: { k: 'pte' } };
      if (ctx.mode === 'rule' && e.name.name === 'tlb') return { lv: { k: 'ruleTlb' }, t: { k: 'tlbe' } };
      const sym = ctx.g.syms.get(e.name.name);
      if (!sym) throw ctx.unknown(e.name, 'variable');
      if (sym.k !== 'global') throw new Diagnostic(e.span, `'${e.name.name}' is not a variable and cannot be assigned`);
      if (sym.v.indexBy) throw new Diagnostic(e.span, `'${e.name.name}' is an array indexed by ${sym.v.indexBy}: write ${e.name.name}[...]`);
      return { lv: { k: 'global', v: sym.v }, t: sym.v.type };
    }
    case 'index': {
      const r = checkExpr(ctx, e);
      if (r.e.k !== 'global') throw new Diagnostic(e.span, 'only a variable array element can be assigned');
      return { lv: { k: 'global', v: r.e.v, index: r.e.index }, t: r.t };
    }
    case 'field': {
      const probe = checkExpr(ctx, e.target);
      if (probe.t.k === 'frame') {
        if (e.field.name !== 'freed') throw new Diagnostic(e.field.span, "only a frame's 'freed' flag can be assigned; 'version' counts completed writes");
        return { lv: { k: 'frameFreed', frame: probe.e }, t: BOOL };
      }
      const target = checkLValue(ctx, e.target);
      if (target.t.k !== 'pte' && target.t.k !== 'tlbe') throw new Diagnostic(e.field.span, `${typeName(target.t)} has no fields`);
      const rec = target.t.k;
      const { fields, what } = recordOf(ctx.g, rec);
      const index = fieldIndex(fields, e.field, what);
      return { lv: { k: 'field', rec, target: target.lv, index }, t: fields[index]!.type };
    }
    default:
      throw new Diagnostic(e.span, 'cannot assign to this expression');
  }
}

function unrollFor(ctx: Ctx, s: A.Stmt & { kind: 'for' }): Stmt {
  const from = constValue(checkExpr(ctx, s.from).e);
  const to = constValue(checkExpr(ctx, s.to).e);
  if (from === undefined || to === undefined) {
    throw new Diagnostic(from === undefined ? s.from.span : s.to.span, 'for loop bounds must be constants',
      'a loop over a variable range is unbounded; use `while (cond) bound N { ... }`');
  }
  if (to - from + 1 > MAX_UNROLL) throw new Diagnostic(s.span, `for loop of ${to - from + 1} iterations; at most ${MAX_UNROLL} are unrolled`);
  return unroll(ctx, s.span, s.var, s.body, Array.from({ length: to - from + 1 }, (_, i) => constInt(from + i)), { k: 'int', lo: from, hi: to });
}

/** The body once per value, with the loop variable standing for it. */
function unroll(ctx: Ctx, span: Span, v: A.Ident, stmt: A.Stmt, values: Expr[], type: Type): Stmt {
  const body: Stmt[] = [];
  for (const value of values) {
    roomForStatements(ctx.alloc, span, 'unrolling this for loop');
    ctx.push();
    try {
      ctx.define(v, { k: 'subst', expr: value, type });
      body.push(checkScoped(ctx, stmt));
    } finally {
      ctx.pop();
    }
  }
  return mk(ctx, span, { k: 'block', body, locals: [] });
}

function resolveLock(ctx: Ctx, e: A.Expr): { lock: Lock; page?: Expr } {
  const name = e.kind === 'ident' ? e.name : e.kind === 'index' && e.target.kind === 'ident' ? e.target.name : undefined;
  if (!name) throw new Diagnostic(e.span, 'expected a lock name');
  const sym = ctx.g.syms.get(name.name);
  if (!sym) throw new Diagnostic(name.span, `'${name.name}' is not a declared lock`, `declare it: spinlock ${name.name};`);
  if (sym.k !== 'lock') throw new Diagnostic(name.span, `'${name.name}' is not a lock`);
  if (sym.lock.perPage && e.kind !== 'index') throw new Diagnostic(e.span, `'${name.name}' is one lock per page: write ${name.name}[P]`);
  if (!sym.lock.perPage && e.kind === 'index') throw new Diagnostic(e.span, `'${name.name}' is a single lock, not one per page`);
  const page = e.kind === 'index' ? expectType(ctx, e.index, PAGE, 'lock index') : undefined;
  if (page && readsShared(page)) throw new Diagnostic(e.span, 'the lock index must not read shared state; load it into a local first');
  return { lock: sym.lock, page };
}

function checkLockOp(ctx: Ctx, s: A.Stmt & { kind: 'lock' }): Stmt {
  notInAtomic(ctx, s, 'a lock operation');
  if (ctx.mode !== 'program') throw new Diagnostic(s.span, 'locks are taken only by CPU programs');
  const { lock, page } = resolveLock(ctx, s.lock);
  const spin = s.op === 'lock' || s.op === 'unlock';
  if (spin !== (lock.kind === 'spinlock')) {
    throw new Diagnostic(s.span, `'${lock.name}' is a ${lock.kind}: use ${lock.kind === 'spinlock' ? 'lock/unlock' : 'down_read/up_read or down_write/up_write/downgrade_write'}`);
  }
  return mk(ctx, s.span, { k: 'lock', op: s.op, lock, page });
}

function checkAccess(ctx: Ctx, s: A.Stmt & { kind: 'access' }): Stmt {
  notInAtomic(ctx, s, 'a user access');
  if (ctx.mode !== 'program') throw new Diagnostic(s.span, 'user accesses are made only by CPU programs');
  if (ctx.inHandler) throw new Diagnostic(s.span, 'a fault handler cannot make user accesses (they could fault again without bound)');
  const page = expectType(ctx, s.page, PAGE, 'accessed page');
  if (readsShared(page)) throw new Diagnostic(s.page.span, 'the accessed page must not read shared state; load it into a local first');
  const guard = s.guard ? expectType(ctx, s.guard, BOOL, 'access guard') : undefined;
  // `expect fault`: an assert-kind property broken if this access ever completes.
  const expectFault = s.expectFault ? `expected_fault_line_${lineOf(s.span)}` : undefined;
  if (expectFault && !ctx.asserts.some((a) => a.name === expectFault)) ctx.asserts.push({ name: expectFault, span: s.span });
  const order = checkOrder(s);
  const data = s.data ? checkData(ctx, s) : undefined;
  const h = ctx.g.handlers[s.access];
  if (!h) return mk(ctx, s.span, { k: 'access', access: s.access, page, guard, expectFault, order, data });
  ctx.inHandler = true;
  try {
    const handler = ctx.isolated(() => {
      ctx.define(h.param, { k: 'subst', expr: page, type: PAGE });
      return checkBlock(ctx, h.body, h.span);
    });
    return mk(ctx, s.span, { k: 'access', access: s.access, page, guard, expectFault, handler, order, data });
  } finally {
    ctx.inHandler = false;
  }
}

/** LDAR is a read, STLR a write; SWP and CAS may be either or both (SWPA, SWPL, SWPAL). */
function checkOrder(s: A.Stmt & { kind: 'access' }): 'acquire' | 'release' | 'acq_rel' | undefined {
  const o = s.order;
  if (!o) return undefined;
  const rmw = s.data?.op === 'swap' || s.data?.op === 'cas';
  if (!rmw && s.access === 'read' && o !== 'acquire') throw new Diagnostic(s.span, `a read can be 'acquire' (LDAR), not '${o}'`);
  if (!rmw && s.access === 'write' && o !== 'release') throw new Diagnostic(s.span, `a write can be 'release' (STLR), not '${o}'`, o === 'acquire' ? 'an acquiring write is an atomic: let r = swap acquire P = v;' : undefined);
  if (!s.data && o) throw new Diagnostic(s.span, `an ordered ${s.access} carries a data value: write ${s.access === 'read' ? `let r = read ${o} P;` : `write ${o} P = v;`}`);
  return o;
}

/**
 * The data part of an access. Stored and compared values are evaluated in the access's own
 * step, so they may not read shared state (as a register's value on a real CPU).
 */
function checkData(ctx: Ctx, s: A.Stmt & { kind: 'access' }): DataAccess {
  const d = s.data!;
  const dt = ctx.g.dataType;
  const operand = (e: A.Expr, what: string): Expr => {
    const v = expectType(ctx, e, { k: 'int', lo: dt.lo, hi: dt.hi }, what);
    if (readsShared(v)) throw new Diagnostic(e.span, `the ${what} must not read shared state; load it into a local first`);
    checkConstRange(ctx, v, dt, e.span);
    return v;
  };
  if (d.op === 'store') {
    if (s.access !== 'write') throw new Diagnostic(s.span, "only a write stores a value: 'write P = v;'");
    if (s.result) throw new Diagnostic(s.span, "a store gives no value: write 'write P = v;' on its own");
    return { op: 'store', value: operand(d.value, 'stored value') };
  }
  const value = d.op === 'load' ? undefined : operand(d.value, d.op === 'swap' ? 'swapped-in value' : 'new value');
  const expected = d.op === 'cas' ? operand(d.expected, 'expected value') : undefined;
  const into = accessResult(ctx, s.result!, s.span);
  if (d.op === 'load') return { op: 'load', into };
  if (d.op === 'swap') return { op: 'swap', value: value!, into };
  return { op: 'cas', expected: expected!, value: value!, into };
}

/** Where `let r = read P;` / `r = read P;` puts the loaded value (a new local has the data type). */
function accessResult(ctx: Ctx, r: A.AccessResult, span: Span): LValue {
  const dt = ctx.g.dataType;
  if (r.kind === 'let') {
    const type = r.type ? ctx.resolveType(r.type) : dt;
    if (type.k !== 'int') throw new Diagnostic(r.type!.span, `a loaded data value is an int (${typeName(dt)}), not ${typeName(type)}`);
    return { k: 'local', local: declareLocal(ctx, r.name, type) };
  }
  const target = checkLValue(ctx, r.target);
  if (target.t.k !== 'int') throw new Diagnostic(r.target.span, `a loaded data value is an int (${typeName(dt)}); '${typeName(target.t)}' cannot hold it`);
  if (lvalueReadsShared(target.lv)) throw new Diagnostic(r.target.span, 'the index of the loaded-into place must not read shared state');
  void span;
  return target.lv;
}

function lvalueReadsShared(lv: LValue): boolean {
  if (lv.k === 'global') return !!lv.index && readsShared(lv.index);
  if (lv.k === 'field') return lvalueReadsShared(lv.target);
  return false;
}

function checkReturn(ctx: Ctx, s: A.Stmt & { kind: 'return' }): Stmt {
  const call = ctx.call;
  if (!call) throw new Diagnostic(s.span, "'return' outside a procedure");
  if (!s.value) {
    if (call.ret) throw new Diagnostic(s.span, `procedure '${call.name}' must return a ${typeName(call.ret)}`);
    return mk(ctx, s.span, { k: 'return', callId: call.id });
  }
  if (!call.ret) throw new Diagnostic(s.value.span, `procedure '${call.name}' returns no value`);
  if (s.value.kind === 'call' && ctx.g.syms.get(s.value.callee.name)?.k === 'proc') {
    // `return f(...)`: f's own return delivers the value to our caller.
    const inner = inlineProc(ctx, s.value, call.target, call.ret);
    const exit = mk(ctx, s.span, { k: 'return', callId: call.id });
    return mk(ctx, s.span, { k: 'block', body: [inner, exit], locals: [] });
  }
  const value = expectType(ctx, s.value, call.ret, 'returned value');
  return mk(ctx, s.span, { k: 'return', callId: call.id, target: call.target, value });
}

/**
 * Inlines a procedure call. Parameters are substituted by name, which equals call-by-value
 * because arguments may not read shared state and parameters are read-only.
 */
function inlineProc(
  ctx: Ctx, call: A.Expr & { kind: 'call' }, target: LValue | undefined, targetType: Type | undefined,
  declareTarget?: (t: Type) => Local,
): Stmt {
  const decl = (ctx.g.syms.get(call.callee.name) as { decl: A.Item & { kind: 'proc' } }).decl;
  if (ctx.callStack.includes(decl.name.name)) {
    throw new Diagnostic(call.span, `recursive call of '${decl.name.name}': procedures are inlined, so recursion cannot be bounded`);
  }
  const ret = decl.ret ? ctx.resolveType(decl.ret) : undefined;
  if (targetType && !ret) throw new Diagnostic(call.span, `procedure '${decl.name.name}' returns no value`);
  if (targetType && ret && !assignable(targetType, ret)) {
    throw new Diagnostic(call.span, `type mismatch: '${decl.name.name}' returns ${typeName(ret)}, expected ${typeName(targetType)}`);
  }
  const args = bindArgs(ctx, decl.params, call, ctx.resolveType);
  args.forEach((a, i) => {
    if (readsShared(a.expr)) {
      throw new Diagnostic(call.args[i]!.span, `argument '${a.name.name}' reads shared state`,
        'arguments are substituted into the body; load the value into a local first (let v = ...;)');
    }
  });
  roomForStatements(ctx.alloc, call.span, `inlining '${decl.name.name}' here${ctx.callStack.length ? ` (inside ${ctx.callStack.join(' → ')})` : ''}`);
  const lv = declareTarget ? { k: 'local' as const, local: declareTarget(targetType ?? ret!) } : target;
  const callId = ctx.alloc.stmtId();
  const saved = ctx.call;
  ctx.callStack.push(decl.name.name);
  ctx.call = { id: callId, ret, name: decl.name.name, target: lv };
  try {
    const body = nestedCall(ctx, decl, call, () => ctx.isolated(() => {
      for (const a of args) ctx.define(a.name, { k: 'subst', expr: a.expr, type: a.type });
      return checkBlock(ctx, decl.body, decl.span);
    }));
    return { k: 'call', name: decl.name.name, target: lv, body, callId, id: ctx.alloc.stmtId(), span: call.span };
  } catch (e) {
    throw atCallSite(e, call, decl.name.name);
  } finally {
    ctx.call = saved;
    ctx.callStack.pop();
  }
}

/**
 * An error inside a procedure of another file (a library's, an arch's) is the caller's to fix,
 * or is the library's, and the caller needs both places: it is reported at the call, with the
 * line inside the procedure as a note (the innermost one, when calls cross several files).
 */
function atCallSite(e: unknown, call: A.Expr & { kind: 'call' }, name: string): unknown {
  if (!(e instanceof Diagnostic) || e.span.file === call.span.file) return e;
  return new Diagnostic(call.span, `in '${name}': ${e.message}`, e.hint, e.note ?? { span: e.span, message: 'the line it arises at, inside the procedure' });
}

function checkExprStmt(ctx: Ctx, s: A.Stmt & { kind: 'expr' }): Stmt {
  const e = s.expr;
  if (e.kind !== 'call') throw new Diagnostic(e.span, 'this expression has no effect', 'a statement is an assignment, a call, or a keyword statement');
  const name = e.callee.name;
  const sym = ctx.g.syms.get(name);
  if (sym?.k === 'proc') return inlineProc(ctx, e, undefined, undefined);
  if (!sym && name === 'set_pte') {
    if (e.args.length !== 2) throw new Diagnostic(e.span, `'set_pte' takes 2 arguments, found ${e.args.length}`);
    const page = expectType(ctx, e.args[0]!, PAGE, 'page of set_pte');
    const value = expectType(ctx, e.args[1]!, { k: 'pte' }, 'value of set_pte');
    ctx.pteTouches++;
    return mk(ctx, s.span, { k: 'setPte', page, value });
  }
  if (!sym && (name === 'flush' || name === 'flush_local' || name === 'flush_all' || name === 'flush_local_all')) {
    const local = name.startsWith('flush_local');
    if (name.endsWith('_all')) {
      if (e.args.length) throw new Diagnostic(e.span, `'${name}' takes no arguments`);
      return mk(ctx, s.span, { k: 'flush', pages: 'all', local });
    }
    if (!e.args.length) throw new Diagnostic(e.span, `'${name}' needs the pages to flush`, `or write ${name}_all()`);
    const pages = e.args.map((a) => expectType(ctx, a, PAGE, `page of ${name}`));
    return mk(ctx, s.span, { k: 'flush', pages, local });
  }
  if (!sym && (name === 'dmb' || name === 'dsb' || name === 'isb' || name === 'tlbi')) return checkArmBarrier(ctx, s, name);
  if (!sym && name === 'send_ipi') {
    // One store: the request is raised on the target CPU (its local APIC's IRR bit), and taken
    // later, in a step of that CPU's own (docs/LANGUAGE.md, "Interrupts").
    if (ctx.mode !== 'program' && ctx.mode !== 'interrupt') throw new Diagnostic(e.span, 'send_ipi belongs in a CPU program, a procedure or an interrupt handler');
    const { pending, cpu } = interruptTarget(ctx, e);
    return mk(ctx, s.span, { k: 'assign', target: { k: 'global', v: pending, index: cpu }, value: constBool(true) });
  }
  if (sym?.k === 'fn' || (!sym && (name === 'ptep_get' || name === 'tlb' || name === 'frame_of' || name === 'ipi_pending'))) {
    throw new Diagnostic(e.span, `the value of '${name}' is unused`, `assign it: let v = ${name}(...);`);
  }
  if (!sym) throw ctx.unknown(e.callee, 'procedure');
  throw new Diagnostic(e.callee.span, `'${name}' cannot be called`);
}

/** TLBI operations by VA (one page) and by ASID or all (every page: one address space is modelled). */
const TLBI_BY_VA = ['vae1', 'vae1is', 'vale1', 'vale1is', 'vaae1', 'vaae1is', 'vaale1', 'vaale1is'];
const TLBI_ALL = ['vmalle1', 'vmalle1is', 'aside1', 'aside1is'];

/** `dmb(o)`, `dsb(o)`, `isb()`, `tlbi(op[, P])`: arm64 instructions, one step each. */
function checkArmBarrier(ctx: Ctx, s: A.Stmt & { kind: 'expr' }, name: 'dmb' | 'dsb' | 'isb' | 'tlbi'): Stmt {
  const e = s.expr as A.Expr & { kind: 'call' };
  if (!ctx.g.archChain.includes('arm64')) {
    throw new Diagnostic(e.callee.span, `'${name}' is an arm64 instruction; ${ctx.g.archName} is not an arm64 model`,
      'flush(P) is the architecture-neutral completed invalidation');
  }
  if (ctx.mode !== 'program') throw new Diagnostic(e.span, `'${name}' is executed only by CPU programs`);
  notInAtomic(ctx, s, `'${name}'`);
  const word = (a: A.Expr | undefined, allowed: readonly string[], what: string): string => {
    if (!a || a.kind !== 'ident' || !allowed.includes(a.name.name)) {
      throw new Diagnostic(a?.span ?? e.span, `expected ${what}: one of ${allowed.join(', ')}`);
    }
    return a.name.name;
  };
  if (name === 'isb') {
    if (e.args.length) throw new Diagnostic(e.args[0]!.span, "'isb' takes no arguments: isb();");
    return mk(ctx, s.span, { k: 'barrier', op: 'isb', option: 'sy' });
  }
  if (name === 'dmb' || name === 'dsb') {
    if (e.args.length !== 1) throw new Diagnostic(e.span, `'${name}' takes one option: ${name}(ish);`, `the options are ${BARRIER_OPTIONS.join(', ')}`);
    const option = word(e.args[0], BARRIER_OPTIONS, `a ${name.toUpperCase()} option`) as BarrierOption;
    return mk(ctx, s.span, { k: 'barrier', op: name, option });
  }
  const op = word(e.args[0], [...TLBI_BY_VA, ...TLBI_ALL], 'a TLBI operation');
  const broadcast = op.endsWith('is');
  if (TLBI_ALL.includes(op)) {
    if (e.args.length !== 1) throw new Diagnostic(e.args[1]!.span, `tlbi(${op}) invalidates every page and takes no page`);
    return mk(ctx, s.span, { k: 'tlbi', op, pages: 'all', broadcast });
  }
  if (e.args.length !== 2) throw new Diagnostic(e.span, `tlbi(${op}, P) invalidates one page: give the page`);
  const page = expectType(ctx, e.args[1]!, PAGE, `page of tlbi`);
  if (readsShared(page)) throw new Diagnostic(e.args[1]!.span, 'the page of tlbi must not read shared state; load it into a local first');
  return mk(ctx, s.span, { k: 'tlbi', op, pages: [page], broadcast });
}

/** Whether every path through `stmts` ends in `done;` or `fault;`. */
export function endsInOutcome(stmts: readonly Stmt[]): boolean {
  return stmts.some(alwaysEnds);
}

function alwaysEnds(s: Stmt): boolean {
  if (s.k === 'done' || s.k === 'fault') return true;
  if (s.k === 'block') return endsInOutcome(s.body);
  if (s.k === 'if') return !!s.else && alwaysEnds(s.then) && alwaysEnds(s.else);
  return false;
}
