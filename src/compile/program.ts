// A CPU program to a table of steps indexed by program counter (pc 0 = finished). Control-only
// statements (blocks, calls, bare returns, unrolled loops) vanish into the pcs they lead to.
import type { Cpu, HardwareRule, Local, Model, Stmt } from '../check/model.js';
import {
  compileAtomicBlock, compileFlush, compileStoreStmt, DISABLED, DONE, FAULT, OK, RETURN_BASE, type Exec, type Violation,
} from './atomic.js';
import { compileScalar, compileValue, type Env } from './expr.js';
import { tlbSlot, type Layout } from './layout.js';
import { spanText } from '../lang/source.js';

export const FINISHED = 0;

export interface ProgramNode {
  readonly pc: number;
  readonly stmt: Stmt;
  /** Slots of the locals in scope at this node. */
  readonly scope: readonly number[];
  /** For a step inside an inlined procedure: the call as the scenario wrote it. */
  label?: string;
  /** For an access: where a fault goes (the handler's first step, or the access again). */
  faultPc?: number;
  exec: Exec;
}

export interface CompiledProgram {
  readonly entry: number;
  /** Indexed by pc; index 0 (finished) is undefined. */
  readonly nodes: readonly (ProgramNode | undefined)[];
}

export interface RuleInstances {
  /** Per page: the rule compiled for this CPU and that page. */
  readonly byPage: readonly Exec[];
}

export interface ProgramContext {
  readonly m: Model;
  readonly l: Layout;
  readonly violation: Violation;
  readonly regs: Int32Array;
  /** Access rules for this CPU, per kind, per page. */
  readonly accessRules: Record<'read' | 'write', RuleInstances>;
  /** Access properties, evaluated after a completed access with regs set. */
  readonly accessProps: Record<'read' | 'write', readonly { prop: number; test: (s: Int32Array) => number }[]>;
}

function widthOf(l: Layout, local: Local): number {
  return local.type.k === 'pte' ? l.pteWidth : local.type.k === 'tlbe' ? l.tlbWidth : 1;
}

