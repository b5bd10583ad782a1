// Typed expressions to JavaScript closures over the working state vector. Records are flattened:
// a record expression becomes one closure per field.
import type { Expr, LValue, Local, Model, ScalarType } from '../check/model.js';
import { pteSlot, tlbSlot, type Layout } from './layout.js';

export type Scalar = (s: Int32Array) => number;

/** Binds the names that depend on where code runs: which CPU, which page, which locals. */
export interface Env {
  readonly m: Model;
  readonly l: Layout;
  /** The running CPU (programs and rules). */
  readonly cpu: number;
  /** The page a hardware or access rule runs for. */
  readonly rulePage?: number;
  /** Absolute slot of a local in the working vector. */
  localSlot(local: Local): number;
  /** The completed access an access property is evaluated for: [cpu, page, frame]. */
  readonly regs: Int32Array;
}

export function compileScalar(env: Env, e: Expr): Scalar {
  switch (e.k) {
    case 'const': { const v = e.value; return () => v; }
    case 'self': { const c = env.cpu; return () => c; }
    case 'accessCpu': { const r = env.regs; return () => r[0]!; }
    case 'accessPage': { const r = env.regs; return () => r[1]!; }
    case 'accessFrame': { const r = env.regs; return () => r[2]!; }
    case 'local': { const at = env.localSlot(e.local); return (s) => s[at]!; }
    case 'global': {
      const base = env.l.globalSlot[e.v.id]!;
      if (!e.index) return (s) => s[base]!;
      const idx = compileScalar(env, e.index);
      return (s) => s[base + idx(s)]!;
    }
    case 'frameVersion': { const f = compileScalar(env, e.frame); const b = env.l.versionBase; return (s) => s[b + f(s)]!; }
    case 'frameFreed': { const f = compileScalar(env, e.frame); const b = env.l.freedBase; return (s) => s[b + f(s)]!; }
    case 'field': return compileRecord(env, e.target)[e.index]!;
    case 'not': { const a = compileScalar(env, e.arg); return (s) => (a(s) ? 0 : 1); }
    case 'neg': { const a = compileScalar(env, e.arg); return (s) => -a(s); }
    case 'ite': {
      const t = compileScalar(env, e.test); const a = compileScalar(env, e.then); const b = compileScalar(env, e.else);
      return (s) => (t(s) ? a(s) : b(s));
    }
    case 'bin': return compileBinary(env, e);
    default: throw new Error(`internal: ${e.k} is not a scalar expression`);
  }
}

function compileBinary(env: Env, e: Expr & { k: 'bin' }): Scalar {
  if (e.rec) {
    const a = compileRecord(env, e.left);
    const b = compileRecord(env, e.right);
    const eq = (s: Int32Array) => { for (let i = 0; i < a.length; i++) if (a[i]!(s) !== b[i]!(s)) return 0; return 1; };
    return e.op === '==' ? eq : (s) => 1 - eq(s);
  }
  const a = compileScalar(env, e.left);
  const b = compileScalar(env, e.right);
  switch (e.op) {
    case '&&': return (s) => (a(s) && b(s) ? 1 : 0);
    case '||': return (s) => (a(s) || b(s) ? 1 : 0);
    case '==': return (s) => (a(s) === b(s) ? 1 : 0);
    case '!=': return (s) => (a(s) !== b(s) ? 1 : 0);
    case '<': return (s) => (a(s) < b(s) ? 1 : 0);
    case '<=': return (s) => (a(s) <= b(s) ? 1 : 0);
    case '>': return (s) => (a(s) > b(s) ? 1 : 0);
    case '>=': return (s) => (a(s) >= b(s) ? 1 : 0);
    case '+': return (s) => a(s) + b(s);
    case '-': return (s) => a(s) - b(s);
  }
}

function slotFields(width: number, base: (s: Int32Array) => number): Scalar[] {
  return Array.from({ length: width }, (_, i) => (s: Int32Array) => s[base(s) + i]!);
}

/** The slot where a record lives in the state, for records that are stored (not computed). */
function recordBase(env: Env, e: Expr): ((s: Int32Array) => number) | undefined {
  const { l, m } = env;
  switch (e.k) {
    case 'local': { const at = env.localSlot(e.local); return () => at; }
    case 'pteOf': { const p = compileScalar(env, e.page); return (s) => pteSlot(l, p(s), 0); }
    case 'tlbOf': {
      const c = compileScalar(env, e.cpu); const p = compileScalar(env, e.page); const n = m.pages.length;
      return (s) => tlbSlot(l, n, c(s), p(s), 0);
    }
    case 'rulePte': { const at = pteSlot(l, env.rulePage!, 0); return () => at; }
    case 'ruleTlb': { const at = tlbSlot(l, m.pages.length, env.cpu, env.rulePage!, 0); return () => at; }
    default: return undefined;
  }
}

