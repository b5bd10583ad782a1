// Expression evaluation and assignment over an Immutable `State`, for one running thread.
import { is, List } from 'immutable';
import type { BinOp, Expr, LValue, Type } from '../ir/model.js';
import { recordFields } from '../ir/types.js';
import { inRange, relaxedIndex, type State, type Tables, type Thread, type Value, zeroRecord } from './state.js';

/** The mutable cursor of one step: the state and thread are replaced as the step proceeds. */
export interface Ctx {
  readonly t: Tables;
  st: State;
  th: Thread;
  /** `self`: the running CPU (the CPU a rule runs for), -1 when evaluating a state property. */
  readonly cpu: number;
  /** The page a hardware/access rule runs for, -1 outside rules. */
  readonly page: number;
  /** Binders of an access property. */
  readonly access?: { readonly cpu: number; readonly page: number; readonly frame: number };
  /** Asserts and access properties the running step broke; the step still completes. */
  readonly broken?: string[];
  /** The running CPU step is a plain PTE store (a `set_pte` step of its own, src/ir/rules.ts storesPtePlainly). */
  readonly plainPte?: boolean;
}

/** Ends a step early: the step is not enabled, or it violates the named properties. */
export class Halt {
  constructor(readonly kind: 'disabled' | 'violation', readonly names: readonly string[] = []) {}
}
export const violation = (name: string): Halt => new Halt('violation', [name]);

/** A step that completed in `st` but broke the asserts or access properties `names`. */
export class Broken {
  constructor(readonly st: State, readonly names: readonly string[]) {}
}

const num = (v: Value): number => {
  if (typeof v !== 'number') throw new Error('reference: record where a scalar was expected');
  return v;
};
const rec = (v: Value): List<number> => {
  if (typeof v === 'number') throw new Error('reference: scalar where a record was expected');
  return v;
};
const bool = (b: boolean): number => (b ? 1 : 0);

function need(n: number, what: string): number {
  if (n < 0) throw new Error(`reference: ${what} used outside its context`);
  return n;
}

export function evalExpr(c: Ctx, e: Expr): Value {
  const { st } = c;
  switch (e.k) {
    case 'const': return e.value;
    case 'record': {
      // Fields are given in declaration order (for tlbe, `valid` first); missing ones are 0.
      const base = zeroRecord(c.t.model, e.rec);
      return base.map((z, i) => (i < e.fields.length ? num(evalExpr(c, e.fields[i]!)) : z));
    }
    case 'global': {
      const pos = c.t.globalPos.get(e.v.id)!;
      return st.globals.get(pos)!.get(e.index ? num(evalExpr(c, e.index)) : 0)!;
    }
    case 'local': {
      const v = c.th.locals.get(e.local.id);
      if (v === undefined) throw new Error(`reference: local ${e.local.name} read while not live`);
      return v;
    }
    case 'self': return need(c.cpu, 'self');
    case 'pteOf': {
      const page = num(evalExpr(c, e.page));
      // Relaxed: software on a CPU (c.page < 0: its program, an interrupt handler) reads its own pending PTE store first.
      const own = c.cpu >= 0 && c.page < 0 && !st.pteStores.isEmpty() ? st.pteStores.get(relaxedIndex(c.t.model, c.cpu, page)) : null;
      return own ?? st.ptes.get(page)!;
    }
    case 'tlbOf': return st.tlbs.get(num(evalExpr(c, e.cpu)))!.get(num(evalExpr(c, e.page)))!;
    case 'frameVersion': return st.versions.get(num(evalExpr(c, e.frame)))!;
    case 'frameFreed': return st.freed.get(num(evalExpr(c, e.frame)))!;
    case 'frameData': return st.data.get(num(evalExpr(c, e.frame)))!;
    case 'cpuTable': return e.values[num(evalExpr(c, e.cpu))]!;
    case 'killed': return st.cpus.get(num(evalExpr(c, e.cpu)))!.killed ? 1 : 0;
    case 'field': return rec(evalExpr(c, e.target)).get(e.index)!;
    case 'with': {
      let r = rec(evalExpr(c, e.target));
      for (const [i, x] of e.sets) r = r.set(i, num(evalExpr(c, x)));
      return r;
    }
    case 'not': return bool(num(evalExpr(c, e.arg)) === 0);
    case 'neg': return -num(evalExpr(c, e.arg));
    case 'bin': return evalBin(e.op, evalExpr(c, e.left), evalExpr(c, e.right));
    case 'ite': return num(evalExpr(c, e.test)) !== 0 ? evalExpr(c, e.then) : evalExpr(c, e.else);
    case 'rulePte': return st.ptes.get(need(c.page, 'pte'))!;
    case 'ruleTlb': return st.tlbs.get(c.cpu)!.get(need(c.page, 'tlb'))!;
    case 'accessCpu': return needAccess(c).cpu;
    case 'accessPage': return needAccess(c).page;
    case 'accessFrame': return needAccess(c).frame;
  }
}

