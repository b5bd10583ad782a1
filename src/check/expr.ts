// Expressions: resolution, typing, and inlining of pure `fn` helpers into the expression tree.
import type * as A from '../lang/ast.js';
import { Diagnostic, spanText, type Span } from '../lang/source.js';
import type { Expr, GlobalVar, RecordKind, Type } from '../ir/model.js';
import { someExpr } from '../ir/walk.js';
import { nestedCall } from './depth.js';
import { fieldIndex, recordOf, type Ctx } from './scope.js';
import { BOOL, CPU, FRAME, PAGE, assignable, constBool, constInt, constValue, inRange, isScalar, typeName } from './types.js';

export interface Typed {
  readonly e: Expr;
  readonly t: Type;
}

/** Built-ins that are statements, not values; named here so the message can say so. */
const STATEMENT_BUILTINS = new Set(['set_pte', 'flush', 'flush_all', 'flush_local', 'flush_local_all', 'dmb', 'dsb', 'isb', 'tlbi', 'send_ipi']);

export function expectType(ctx: Ctx, node: A.Expr, want: Type, what = 'expression'): Expr {
  const got = checkExpr(ctx, node);
  if (!assignable(want, got.t)) {
    throw new Diagnostic(node.span, `type mismatch: ${what} must be ${typeName(want)}, found ${typeName(got.t)}`,
      want.k === 'bool' && got.t.k === 'int' ? boolHint(node) : undefined);
  }
  checkConstRange(ctx, got.e, want, node.span);
  return got.e;
}

/** What to write where an int stands for a bool: a literal is true/false, anything else a comparison. */
function boolHint(node: A.Expr): string {
  const text = spanText(node.span);
  if (node.kind === 'number') return 'write true or false';
  return text.length > 40 || text.includes('\n') ? 'compare the value, for example: (...) != 0' : `compare the value, for example: ${text} != 0`;
}

export function checkConstRange(ctx: Ctx, e: Expr, want: Type, span: Span): void {
  if (!isScalar(want)) return;
  const v = constValue(e);
  if (v !== undefined && !inRange(want, v, ctx.g.counts)) {
    throw new Diagnostic(span, `value ${v} is out of range for ${typeName(want)}`);
  }
}

export function checkExpr(ctx: Ctx, node: A.Expr): Typed {
  switch (node.kind) {
    case 'bool': return { e: constBool(node.value), t: BOOL };
    case 'number': return { e: constInt(node.value), t: { k: 'int', lo: node.value, hi: node.value } };
    case 'ident': return checkIdent(ctx, node.name);
    case 'record': return checkRecord(ctx, node);
    case 'call': return checkCall(ctx, node);
    case 'field': return checkField(ctx, node);
    case 'index': return checkIndex(ctx, node);
    case 'with': {
      const target = checkExpr(ctx, node.target);
      if (target.t.k !== 'pte' && target.t.k !== 'tlbe') {
        throw new Diagnostic(node.target.span, `'with' updates a pte or tlbe record, not ${typeName(target.t)}`);
      }
      const rec = target.t.k;
      const sets = node.fields.map((f) => setField(ctx, rec, f));
      return { e: { k: 'with', rec, target: target.e, sets }, t: target.t };
    }
    case 'unary': {
      if (node.op === '!') return { e: { k: 'not', arg: expectType(ctx, node.arg, BOOL, "operand of '!'") }, t: BOOL };
      const arg = checkExpr(ctx, node.arg);
      if (arg.t.k !== 'int') throw new Diagnostic(node.arg.span, `type mismatch: operand of '-' must be int, found ${typeName(arg.t)}`);
      return { e: { k: 'neg', arg: arg.e }, t: { k: 'int', lo: -arg.t.hi, hi: -arg.t.lo } };
    }
    case 'binary': return checkBinary(ctx, node);
    case 'cond': {
      const test = expectType(ctx, node.test, BOOL, 'condition');
      const a = checkExpr(ctx, node.then);
      const b = checkExpr(ctx, node.else);
      return { e: { k: 'ite', test, then: a.e, else: b.e }, t: joinTypes(a.t, b.t, node.else.span) };
    }
  }
}