export function compileProgram(ctx: ProgramContext, cpu: Cpu): CompiledProgram {
  const { m, l } = ctx;
  const cl = l.cpus[cpu.index]!;
  const pcSlot = cl.pc;
  const env: Env = { m, l, cpu: cpu.index, regs: ctx.regs, localSlot: (lc) => cl.localSlot[lc.id]! };
  const slotsOf = (locals: readonly Local[]) => locals.flatMap((lc) => Array.from({ length: widthOf(l, lc) }, (_, i) => cl.localSlot[lc.id]! + i));
  const nodes: (ProgramNode | undefined)[] = [undefined];
  const returnTo = new Map<number, number>();
  const leaveCache = new Map<number, Int32Array>();

  /** Move to `to`: locals in scope here but not there are dropped, so they do not split states. */
  const jump = (from: ProgramNode, to: number) => {
    const key = from.pc * (1 << 16) + to;
    let clear = leaveCache.get(key);
    if (!clear) {
      const keep = new Set(to === FINISHED ? [] : nodes[to]!.scope);
      clear = Int32Array.from(from.scope.filter((x) => !keep.has(x)));
      leaveCache.set(key, clear);
    }
    return (s: Int32Array) => { for (let i = 0; i < clear!.length; i++) s[clear![i]!] = 0; s[pcSlot] = to; };
  };
  const node = (stmt: Stmt, scope: readonly number[]): ProgramNode => {
    const n: ProgramNode = { pc: nodes.length, stmt, scope, exec: () => DISABLED };
    nodes.push(n);
    return n;
  };

  // Compiles `st` so that it continues at pc `next`; returns the pc where it starts.
  const build = (st: Stmt, next: number, scope: readonly number[]): number => {
    switch (st.k) {
      case 'block': {
        const inner = [...scope, ...slotsOf(st.locals)];
        return st.body.reduceRight((after, s) => build(s, after, inner), next);
      }
      case 'call': {
        returnTo.set(st.callId, next);
        const first = nodes.length;
        const entry = build(st.body, next, scope);
        labelCall(nodes.slice(first) as ProgramNode[], st);
        return entry;
      }
      case 'return':
        if (!st.value) return returnTo.get(st.callId)!;
        break;
      case 'while': {
        const inner = [...scope, ...slotsOf([st.counter])];
        const n = node(st, inner);
        const body = build(st.body, n.pc, inner);
        const test = compileScalar(env, st.test);
        const counter = cl.localSlot[st.counter.id]!;
        const enter = lazyJump(n, body);
        const exit = lazyJump(n, next);
        const bound = st.bound;
        const exceeded = ctx.violation('loop_bound');
        n.exec = (s) => {
          if (!test(s)) { exit()(s); return OK; }
          if (s[counter]! >= bound) return exceeded;
          s[counter]!++;
          enter()(s);
          return OK;
        };
        return n.pc;
      }
      case 'if': {
        const n = node(st, scope);
        const a = build(st.then, next, scope);
        const b = st.else ? build(st.else, next, scope) : next;
        const test = compileScalar(env, st.test);
        const ja = lazyJump(n, a);
        const jb = lazyJump(n, b);
        n.exec = (s) => { (test(s) ? ja() : jb())(s); return OK; };
        return n.pc;
      }
      case 'access': {
        const n = node(st, scope);
        const handler = st.handler ? build(st.handler, n.pc, scope) : undefined;
        n.faultPc = handler ?? n.pc;
        n.exec = compileAccess(ctx, env, st, () => jump(n, next), handler === undefined ? undefined : () => jump(n, handler));
        return n.pc;
      }
      default:
        break;
    }
    const n = node(st, scope);
    const body = stepBody(ctx, env, st);
    const go = lazyJump(n, st.k === 'return' ? returnTo.get(st.callId)! : next);
    n.exec = (s) => {
      const r = body(s);
      if (r === OK) { go()(s); return OK; }
      if (r <= RETURN_BASE) { jump(n, returnTo.get(RETURN_BASE - r)!)(s); return OK; }
      return r;
    };
    return n.pc;
  };
  // Targets may be nodes not built yet (loop back edges); resolve the jump on first use.
  const lazyJump = (from: ProgramNode, to: number) => {
    let j: ((s: Int32Array) => void) | undefined;
    return () => (j ??= jump(from, to));
  };

  const entry = build(cpu.body, FINISHED, []);
  return { entry, nodes };
}

/** Steps of an inlined call are shown as the call the scenario wrote (plus the inner step if several). */
function labelCall(inner: ProgramNode[], call: Stmt & { k: 'call' }): void {
  const text = spanText(call.span).replace(/\s+/g, ' ');
  for (const n of inner) {
    if (inner.length === 1) n.label = text;
    else n.label = `${text} > ${n.label ?? stmtHead(n.stmt)}`;
  }
}

