// The checked model: every name resolved, every expression typed, procedures and fault handlers
// inlined, `for` loops unrolled. Both engines (compile/explore and the reference interpreter)
// start from this form; docs/LANGUAGE.md ("Steps") defines what one step of it is.
import type { Span } from '../lang/source.js';

export type ScalarType =
  | { k: 'bool' }
  | { k: 'int'; lo: number; hi: number }
  | { k: 'enum'; name: string; members: readonly string[] }
  | { k: 'page' }
  | { k: 'frame' }
  | { k: 'cpu' };

export type RecordKind = 'pte' | 'tlbe';
export type Type = ScalarType | { k: RecordKind };

export interface Field {
  readonly name: string;
  readonly type: ScalarType;
}

/** Global variable, scalar or an array indexed by page, cpu or frame (a per-frame field such as a folio flag). */
export interface GlobalVar {
  readonly id: number;
  readonly name: string;
  readonly type: ScalarType;
  readonly ghost: boolean;
  readonly indexBy?: 'page' | 'cpu' | 'frame';
  /** One initial value per element; `undefined` means any value of the type. */
  readonly init: readonly (number | undefined)[];
  readonly span: Span;
}

export interface Lock {
  readonly id: number;
  readonly name: string;
  readonly kind: 'spinlock' | 'rwsem';
  /** Locks declared `spinlock ptl[page]` have one instance per page. */
  readonly perPage: boolean;
  readonly span: Span;
}

/** A local variable slot of one CPU's program (lets, inlined parameters, loop counters). */
export interface Local {
  readonly id: number;
  readonly name: string;
  readonly type: Type;
}

export type BinOp = '&&' | '||' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-';

/** Typed expressions. Scalars are numbers (bool 0/1, enum/page/frame/cpu indexes). */
export type Expr =
  | { k: 'const'; type: ScalarType; value: number }
  | { k: 'record'; rec: RecordKind; fields: readonly Expr[] }
  | { k: 'global'; v: GlobalVar; index?: Expr }
  | { k: 'local'; local: Local }
  | { k: 'self' }
  | { k: 'pteOf'; page: Expr }
  | { k: 'tlbOf'; cpu: Expr; page: Expr }
  | { k: 'frameVersion'; frame: Expr }
  | { k: 'frameFreed'; frame: Expr }
  /** `F.data`: the data value stored in frame F (written by `write P = e;`, read by `read P`). */
  | { k: 'frameData'; frame: Expr }
  /** A per-CPU model parameter (`param bool hd[cpu]`): the value for CPU `cpu`. */
  | { k: 'cpuTable'; type: ScalarType; values: readonly number[]; cpu: Expr }
  /** `killed(c)`: CPU `c` was killed by a fatal fault (`sigsegv;`). */
  | { k: 'killed'; cpu: Expr }
  | { k: 'field'; rec: RecordKind; target: Expr; index: number }
  | { k: 'with'; rec: RecordKind; target: Expr; sets: readonly (readonly [number, Expr])[] }
  | { k: 'not'; arg: Expr }
  | { k: 'neg'; arg: Expr }
  | { k: 'bin'; op: BinOp; left: Expr; right: Expr; rec?: RecordKind }
  | { k: 'ite'; test: Expr; then: Expr; else: Expr }
  /** Inside a hardware or access rule: the PTE of the page the rule runs for. */
  | { k: 'rulePte' }
  /** Inside a hardware or access rule: the running CPU's TLB entry for that page. */
  | { k: 'ruleTlb' }
  /** Inside an access property: the binder values of the completed access. */
  | { k: 'accessCpu' }
  | { k: 'accessPage' }
  | { k: 'accessFrame' };

export type LValue =
  | { k: 'global'; v: GlobalVar; index?: Expr }
  | { k: 'local'; local: Local }
  | { k: 'field'; rec: RecordKind; target: LValue; index: number }
  | { k: 'frameVersion'; frame: Expr }
  | { k: 'frameFreed'; frame: Expr }
  | { k: 'rulePte' }
  | { k: 'ruleTlb' };

export type LockOp = 'lock' | 'unlock' | 'down_read' | 'up_read' | 'down_write' | 'up_write' | 'downgrade_write';

/** Arm's ordering of an access: LDAR (acquire), STLR (release), SWPAL/CASAL (acq_rel). */
export type AccessOrder = 'acquire' | 'release' | 'acq_rel';

export const isAcquire = (o: AccessOrder | undefined): boolean => o === 'acquire' || o === 'acq_rel';
export const isRelease = (o: AccessOrder | undefined): boolean => o === 'release' || o === 'acq_rel';
/** Taking a lock (an acquire, relaxed mode); the other lock operations release one. */
export const acquiresLock = (op: LockOp): boolean => op === 'lock' || op === 'down_read' || op === 'down_write';

/**
 * What an access does with the data value of the frame its translation gives: store `value`;
 * load it into `into`; swap (store, old value into `into`); compare-and-swap (store `value` iff
 * the old value equals `expected`; old value into `into`).
 */