function joinTypes(a: Type, b: Type, span: Span): Type {
  if (a.k === 'int' && b.k === 'int') return { k: 'int', lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
  if (!assignable(a, b)) throw new Diagnostic(span, `type mismatch: both branches must have one type, found ${typeName(a)} and ${typeName(b)}`);
  return a;
}

function checkIdent(ctx: Ctx, name: A.Ident): Typed {
  const local = ctx.lookupLocal(name.name);
  if (local) return local.k === 'local' ? { e: { k: 'local', local: local.local }, t: local.local.type } : { e: local.expr, t: local.type };
  if (ctx.mode === 'rule' && name.name === 'pte') return sharedRead(ctx, name.span, 'the rule\'s PTE', { e: { k: 'rulePte' }, t: { k: 'pte' } });
  if (ctx.mode === 'rule' && name.name === 'tlb') return sharedRead(ctx, name.span, 'the rule\'s TLB entry', { e: { k: 'ruleTlb' }, t: { k: 'tlbe' } });
  if (ctx.binders) {
    if (name.name === ctx.binders.cpu) return { e: { k: 'accessCpu' }, t: CPU };
    if (name.name === ctx.binders.page) return { e: { k: 'accessPage' }, t: PAGE };
    if (name.name === ctx.binders.frame) return { e: { k: 'accessFrame' }, t: FRAME };
  }
  if (name.name === 'self') {
    if (ctx.mode !== 'program' && ctx.mode !== 'rule' && ctx.mode !== 'interrupt') throw new Diagnostic(name.span, "'self' names the running CPU; it has no meaning in a property");
    return { e: { k: 'self' }, t: CPU };
  }
  if (name.name === 'empty') return { e: { k: 'record', rec: 'tlbe', fields: ctx.g.tlbFields.map(() => constInt(0)) }, t: { k: 'tlbe' } };
  const sym = ctx.g.syms.get(name.name);
  if (!sym) throw ctx.unknown(name);
  switch (sym.k) {
    case 'page': return { e: { k: 'const', type: PAGE, value: sym.index }, t: PAGE };
    case 'frame': return { e: { k: 'const', type: FRAME, value: sym.index }, t: FRAME };
    case 'cpu': return { e: { k: 'const', type: CPU, value: sym.index }, t: CPU };
    case 'cpuGroup': throw new Diagnostic(name.span, `'${name.name}' is a group of ${sym.count} CPUs: write ${name.name}[0] .. ${name.name}[${sym.count - 1}]`);
    case 'global':
      if (sym.v.indexBy) throw new Diagnostic(name.span, `'${name.name}' is an array indexed by ${sym.v.indexBy}: write ${name.name}[...]`);
      return sharedRead(ctx, name.span, `the global '${name.name}'`, { e: { k: 'global', v: sym.v }, t: sym.v.type });
    case 'lock': throw new Diagnostic(name.span, `'${name.name}' is a lock, not a value`);
    case 'enumType': throw new Diagnostic(name.span, `'${name.name}' is a type, not a value`);
    case 'enumMember': return { e: { k: 'const', type: sym.type, value: sym.index }, t: sym.type };
    case 'param':
      if (sym.perCpu) throw new Diagnostic(name.span, `'${name.name}' is a per-CPU parameter: write ${name.name}[self] (or ${name.name}[c] for a CPU c)`);
      return { e: sym.value, t: (sym.value as Expr & { k: 'const' }).type };
    case 'fn':
    case 'proc': throw new Diagnostic(name.span, `'${name.name}' is a ${sym.k === 'fn' ? 'function' : 'procedure'}: call it as ${name.name}(...)`);
  }
}

function setField(ctx: Ctx, rec: RecordKind, f: A.FieldSet): readonly [number, Expr] {
  const { fields, what } = recordOf(ctx.g, rec);
  const i = fieldIndex(fields, f.name, what);
  return [i, expectType(ctx, f.value, fields[i]!.type, `field '${f.name.name}'`)];
}

function checkRecord(ctx: Ctx, node: A.Expr & { kind: 'record' }): Typed {
  const rec = node.type.name;
  if (rec !== 'pte' && rec !== 'tlbe') {
    throw new Diagnostic(node.type.span, `unknown record type '${rec}': records are pte { ... } and tlbe { ... }`);
  }
  const { fields } = recordOf(ctx.g, rec);
  const values: Expr[] = fields.map((_, i) => constInt(rec === 'tlbe' && i === 0 ? 1 : 0));
  const seen = new Set<string>();
  for (const f of node.fields) {
    if (seen.has(f.name.name)) throw new Diagnostic(f.name.span, `field '${f.name.name}' is set twice`);
    seen.add(f.name.name);
    const [i, v] = setField(ctx, rec, f);
    values[i] = v;
  }
  return { e: { k: 'record', rec, fields: values }, t: { k: rec } };
}

function arity(node: A.Expr & { kind: 'call' }, n: number): void {
  if (node.args.length !== n) {
    throw new Diagnostic(node.span, `'${node.callee.name}' takes ${n} argument${n === 1 ? '' : 's'}, found ${node.args.length}`);
  }
}

function checkCall(ctx: Ctx, node: A.Expr & { kind: 'call' }): Typed {
  const name = node.callee.name;
  const sym = ctx.g.syms.get(name);
  if (!sym && name === 'ptep_get') {
    arity(node, 1);
    const page = expectType(ctx, node.args[0]!, PAGE, 'argument of ptep_get');
    ctx.pteTouches++;
    return sharedRead(ctx, node.span, 'a PTE', { e: { k: 'pteOf', page }, t: { k: 'pte' } });
  }
  if (!sym && name === 'killed') {
    arity(node, 1);
    return { e: { k: 'killed', cpu: expectType(ctx, node.args[0]!, CPU, 'argument of killed') }, t: BOOL };
  }
  if (!sym && name === 'tlb') {
    arity(node, 2);
    const cpu = expectType(ctx, node.args[0]!, CPU, 'first argument of tlb');
    const page = expectType(ctx, node.args[1]!, PAGE, 'second argument of tlb');
    return sharedRead(ctx, node.span, 'a TLB entry', { e: { k: 'tlbOf', cpu, page }, t: { k: 'tlbe' } });
  }
  if (!sym && name === 'ipi_pending') {
    const { pending, cpu } = interruptTarget(ctx, node);
    return sharedRead(ctx, node.span, 'whether an interrupt is pending', { e: { k: 'global', v: pending, index: cpu }, t: BOOL });
  }
  if (!sym && name === 'frame_of') {
    arity(node, 1);
    const target = checkExpr(ctx, node.args[0]!);
    if (target.t.k === 'pte') return { e: { k: 'field', rec: 'pte', target: target.e, index: pfnIndex(ctx, 'pte') }, t: FRAME };
    if (target.t.k === 'tlbe') return { e: { k: 'field', rec: 'tlbe', target: target.e, index: pfnIndex(ctx, 'tlbe') }, t: FRAME };
    throw new Diagnostic(node.args[0]!.span, `type mismatch: frame_of takes a pte or tlbe, found ${typeName(target.t)}`);
  }
  if (!sym && STATEMENT_BUILTINS.has(name)) {
    throw new Diagnostic(node.span, `'${name}' is a statement, not a value: write it on its own line`);
  }
  if (!sym) throw ctx.unknown(node.callee, 'function');
  if (sym.k === 'proc') {
    throw new Diagnostic(node.span, `procedure '${name}' takes steps and cannot be part of an expression`,
      `call it as a statement: let v = ${name}(...);`);
  }
  if (sym.k !== 'fn') throw new Diagnostic(node.callee.span, `'${name}' is not a function`);
  return inlineFn(ctx, sym.decl, node);
}

/** `send_ipi(NAME, c)` / `ipi_pending(NAME, c)`: interrupt NAME's pending flags and the CPU. */
export function interruptTarget(ctx: Ctx, node: A.Expr & { kind: 'call' }): { pending: GlobalVar; cpu: Expr } {
  arity(node, 2);
  const [name, cpu] = node.args as [A.Expr, A.Expr];
  if (name.kind !== 'ident') throw new Diagnostic(name.span, `the first argument of ${node.callee.name} is the name of an interrupt handler`);
  return { pending: ctx.g.interrupt(name.name), cpu: expectType(ctx, cpu, CPU, `CPU of ${node.callee.name}`) };
}

export function pfnIndex(ctx: Ctx, rec: RecordKind): number {
  return pfnFieldIndex(recordOf(ctx.g, rec).fields);
}

/** The frame a translation uses: the only field of type frame, or, when a record has several (a
 * second cached translation, a saved frame), the one named `pfn`. */
export function pfnFieldIndex(fields: readonly { readonly name: string; readonly type: { readonly k: string } }[]): number {
  const frames = fields.filter((f) => f.type.k === 'frame');
  return fields.indexOf(frames.length === 1 ? frames[0]! : frames.find((f) => f.name === 'pfn')!);
}

/** Parameters bound by name to checked argument expressions, after checking arity and types. */
export function bindArgs(ctx: Ctx, params: readonly A.Param[], call: A.Expr & { kind: 'call' }, resolveType: (t: A.TypeExpr) => Type) {
  arity(call, params.length);
  return params.map((p, i) => {
    const type = resolveType(p.type);
    return { name: p.name, type, expr: expectType(ctx, call.args[i]!, type, `argument '${p.name.name}' of ${call.callee.name}`) };
  });
}

function inlineFn(ctx: Ctx, decl: A.Item & { kind: 'fn' }, call: A.Expr & { kind: 'call' }): Typed {
  if (ctx.callStack.includes(decl.name.name)) {
    throw new Diagnostic(call.span, `recursive call of '${decl.name.name}': functions are inlined, so recursion cannot be bounded`);
  }
  const args = bindArgs(ctx, decl.params, call, ctx.resolveType);
  const ret = ctx.resolveType(decl.ret);
  ctx.callStack.push(decl.name.name);
  const caller = ctx.inFn;
  ctx.inFn = decl.name.name;
  try {
    return nestedCall(ctx, decl, call, () => ctx.isolated(() => {
      for (const a of args) ctx.define(a.name, { k: 'subst', expr: a.expr, type: a.type });
      const e = fnBody(ctx, decl.body, ret, decl);
      return { e, t: ret };
    }));
  } finally {
    ctx.inFn = caller;
    ctx.callStack.pop();
  }
}

/** A function body (let, if/else, return) as one expression: `if (c) return a; return b;` is `c ? a : b`. */
export function fnBody(ctx: Ctx, stmts: readonly A.Stmt[], ret: Type, decl: A.Item & { kind: 'fn' }): Expr {
  const [first, ...rest] = stmts;
  if (!first) throw new Diagnostic(decl.name.span, `function '${decl.name.name}' may end without returning a value`);
  switch (first.kind) {
    case 'block': return fnBody(ctx, [...first.body, ...rest], ret, decl);
    case 'return':
      if (!first.value) throw new Diagnostic(first.span, `function '${decl.name.name}' must return a ${typeName(ret)}`);
      return expectType(ctx, first.value, ret, 'returned value');
    case 'let': {
      const v = checkExpr(ctx, first.init);
      const type = first.type ? ctx.resolveType(first.type) : v.t;
      if (!assignable(type, v.t)) throw new Diagnostic(first.init.span, `type mismatch: '${first.name.name}' is ${typeName(type)}, found ${typeName(v.t)}`);
      ctx.push();
      try {
        ctx.define(first.name, { k: 'subst', expr: v.e, type });
        return fnBody(ctx, rest, ret, decl);
      } finally {
        ctx.pop();
      }
    }
    case 'if': {
      const test = expectType(ctx, first.test, BOOL, 'condition');
      const then = fnBody(ctx, [first.then, ...rest], ret, decl);
      const els = fnBody(ctx, first.else ? [first.else, ...rest] : rest, ret, decl);
      return { k: 'ite', test, then, else: els };
    }
    default:
      throw new Diagnostic(first.span, `a function body may only contain let, if/else and return; use a proc for statements that take steps`);
  }
}

function checkField(ctx: Ctx, node: A.Expr & { kind: 'field' }): Typed {
  const target = checkExpr(ctx, node.target);
  if (target.t.k === 'pte' || target.t.k === 'tlbe') {
    const rec = target.t.k;
    const { fields, what } = recordOf(ctx.g, rec);
    const index = fieldIndex(fields, node.field, what);
    return { e: { k: 'field', rec, target: target.e, index }, t: fields[index]!.type };
  }
  if (target.t.k === 'frame') {
    if (node.field.name === 'version') return sharedRead(ctx, node.span, 'a frame\'s version', { e: { k: 'frameVersion', frame: target.e }, t: { k: 'int', lo: 0, hi: ctx.g.maxVersion } });
    if (node.field.name === 'freed') return sharedRead(ctx, node.span, 'whether a frame is freed', { e: { k: 'frameFreed', frame: target.e }, t: BOOL });
    if (node.field.name === 'data') return sharedRead(ctx, node.span, "a frame's data", { e: { k: 'frameData', frame: target.e }, t: ctx.g.dataType });
    throw new Diagnostic(node.field.span, `a frame has no field '${node.field.name}'; its fields are version, freed, data`);
  }
  throw new Diagnostic(node.field.span, `${typeName(target.t)} has no fields (only pte, tlbe and frame values do)`);
}

function checkIndex(ctx: Ctx, node: A.Expr & { kind: 'index' }): Typed {
  if (node.target.kind !== 'ident') throw new Diagnostic(node.span, 'only arrays and CPU groups can be indexed');
  const sym = ctx.g.syms.get(node.target.name.name);
  if (sym?.k === 'cpuGroup' && !ctx.lookupLocal(node.target.name.name)) {
    const i = constValue(expectType(ctx, node.index, { k: 'int', lo: 0, hi: sym.count - 1 }, 'CPU index'));
    if (i === undefined) throw new Diagnostic(node.index.span, 'a CPU group index must be a constant');
    return { e: { k: 'const', type: CPU, value: sym.first + i }, t: CPU };
  }
  if (sym?.k === 'param' && sym.perCpu && !ctx.lookupLocal(node.target.name.name)) {
    const type = (sym.value as Expr & { k: 'const' }).type;
    const cpu = expectType(ctx, node.index, CPU, `index of '${node.target.name.name}'`);
    const c = constValue(cpu);
    return { e: c !== undefined ? { k: 'const', type, value: sym.perCpu[c]! } : { k: 'cpuTable', type, values: sym.perCpu, cpu }, t: type };
  }
  if (sym?.k !== 'global' || ctx.lookupLocal(node.target.name.name)) {
    if (!sym && !ctx.lookupLocal(node.target.name.name)) throw ctx.unknown(node.target.name);
    throw new Diagnostic(node.target.span, `'${node.target.name.name}' is not an array`);
  }
  if (!sym.v.indexBy) throw new Diagnostic(node.target.span, `'${sym.v.name}' is not an array`);
  const index = expectType(ctx, node.index, sym.v.indexBy === 'page' ? PAGE : sym.v.indexBy === 'frame' ? FRAME : CPU, `index of '${sym.v.name}'`);
  return sharedRead(ctx, node.span, `the global '${sym.v.name}'`, { e: { k: 'global', v: sym.v, index }, t: sym.v.type });
}

/** `read`, unless a function body is being checked: a fn sees only its arguments (docs/LANGUAGE.md). */
function sharedRead(ctx: Ctx, span: Span, what: string, read: Typed): Typed {
  if (ctx.inFn !== undefined) {
    throw new Diagnostic(span, `function '${ctx.inFn}' reads ${what}: a fn may read only its arguments`,
      'pass the value as an argument, or make it a proc');
  }
  return read;
}

function checkBinary(ctx: Ctx, node: A.Expr & { kind: 'binary' }): Typed {
  const { op } = node;
  if (op === '=>') {
    const l = expectType(ctx, node.left, BOOL, "left side of '=>'");
    const r = expectType(ctx, node.right, BOOL, "right side of '=>'");
    return { e: { k: 'bin', op: '||', left: { k: 'not', arg: l }, right: r }, t: BOOL };
  }
  if (op === '&&' || op === '||') {
    const l = expectType(ctx, node.left, BOOL, `left side of '${op}'`);
    const r = expectType(ctx, node.right, BOOL, `right side of '${op}'`);
    return { e: { k: 'bin', op, left: l, right: r }, t: BOOL };
  }
  const l = checkExpr(ctx, node.left);
  const r = checkExpr(ctx, node.right);
  if (op === '==' || op === '!=') {
    if (!assignable(l.t, r.t)) {
      throw new Diagnostic(node.span, `type mismatch: cannot compare ${typeName(l.t)} with ${typeName(r.t)}`);
    }
    const rec = l.t.k === 'pte' || l.t.k === 'tlbe' ? l.t.k : undefined;
    return { e: { k: 'bin', op, left: l.e, right: r.e, rec }, t: BOOL };
  }
  for (const [side, t] of [[node.left, l.t], [node.right, r.t]] as const) {
    if (t.k !== 'int') throw new Diagnostic(side.span, `type mismatch: operand of '${op}' must be int, found ${typeName(t)}`);
  }
  const a = l.t as Type & { k: 'int' };
  const b = r.t as Type & { k: 'int' };
  if (op === '+') return { e: { k: 'bin', op, left: l.e, right: r.e }, t: { k: 'int', lo: a.lo + b.lo, hi: a.hi + b.hi } };
  if (op === '-') return { e: { k: 'bin', op, left: l.e, right: r.e }, t: { k: 'int', lo: a.lo - b.hi, hi: a.hi - b.lo } };
  return { e: { k: 'bin', op, left: l.e, right: r.e }, t: BOOL };
}

/** Whether evaluating `e` reads state other than the running CPU's locals. */
export function readsShared(e: Expr): boolean {
  return someExpr(e, (x) => SHARED_READS.has(x.k));
}

const SHARED_READS = new Set<Expr['k']>(['global', 'pteOf', 'tlbOf', 'frameVersion', 'frameFreed', 'frameData', 'killed', 'rulePte', 'ruleTlb']);