/** The first line of a statement: `if (cond)` rather than its whole body. */
export function stmtHead(st: Stmt): string {
  const text = spanText(st.span).replace(/\s+/g, ' ').trim();
  return st.k === 'if' || st.k === 'while' ? text.replace(/\s*\{.*$/, '') : text;
}

/** The effect of a simple step (everything but control flow and accesses). */
function stepBody(ctx: ProgramContext, env: Env, st: Stmt): Exec {
  const overflow = ctx.violation('overflow');
  switch (st.k) {
    case 'let': return compileStoreStmt(env, { k: 'local', local: st.local }, st.value, overflow);
    case 'assign': return compileStoreStmt(env, st.target, st.value, overflow);
    case 'setPte': {
      const page = compileScalar(env, st.page);
      const val = compileValue(env, st.value, true);
      const { l } = env;
      return (s) => { s.set(val(s), l.pteBase + page(s) * l.pteWidth); return OK; };
    }
    case 'return': return compileStoreStmt(env, st.target!, st.value!, overflow);
    case 'atomic': {
      const guard = st.guard ? compileScalar(env, st.guard) : undefined;
      const body = compileAtomicBlock(env, st.body, st.locals, ctx.violation);
      return (s) => (guard && !guard(s) ? DISABLED : body(s));
    }
    case 'await': { const t = compileScalar(env, st.test); return (s) => (t(s) ? OK : DISABLED); }
    case 'assert': { const t = compileScalar(env, st.test); const v = ctx.violation(st.name); return (s) => (t(s) ? OK : v); }
    case 'flush': return compileFlush(env, st.pages, st.local);
    case 'skip': return () => OK;
    case 'lock': return compileLock(ctx, env, st);
    default: throw new Error(`internal: no step for '${st.k}'`);
  }
}

function compileLock(ctx: ProgramContext, env: Env, st: Stmt & { k: 'lock' }): Exec {
  const { l } = env;
  const width = l.lockWidth[st.lock.id]!;
  const base = l.lockSlot[st.lock.id]!;
  const page = st.page ? compileScalar(env, st.page) : () => 0;
  const me = env.cpu + 1;
  const bit = 1 << env.cpu;
  const misuse = ctx.violation('lock_misuse');
  const at = (s: Int32Array) => base + page(s) * width;
  switch (st.op) {
    case 'lock': return (s) => { const a = at(s); if (s[a] !== 0) return DISABLED; s[a] = me; return OK; };
    case 'unlock': return (s) => { const a = at(s); if (s[a] !== me) return misuse; s[a] = 0; return OK; };
    case 'down_read': return (s) => {
      const a = at(s);
      if (s[a] !== 0) return DISABLED;
      if (s[a + 1]! & bit) return misuse;
      s[a + 1]! |= bit;
      return OK;
    };
    case 'up_read': return (s) => { const a = at(s); if (!(s[a + 1]! & bit)) return misuse; s[a + 1]! &= ~bit; return OK; };
    case 'down_write': return (s) => { const a = at(s); if (s[a] !== 0 || s[a + 1] !== 0) return DISABLED; s[a] = me; return OK; };
    case 'up_write': return (s) => { const a = at(s); if (s[a] !== me) return misuse; s[a] = 0; return OK; };
  }
}

function compileAccess(
  ctx: ProgramContext, env: Env, st: Stmt & { k: 'access' },
  next: () => (s: Int32Array) => void, handler: (() => (s: Int32Array) => void) | undefined,
): Exec {
  const { l, m } = env;
  const page = compileScalar(env, st.page);
  const rules = ctx.accessRules[st.access].byPage;
  const props = ctx.accessProps[st.access];
  const noTranslation = ctx.violation('no_translation');
  const unhandled = ctx.violation('unhandled_fault');
  const overflow = ctx.violation('overflow');
  const npages = m.pages.length;
  const pfn = m.arch.tlbPfn;
  const regs = ctx.regs;
  const isWrite = st.access === 'write';
  return (s) => {
    const p = page(s);
    const r = rules[p]!(s);
    if (r === FAULT) {
      if (!handler) return unhandled;
      handler()(s);
      return OK;
    }
    if (r !== DONE) return r;
    const entry = tlbSlot(l, npages, env.cpu, p, 0);
    if (!s[entry]) return noTranslation;
    const frame = s[entry + pfn]!;
    if (isWrite) {
      const v = l.versionBase + frame;
      if (s[v]! >= m.maxVersion) return overflow;
      s[v]!++;
    }
    regs[0] = env.cpu; regs[1] = p; regs[2] = frame;
    for (const { prop, test } of props) if (!test(s)) return prop + 1;
    next()(s);
    return OK;
  };
}

/** A hardware or access rule compiled for one CPU and page; its locals live past the state. */
export function compileRule(m: Model, l: Layout, rule: HardwareRule, cpu: number, page: number, violation: Violation, regs: Int32Array): Exec {
  const env: Env = { m, l, cpu, rulePage: page, regs, localSlot: (lc) => l.size + ruleLocalOffset(l, rule, lc) };
  const body = rule.body as Stmt & { k: 'block' };
  return compileAtomicBlock(env, body.body, body.locals, violation);
}

/** Rule locals get a record-wide scratch slot each, past the end of the state. */
function ruleLocalOffset(l: Layout, rule: HardwareRule, local: Local): number {
  const i = rule.locals.indexOf(local);
  if (i < 0) throw new Error('internal: local not in rule');
  return i * Math.max(l.pteWidth, l.tlbWidth);
}

export function ruleScratch(l: Layout, rule: HardwareRule): number {
  return rule.locals.length * Math.max(l.pteWidth, l.tlbWidth);
}