export type DataAccess =
  | { op: 'store'; value: Expr }
  | { op: 'load'; into: LValue }
  | { op: 'swap'; value: Expr; into: LValue }
  | { op: 'cas'; expected: Expr; value: Expr; into: LValue };

/** The option of a DMB/DSB (Arm ARM C6.2 DMB, DSB): shareability domain and access types. */
export type BarrierOption = 'sy' | 'st' | 'ld' | 'ish' | 'ishst' | 'ishld' | 'nsh' | 'nshst' | 'nshld' | 'osh' | 'oshst' | 'oshld';
export const BARRIER_OPTIONS: readonly BarrierOption[] = ['sy', 'st', 'ld', 'ish', 'ishst', 'ishld', 'nsh', 'nshst', 'nshld', 'osh', 'oshst', 'oshld'];

/** A DSB with this option orders loads and stores and completes TLB maintenance (herd's dsb.full). */
export function fullBarrier(o: BarrierOption): boolean {
  return o === 'sy' || o === 'ish' || o === 'nsh' || o === 'osh';
}

/**
 * Whether a barrier makes the CPU's earlier stores visible before it completes (relaxed mode: it
 * writes the CPU's pending stores): a DMB or DSB of every kind but the LD ones (Arm ARM B2.3.10:
 * DMB LD orders only earlier loads; C6.2 DSB LD completes when earlier loads do). An ISB does not.
 */
export function ordersEarlierStores(op: 'dmb' | 'dsb' | 'isb', o: BarrierOption): boolean {
  return op !== 'isb' && !o.endsWith('ld');
}

/**
 * Whether a barrier keeps the CPU's later loads from being satisfied before it (relaxed mode:
 * it drops the CPU's early reads). Every DSB and ISB does: no later instruction executes before a
 * DSB completes, nor before an ISB (Arm ARM B2.3.12, C6.2 DSB, ISB); a DMB does unless it orders
 * only stores (the ST options; Arm ARM B2.3.10).
 */
export function ordersLaterLoads(op: 'dmb' | 'dsb' | 'isb', o: BarrierOption): boolean {
  return op !== 'dmb' || !o.endsWith('st');
}

export interface StmtBase {
  readonly span: Span;
  /** Unique per model; the compiler and the reference use it to name program points. */
  readonly id: number;
  /**
   * Labelled `end...:` (SPIN's end labels): a CPU blocked here counts as finished, so it is not a
   * deadlock and final properties are judged. Set only on statements that can block.
   */
  readonly validEnd?: boolean;
}

/**
 * Statements. A step is one of: let, assign, if-test, while-test, atomic, lock, await, assert,
 * access, return-with-value, setPte, flush, skip. `block`, `call` (inlined procedure entry) and
 * `return` without value are control flow only and take no step of their own.
 */
export type Stmt = StmtBase &
  (
    | { k: 'block'; body: readonly Stmt[]; locals: readonly Local[] }
    | { k: 'let'; local: Local; value: Expr }
    | { k: 'assign'; target: LValue; value: Expr }
    /** `v = xchg/cmpxchg(...)` and friends: atomic PTE read-modify-write, one step. */
    | { k: 'setPte'; page: Expr; value: Expr }
    | { k: 'if'; test: Expr; then: Stmt; else?: Stmt }
    | { k: 'while'; test: Expr; bound: number; counter: Local; body: Stmt }
    | { k: 'atomic'; guard?: Expr; body: readonly Stmt[]; locals: readonly Local[] }
    | { k: 'lock'; op: LockOp; lock: Lock; page?: Expr }
    | { k: 'await'; test: Expr }
    | { k: 'assert'; name: string; test: Expr }
    /** `guard`: the access is enabled only while it holds, tested in the same step (`write P when c;`). */
    /** `expectFault`: the assert-kind property (`write P expect fault;`) the access breaks if it completes. */
    | {
        k: 'access'; access: 'read' | 'write'; page: Expr; guard?: Expr; expectFault?: string; handler?: Stmt;
        order?: AccessOrder; data?: DataAccess;
      }
    /** An inlined procedure call: `target` receives the value of a `return e` inside `body`. */
    | { k: 'call'; name: string; target?: LValue; body: Stmt; callId: number }
    /** Leaves inlined call `callId`, storing `value` (if any) into that call's `target`. */
    | { k: 'return'; callId: number; target?: LValue; value?: Expr }
    | { k: 'flush'; pages: 'all' | readonly Expr[]; local: boolean }
    /** `dmb(o)`, `dsb(o)`, `isb()` (arm64). A full DSB completes the CPU's pending TLBIs. */
    | { k: 'barrier'; op: 'dmb' | 'dsb' | 'isb'; option: BarrierOption }
    /**
     * `tlbi(op[, P])` (arm64): makes the invalidation of `pages` pending on every CPU
     * (`broadcast`, the ...IS forms) or on the issuing CPU; it completes later (hardware step
     * `tlbi_complete`) or at the issuer's next full DSB.
     */
    | { k: 'tlbi'; op: string; pages: 'all' | readonly Expr[]; broadcast: boolean }
    | { k: 'skip' }
    /** `sigsegv;` in a fault handler: the CPU is killed (its program ends, status killed). */
    | { k: 'kill' }
    /** Only in access rules: the outcome of the access. */
    | { k: 'done' }
    | { k: 'fault' }
  );