export function compileRecord(env: Env, e: Expr): Scalar[] {
  const width = e.k === 'record' ? e.fields.length : undefined;
  const base = recordBase(env, e);
  if (base) {
    const w = e.k === 'tlbOf' || e.k === 'ruleTlb' || (e.k === 'local' && e.local.type.k === 'tlbe') ? env.l.tlbWidth : env.l.pteWidth;
    return slotFields(w, base);
  }
  switch (e.k) {
    case 'record': return e.fields.slice(0, width).map((f) => compileScalar(env, f));
    case 'with': {
      const fields = compileRecord(env, e.target).slice();
      for (const [i, v] of e.sets) fields[i] = compileScalar(env, v);
      return fields;
    }
    case 'ite': {
      const t = compileScalar(env, e.test);
      const a = compileRecord(env, e.then);
      const b = compileRecord(env, e.else);
      return a.map((fa, i) => { const fb = b[i]!; return (s: Int32Array) => (t(s) ? fa(s) : fb(s)); });
    }
    default: throw new Error(`internal: ${e.k} is not a record expression`);
  }
}

/** Writes a value into an l-value; returns false when the value is outside the target's type. */
export type Store = (s: Int32Array, values: readonly number[]) => boolean;

export function compileStore(env: Env, lv: LValue): { store: Store; width: number } {
  const { l, m } = env;
  const ranged = (at: (s: Int32Array) => number, t: ScalarType): Store => {
    const [lo, hi] = bounds(t, m);
    return (s, v) => { const x = v[0]!; if (x < lo || x > hi) return false; s[at(s)] = x; return true; };
  };
  const whole = (at: (s: Int32Array) => number, width: number): Store => (s, v) => {
    const b = at(s);
    for (let i = 0; i < width; i++) s[b + i] = v[i]!;
    return true;
  };
  switch (lv.k) {
    case 'local': {
      const at = env.localSlot(lv.local);
      const t = lv.local.type;
      if (t.k === 'pte' || t.k === 'tlbe') { const w = t.k === 'pte' ? l.pteWidth : l.tlbWidth; return { store: whole(() => at, w), width: w }; }
      return { store: ranged(() => at, t as ScalarType), width: 1 };
    }
    case 'global': {
      const base = l.globalSlot[lv.v.id]!;
      const idx = lv.index ? compileScalar(env, lv.index) : () => 0;
      return { store: ranged((s) => base + idx(s), lv.v.type), width: 1 };
    }
    case 'frameVersion': case 'frameFreed': {
      const f = compileScalar(env, lv.frame);
      const b = lv.k === 'frameVersion' ? l.versionBase : l.freedBase;
      return { store: ranged((s) => b + f(s), lv.k === 'frameVersion' ? { k: 'int', lo: 0, hi: m.maxVersion } : { k: 'bool' }), width: 1 };
    }
    case 'rulePte': { const at = pteSlot(l, env.rulePage!, 0); return { store: whole(() => at, l.pteWidth), width: l.pteWidth }; }
    case 'ruleTlb': { const at = tlbSlot(l, m.pages.length, env.cpu, env.rulePage!, 0); return { store: whole(() => at, l.tlbWidth), width: l.tlbWidth }; }
    case 'field': {
      const base = lvalueBase(env, lv.target);
      const fields = lv.rec === 'pte' ? m.arch.pteFields : m.arch.tlbFields;
      const i = lv.index;
      return { store: ranged((s) => base(s) + i, fields[i]!.type), width: 1 };
    }
  }
}

function lvalueBase(env: Env, lv: LValue): (s: Int32Array) => number {
  switch (lv.k) {
    case 'local': { const at = env.localSlot(lv.local); return () => at; }
    case 'rulePte': { const at = pteSlot(env.l, env.rulePage!, 0); return () => at; }
    case 'ruleTlb': { const at = tlbSlot(env.l, env.m.pages.length, env.cpu, env.rulePage!, 0); return () => at; }
    case 'field': throw new Error('internal: nested record fields do not exist');
    default: throw new Error(`internal: ${lv.k} is not a record l-value`);
  }
}

export function bounds(t: ScalarType, m: Model): [number, number] {
  switch (t.k) {
    case 'bool': return [0, 1];
    case 'int': return [t.lo, t.hi];
    case 'enum': return [0, t.members.length - 1];
    case 'page': return [0, m.pages.length - 1];
    case 'frame': return [0, m.frames.length - 1];
    case 'cpu': return [0, m.cpus.length - 1];
  }
}

/** Evaluates a scalar or record expression into a fresh array of field values. */
export function compileValue(env: Env, e: Expr, isRecord: boolean): (s: Int32Array) => number[] {
  if (!isRecord) { const f = compileScalar(env, e); return (s) => [f(s)]; }
  const fs = compileRecord(env, e);
  return (s) => fs.map((f) => f(s));
}
