// Builders for small hand-written checked Models, so tests of the engines can state a scenario
// without the parser/checker. Ids come from one counter, so they are unique within any model.
import type {
  Arch, BinOp, Expr, GlobalVar, HardwareRule, Local, Lock, LockOp, LValue, Model, Page, Property,
  RecordKind, ScalarType, Stmt, Type,
} from '../../src/ir/model.js';
import { BUILTIN_PROPERTIES } from '../../src/ir/model.js';
import type { Span } from '../../src/lang/source.js';

export const span: Span = { file: { path: 't', text: '' }, start: 0, end: 0 };
let nextId = 1;
const fresh = (): number => nextId++;

type Bare<S> = S extends unknown ? Omit<S, 'span' | 'id'> : never;
const mk = (s: Bare<Stmt>): Stmt => ({ ...s, span, id: fresh() }) as Stmt;

export const BOOL: ScalarType = { k: 'bool' };
export const FRAME: ScalarType = { k: 'frame' };
export const int = (lo: number, hi: number): ScalarType => ({ k: 'int', lo, hi });

// Expressions.
export const num = (value: number, type: ScalarType = int(value, value)): Expr => ({ k: 'const', type, value });
export const TRUE = num(1, BOOL);
export const g = (v: GlobalVar, index?: Expr): Expr & LValue => ({ k: 'global', v, index }) as Expr & LValue;
export const l = (local: Local): Expr & LValue => ({ k: 'local', local });
export const bin = (op: BinOp, left: Expr, right: Expr): Expr => ({ k: 'bin', op, left, right });
export const not = (arg: Expr): Expr => ({ k: 'not', arg });
export const field = (rec: RecordKind, target: Expr, index: number): Expr => ({ k: 'field', rec, target, index });
export const record = (rec: RecordKind, fields: Expr[]): Expr => ({ k: 'record', rec, fields });
export const pteOf = (page: number): Expr => ({ k: 'pteOf', page: num(page, { k: 'page' }) });
export const tlbOf = (cpu: number, page: number): Expr => ({ k: 'tlbOf', cpu: num(cpu, { k: 'cpu' }), page: num(page, { k: 'page' }) });
export const version = (frame: number): Expr => ({ k: 'frameVersion', frame: num(frame, FRAME) });

// Declarations.
export function global(name: string, type: ScalarType, init: (number | undefined)[] = [0]): GlobalVar {
  return { id: fresh(), name, type, ghost: false, init, span };
}
export const local = (name: string, type: Type): Local => ({ id: fresh(), name, type });
export const lock = (name: string, kind: 'spinlock' | 'rwsem' = 'spinlock'): Lock => ({ id: fresh(), name, kind, perPage: false, span });

// Statements.
export const block = (body: Stmt[], locals: Local[] = []): Stmt => mk({ k: 'block', body, locals });
export const set = (target: LValue, value: Expr): Stmt => mk({ k: 'assign', target, value });
export const let_ = (v: Local, value: Expr): Stmt => mk({ k: 'let', local: v, value });
export const if_ = (test: Expr, then: Stmt, else_?: Stmt): Stmt => mk({ k: 'if', test, then, else: else_ });
export const while_ = (test: Expr, bound: number, body: Stmt): Stmt =>
  mk({ k: 'while', test, bound, counter: local('loop', int(0, bound)), body });
export const atomic = (body: Stmt[], locals: Local[] = [], guard?: Expr): Stmt => mk({ k: 'atomic', guard, body, locals });
export const lockOp = (op: LockOp, lk: Lock): Stmt => mk({ k: 'lock', op, lock: lk });
export const await_ = (test: Expr): Stmt => mk({ k: 'await', test });
export const assert_ = (name: string, test: Expr): Stmt => mk({ k: 'assert', name, test });
export const access = (kind: 'read' | 'write', page: number, handler?: Stmt): Stmt =>
  mk({ k: 'access', access: kind, page: num(page, { k: 'page' }), handler });
export const call = (callId: number, body: Stmt, target?: LValue): Stmt => mk({ k: 'call', name: `f${callId}`, target, body, callId });
export const ret = (callId: number, value?: Expr): Stmt => mk({ k: 'return', callId, value });
export const flush = (pages: number[] | 'all', local = false): Stmt =>
  mk({ k: 'flush', pages: pages === 'all' ? 'all' : pages.map((p) => num(p, { k: 'page' })), local });
export const setPte = (page: number, value: Expr): Stmt => mk({ k: 'setPte', page: num(page, { k: 'page' }), value });
export const skip = (): Stmt => mk({ k: 'skip' });
const done = (): Stmt => mk({ k: 'done' });
const fault = (): Stmt => mk({ k: 'fault' });