export interface Cpu {
  readonly index: number;
  /** `writer[1]` for a member of `cpu writer[3]`; the declared name otherwise. */
  readonly name: string;
  /** Declared group (`writer` for `cpu writer[3]`); identical CPUs share it. */
  readonly group: string;
  readonly body: Stmt;
  readonly locals: readonly Local[];
  readonly span: Span;
}

export interface Page {
  readonly index: number;
  readonly name: string;
  /** Per PTE field: the initial value, or `undefined` for `any`. */
  readonly init: readonly (number | undefined)[];
  readonly span: Span;
}

export interface Frame {
  readonly index: number;
  readonly name: string;
  /** Initial data value (`frame F0 = 1;`). */
  readonly data: number;
}

export type Property =
  /** `builtin`: synthesized from the model (`bbm`, src/check/bbm.ts), not written in the scenario. */
  | { kind: 'invariant'; name: string; expr: Expr; span: Span; builtin?: true }
  | { kind: 'final'; name: string; expr: Expr; span: Span }
  /** A cover goal (`reachable NAME: e;`): met when `e` holds in some reachable state. */
  | { kind: 'cover'; name: string; expr: Expr; span: Span }
  | { kind: 'access'; name: string; access: 'read' | 'write'; expr: Expr; span: Span }
  | { kind: 'assert'; name: string; span: Span }
  | { kind: 'builtin'; name: BuiltinProperty; span?: Span };

/** Properties every scenario has; they can be expected as violated like any other. */
export const BUILTIN_PROPERTIES = ['deadlock', 'unhandled_fault', 'loop_bound', 'lock_misuse', 'overflow', 'no_translation', 'livelock'] as const;
export type BuiltinProperty = (typeof BUILTIN_PROPERTIES)[number];

export interface HardwareRule {
  readonly name: string;
  readonly body: Stmt;
  readonly locals: readonly Local[];
}

/**
 * An interrupt handler (`interrupt NAME when GUARD { ... }`), present only when some code sends
 * it (`send_ipi(NAME, c)`) or asks `ipi_pending(NAME, c)`. `pending` is a bool global per CPU
 * (the request sent and not yet taken, as a local APIC's IRR bit); taking it is a step of its
 * own per CPU, run like a hardware rule whose page is none (-1): `rule.body` is
 * `if (pending[self] && GUARD) { pending[self] = false; BODY }`.
 */
export interface Interrupt {
  readonly name: string;
  readonly pending: GlobalVar;
  readonly rule: HardwareRule;
  readonly span: Span;
}

export interface Arch {
  readonly name: string;
  /** The chain of model files, base first, for reports. */
  readonly files: readonly string[];
  readonly pteFields: readonly Field[];
  /** TLB entry fields; index 0 is always `valid`. */
  readonly tlbFields: readonly Field[];
  readonly hardware: readonly HardwareRule[];
  readonly access: { readonly read: HardwareRule; readonly write: HardwareRule };
  /** Index of the pfn field in pteFields and in tlbFields, for stale-translation reports. */
  readonly ptePfn: number;
  readonly tlbPfn: number;
}

export interface Expectation {
  readonly violated: readonly string[];
  readonly span: Span;
}

export interface Model {
  readonly file: string;
  readonly arch: Arch;
  readonly cpus: readonly Cpu[];
  readonly pages: readonly Page[];
  readonly frames: readonly Frame[];
  readonly globals: readonly GlobalVar[];
  readonly locks: readonly Lock[];
  readonly properties: readonly Property[];
  /** `undefined` when the scenario states no expectation. */
  readonly expectation?: Expectation;
  /** Interrupt handlers the scenario sends (their delivery steps follow the hardware rules'). */
  readonly interrupts: readonly Interrupt[];
  /** Names of hardware rules the scenario turned off with `disable`. */
  readonly disabled: readonly string[];
  /** The largest version any frame can reach (the number of write statements on any path). */
  readonly maxVersion: number;
  /** The range of frame data values (`data int[LO..HI];`, default int[0..7]). */
  readonly dataType: ScalarType & { k: 'int' };
  /** Whether anything reads or writes frame data (only then does the state hold it). */
  readonly usesData: boolean;
  /** Whether a program issues `tlbi` (only then does the state hold pending invalidations). */
  readonly usesTlbi: boolean;
  /**
   * Arm's relaxed ordering of translation-table accesses (`--memory relaxed`, arm64 models only;
   * docs/models/arm64.md "Relaxed mode"): hardware Access-flag/dirty updates stay pending until
   * the CPU's next full DSB, and a walk may be performed early, its fault held until the CPU's
   * next context synchronization (ISB, exception entry). False: sequential consistency.
   */
  readonly relaxed: boolean;
}

/** `--memory`: Arm's relaxed ordering (arm64 models; the default) or sequential consistency. */
export type MemoryMode = 'sc' | 'relaxed';
export const DEFAULT_MEMORY: MemoryMode = 'relaxed';