function needAccess(c: Ctx): NonNullable<Ctx['access']> {
  if (!c.access) throw new Error('reference: access binder outside an access property');
  return c.access;
}

function evalBin(op: BinOp, l: Value, r: Value): Value {
  switch (op) {
    // Record (in)equality compares every field, `valid` included.
    case '==': return bool(is(l, r));
    case '!=': return bool(!is(l, r));
    case '&&': return bool(num(l) !== 0 && num(r) !== 0);
    case '||': return bool(num(l) !== 0 || num(r) !== 0);
    case '<': return bool(num(l) < num(r));
    case '<=': return bool(num(l) <= num(r));
    case '>': return bool(num(l) > num(r));
    case '>=': return bool(num(l) >= num(r));
    case '+': return num(l) + num(r);
    case '-': return num(l) - num(r);
  }
}

export const isTrue = (c: Ctx, e: Expr): boolean => num(evalExpr(c, e)) !== 0;
export const evalNum = (c: Ctx, e: Expr): number => num(evalExpr(c, e));

/** An invalid TLB entry is stored as all zeros, so stale fields never distinguish states. */
function canonTlb(r: List<number>): List<number> {
  return r.get(0) === 0 ? r.map(() => 0) : r;
}

function checked(c: Ctx, t: Type, v: Value): Value {
  if (!inRange(c.t.model, t, v)) throw violation('overflow');
  return v;
}

/** The current value of an assignable place (to update one field of a record). */
function readPlace(c: Ctx, lv: LValue): Value {
  switch (lv.k) {
    case 'field': return rec(readPlace(c, lv.target)).get(lv.index)!;
    case 'global': return evalExpr(c, lv);
    case 'local': return evalExpr(c, lv);
    case 'frameVersion': return evalExpr(c, lv);
    case 'frameFreed': return evalExpr(c, lv);
    case 'rulePte': return evalExpr(c, lv);
    case 'ruleTlb': return evalExpr(c, lv);
  }
}

/** Stores `v` into `lv`; a value outside the place's type violates `overflow`. */
export function assign(c: Ctx, lv: LValue, v: Value): void {
  const m = c.t.model;
  switch (lv.k) {
    case 'global': {
      const pos = c.t.globalPos.get(lv.v.id)!;
      const idx = lv.index ? evalNum(c, lv.index) : 0;
      c.st = c.st.setIn(['globals', pos, idx], checked(c, lv.v.type, v));
      return;
    }
    case 'local':
      c.th = c.th.setIn(['locals', lv.local.id], checked(c, lv.local.type, v));
      return;
    case 'field': {
      const fields = recordFields(m.arch, lv.rec);
      const whole = rec(readPlace(c, lv.target)).set(lv.index, num(checked(c, fields[lv.index]!.type, v)));
      assign(c, lv.target, whole);
      return;
    }
    case 'frameVersion':
      c.st = c.st.setIn(['versions', evalNum(c, lv.frame)], checked(c, { k: 'int', lo: 0, hi: m.maxVersion }, v));
      return;
    case 'frameFreed':
      c.st = c.st.setIn(['freed', evalNum(c, lv.frame)], checked(c, { k: 'bool' }, v));
      return;
    case 'rulePte':
      setPte(c, need(c.page, 'pte'), v);
      return;
    case 'ruleTlb':
      setTlb(c, c.cpu, need(c.page, 'tlb'), v);
      return;
  }
}

export function setPte(c: Ctx, page: number, v: Value): void {
  // Relaxed mode: software (a CPU step or an interrupt handler, c.page < 0) stores a PTE only when
  // no hardware update is pending on it (an update is an atomic read-modify-write).
  if (c.t.model.relaxed && c.page < 0 && c.t.model.cpus.some((x) => c.st.updates.get(x.index * c.t.model.pages.length + page))) throw new Halt('disabled');
  c.st = c.st.setIn(['ptes', page], checked(c, { k: 'pte' }, v));
}

/** Relaxed mode: `v` becomes CPU c.cpu's pending PTE store of `page`. */
export function pendPte(c: Ctx, page: number, v: Value): void {
  c.st = c.st.setIn(['pteStores', relaxedIndex(c.t.model, c.cpu, page)], checked(c, { k: 'pte' }, v));
}

export function setTlb(c: Ctx, cpu: number, page: number, v: Value): void {
  c.st = c.st.setIn(['tlbs', cpu, page], canonTlb(rec(checked(c, { k: 'tlbe' }, v))));
}
