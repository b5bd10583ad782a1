// Statement sequences that run inside one step: atomic blocks, hardware and access rules.
// An Exec mutates the working vector and returns a status code.
import type { Stmt } from '../check/model.js';
import { compileScalar, compileStore, compileValue, type Env } from './expr.js';
import { tlbSlot } from './layout.js';

export type Exec = (s: Int32Array) => number;

/** Status codes: 0 continue; > 0 violation of property (code - 1); the rest below. */
export const OK = 0;
export const DISABLED = -1;
export const DONE = -2;
export const FAULT = -3;
/** `return` out of inlined call `id` is RETURN_BASE - id. */
export const RETURN_BASE = -1000;

/** Looks up the property a built-in event violates. */
export type Violation = (name: string) => number;

export function compileStoreStmt(env: Env, target: Parameters<typeof compileStore>[1], value: Parameters<typeof compileValue>[1], overflow: number): Exec {
  const { store, width } = compileStore(env, target);
  const val = compileValue(env, value, width > 1);
  return (s) => (store(s, val(s)) ? OK : overflow);
}

export function compileFlush(env: Env, pages: 'all' | readonly import('../check/model.js').Expr[], local: boolean): Exec {
  const { l, m } = env;
  const npages = m.pages.length;
  const cpus = local ? [env.cpu] : m.cpus.map((c) => c.index);
  const pageFns = pages === 'all' ? m.pages.map((p) => () => p.index) : pages.map((p) => compileScalar(env, p));
  return (s) => {
    for (const pf of pageFns) {
      const p = pf(s);
      for (const c of cpus) {
        const at = tlbSlot(l, npages, c, p, 0);
        s.fill(0, at, at + l.tlbWidth);
      }
    }
    return OK;
  };
}

export function compileSeq(env: Env, stmts: readonly Stmt[], violation: Violation): Exec {
  const parts = stmts.map((st) => compileInStep(env, st, violation));
  return (s) => {
    for (const p of parts) {
      const r = p(s);
      if (r !== OK) return r;
    }
    return OK;
  };
}

function clearLocals(env: Env, locals: readonly import('../check/model.js').Local[]): (s: Int32Array) => void {
  const slots = locals.flatMap((lc) => {
    const at = env.localSlot(lc);
    const w = lc.type.k === 'pte' ? env.l.pteWidth : lc.type.k === 'tlbe' ? env.l.tlbWidth : 1;
    return Array.from({ length: w }, (_, i) => at + i);
  });
  return (s) => { for (const x of slots) s[x] = 0; };
}

/** A block run inside one step: its locals are dropped however it ends. */
export function compileAtomicBlock(env: Env, stmts: readonly Stmt[], locals: readonly import('../check/model.js').Local[], violation: Violation): Exec {
  const body = compileSeq(env, stmts, violation);
  const clear = clearLocals(env, locals);
  return (s) => { const r = body(s); clear(s); return r; };
}

function compileInStep(env: Env, st: Stmt, violation: Violation): Exec {
  const overflow = violation('overflow');
  switch (st.k) {
    case 'block': return compileAtomicBlock(env, st.body, st.locals, violation);
    case 'atomic': return compileAtomicBlock(env, st.body, st.locals, violation);
    case 'let': return compileStoreStmt(env, { k: 'local', local: st.local }, st.value, overflow);
    case 'assign': return compileStoreStmt(env, st.target, st.value, overflow);
    case 'setPte': {
      const page = compileScalar(env, st.page);
      const val = compileValue(env, st.value, true);
      const { l } = env;
      return (s) => { const at = l.pteBase + page(s) * l.pteWidth; s.set(val(s), at); return OK; };
    }
    case 'if': {
      const test = compileScalar(env, st.test);
      const a = compileInStep(env, st.then, violation);
      const b = st.else ? compileInStep(env, st.else, violation) : () => OK;
      return (s) => (test(s) ? a(s) : b(s));
    }
    case 'call': {
      const body = compileInStep(env, st.body, violation);
      const mine = RETURN_BASE - st.callId;
      return (s) => { const r = body(s); return r === mine ? OK : r; };
    }
    case 'return': {
      const code = RETURN_BASE - st.callId;
      if (!st.value || !st.target) return () => code;
      const assign = compileStoreStmt(env, st.target, st.value, overflow);
      return (s) => { const r = assign(s); return r === OK ? code : r; };
    }
    case 'flush': return compileFlush(env, st.pages, st.local);
    case 'skip': return () => OK;
    case 'done': return () => DONE;
    case 'fault': return () => FAULT;
    default: throw new Error(`internal: '${st.k}' cannot run inside one step (the checker should have refused it)`);
  }
}

export function children(st: Stmt): readonly Stmt[] {
  switch (st.k) {
    case 'block': case 'atomic': return st.body;
    case 'if': return st.else ? [st.then, st.else] : [st.then];
    case 'while': return [st.body];
    case 'call': return [st.body];
    case 'access': return st.handler ? [st.handler] : [];
    default: return [];
  }
}