/** PTE fields of the mini architecture, x86-like without soft-dirty/uffd. */
export const PTE = { present: 0, write: 1, dirty: 2, accessed: 3, pfn: 4 } as const;
export const TLB = { valid: 0, write: 1, dirty: 2, pfn: 3 } as const;

/** A small x86-flavoured arch: fill (sets accessed), evict, and read/write access rules. */
export function miniArch(): Arch {
  const pte: Expr = { k: 'rulePte' };
  const tlb: Expr = { k: 'ruleTlb' };
  const pf = (i: number): Expr => field('pte', pte, i);
  const tf = (i: number): Expr => field('tlbe', tlb, i);
  const setPf = (i: number, v: Expr): Stmt => set({ k: 'field', rec: 'pte', target: { k: 'rulePte' }, index: i }, v);
  const setTlb = (v: Expr): Stmt => set({ k: 'ruleTlb' }, v);
  const cache = (w: Expr, d: Expr): Expr => record('tlbe', [TRUE, w, d, pf(PTE.pfn)]);
  const rule = (name: string, body: Stmt[]): HardwareRule => ({ name, body: block(body), locals: [] });
  return {
    name: 'mini', files: ['mini.arch'],
    pteFields: [{ name: 'present', type: BOOL }, { name: 'write', type: BOOL }, { name: 'dirty', type: BOOL },
      { name: 'accessed', type: BOOL }, { name: 'pfn', type: FRAME }],
    tlbFields: [{ name: 'valid', type: BOOL }, { name: 'write', type: BOOL }, { name: 'dirty', type: BOOL }, { name: 'pfn', type: FRAME }],
    hardware: [
      rule('fill', [if_(bin('&&', not(tf(TLB.valid)), pf(PTE.present)),
        block([setPf(PTE.accessed, TRUE), setTlb(cache(pf(PTE.write), pf(PTE.dirty)))]))]),
      rule('evict', [if_(tf(TLB.valid), setTlb(record('tlbe', [])))]),
    ],
    access: {
      read: rule('read', [if_(tf(TLB.valid), done()), if_(not(pf(PTE.present)), fault()),
        setPf(PTE.accessed, TRUE), setTlb(cache(pf(PTE.write), pf(PTE.dirty))), done()]),
      write: rule('write', [
        if_(not(tf(TLB.valid)), block([
          if_(bin('||', not(pf(PTE.present)), not(pf(PTE.write))), fault()),
          setPf(PTE.accessed, TRUE), setPf(PTE.dirty, TRUE), setTlb(cache(TRUE, TRUE)), done()])),
        if_(not(tf(TLB.write)), fault()), done()]),
    },
    ptePfn: PTE.pfn, tlbPfn: TLB.pfn,
  };
}

export interface ModelSpec {
  cpus: Stmt[];
  /** Initial PTE per page (field order of `PTE`); `undefined` entries mean `any`. */
  pages?: (number | undefined)[][];
  frames?: number;
  globals?: GlobalVar[];
  locks?: Lock[];
  properties?: Property[];
  disabled?: string[];
  maxVersion?: number;
}

export function model(spec: ModelSpec): Model {
  const pages: Page[] = (spec.pages ?? []).map((init, index) => ({ index, name: `P${index}`, init, span }));
  return {
    file: 't.race',
    arch: miniArch(),
    cpus: spec.cpus.map((body, index) => ({ index, name: `c${index}`, group: `c${index}`, body, locals: [], span })),
    pages,
    frames: Array.from({ length: spec.frames ?? 1 }, (_, index) => ({ index, name: `F${index}`, data: 0 })),
    globals: spec.globals ?? [],
    locks: spec.locks ?? [],
    properties: [...(spec.properties ?? []), ...BUILTIN_PROPERTIES.map((name) => ({ kind: 'builtin' as const, name }))],
    interrupts: [],
    disabled: spec.disabled ?? [],
    maxVersion: spec.maxVersion ?? 2,
    dataType: { k: 'int', lo: 0, hi: 7 }, usesData: false, usesTlbi: false, relaxed: false,
  };
}

export const invariant = (name: string, expr: Expr): Property => ({ kind: 'invariant', name, expr, span });
export const final = (name: string, expr: Expr): Property => ({ kind: 'final', name, expr, span });
export const onAccess = (name: string, kind: 'read' | 'write', expr: Expr): Property => ({ kind: 'access', name, access: kind, expr, span });
export const assertProp = (name: string): Property => ({ kind: 'assert', name, span });
