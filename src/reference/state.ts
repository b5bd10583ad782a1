// Immutable machine states of the reference interpreter. Everything that distinguishes two states
// lives in a `State` record built only from Immutable values, so `is()` / `hashCode()` give exact
// state equality and an Immutable `Set<State>` is the seen-set.
import { List, Map as IMap, Record, Set as ISet } from 'immutable';
import type { Lock, Model, RecordKind, ScalarType, Stmt, Type } from '../ir/model.js';
import { recordFields, typeSize } from '../ir/types.js';
import { forEachStmt } from '../ir/walk.js';
import { earlyReadTargets, type EarlyReadTarget } from '../program/early-reads.js';
import { programGraph } from '../program/graph.js';
import { earlyWalkTargets, type EarlyWalkTarget } from '../program/early-walks.js';
import { storesPtePlainly } from '../ir/rules.js';

/** A scalar (bool 0/1, int, enum/page/frame/cpu index) or a PTE / TLB-entry record. */
export type Value = number | List<number>;

/**
 * One entry of a CPU's continuation stack (top = last). `stmt` means "execute this statement
 * next"; a `while` statement's item stays below its body so the body falls back into the test.
 * `drop` discards the locals a block/atomic made live (a loop's counter dies with its item).
 * `endCall` marks where a `return` of that call resumes. `endAtomic` exists only while an atomic
 * step runs. Every item is a function of the program point, so equal points give equal stacks.
 */
export type ItemKind = 'stmt' | 'drop' | 'endCall' | 'endAtomic';
export const Item = Record<{ kind: ItemKind; id: number }>({ kind: 'stmt', id: 0 });
export type Item = ReturnType<typeof Item>;

/** A program thread: a CPU's program, or a hardware/access rule run to completion. */
/** `killed`: a fatal fault (`sigsegv;`) ended the program (the stack is then empty). */
export const Thread = Record<{ stack: List<Item>; locals: IMap<number, Value>; killed: boolean }>({
  stack: List<Item>(),
  locals: IMap<number, Value>(),
  killed: false,
});
export type Thread = ReturnType<typeof Thread>;

/** `owner`: spinlock holder or rwsem writer (-1 = none); `readers`: rwsem reader CPUs. */
export const LockState = Record<{ owner: number; readers: ISet<number> }>({ owner: -1, readers: ISet<number>() });
export type LockState = ReturnType<typeof LockState>;

export const State = Record<{
  cpus: List<Thread>;
  /** Per global (model.globals order), one value per element (1 for a scalar global). */
  globals: List<List<Value>>;
  ptes: List<List<number>>;
  /** tlbs[cpu][page]: field 0 is `valid`; an invalid entry is all zeros. */
  tlbs: List<List<List<number>>>;
  versions: List<number>;
  freed: List<number>;
  /** Per frame, its data value. */
  data: List<number>;
  /** Pending TLB invalidations: flag (issuer * cpus + target) * pages + page. */
  pending: List<number>;
  /** One per lock instance (a `[page]` lock has one instance per page). */
  locks: List<LockState>;
  /** Relaxed mode, at cpu * pages + page: the early-walk target (EarlyWalkTarget.index) whose fault is held, 0 for none. */
  early: List<number>;
  /** Relaxed mode, at cpu * pages + page: the PTE a pending hardware update will write, or null. */
  updates: List<List<number> | null>;
  /**
   * Relaxed mode with data, at cpu * pages + page: an early read held for one of the CPU's
   * later plain loads of the page, as [frame, value, target (EarlyReadTarget.index)], or null.
   */
  reads: List<List<number> | null>;
  /**
   * Relaxed mode with data, at cpu * pages + page: a plain store the CPU performed through the
   * page that no other CPU sees yet, as [frame, value], or null.
   */
  stores: List<List<number> | null>;
  /**
   * Relaxed mode with plain PTE stores (storesPtePlainly), at cpu * pages + page: a `set_pte` the
   * CPU performed that only its own software sees yet, as the PTE it writes, or null.
   */
  pteStores: List<List<number> | null>;
}>({
  cpus: List(),
  globals: List(),
  ptes: List(),
  tlbs: List(),
  versions: List(),
  freed: List(),
  data: List(),
  pending: List(),
  locks: List(),
  early: List(),
  updates: List(),
  reads: List(),
  stores: List(),
  pteStores: List(),
});
export type State = ReturnType<typeof State>;

/** Static lookups derived once from the model. */
export interface Tables {
  readonly model: Model;
  readonly stmts: ReadonlyMap<number, Stmt>;
  readonly calls: ReadonlyMap<number, Stmt & { k: 'call' }>;
  readonly globalPos: ReadonlyMap<number, number>;
  readonly lockBase: ReadonlyMap<number, number>;
  /** Relaxed mode with data: per CPU, the plain loads an early read may be held for (src/program/early-reads.ts). */
  readonly readTargets: readonly (readonly EarlyReadTarget[])[];
  /** Relaxed mode: per CPU, the accesses an early walk may be held for (src/program/early-walks.ts). */
  readonly walkTargets: readonly (readonly EarlyWalkTarget[])[];
}

export function buildTables(model: Model, everyEarlyRead = false): Tables {
  const stmts = new Map<number, Stmt>();
  const calls = new Map<number, Stmt & { k: 'call' }>();
  const visit = (root: Stmt): void => forEachStmt(root, (s) => {
    stmts.set(s.id, s);
    if (s.k === 'call') calls.set(s.callId, s);
  });
  model.cpus.forEach((c) => visit(c.body));
  model.arch.hardware.forEach((r) => visit(r.body));
  model.interrupts.forEach((i) => visit(i.rule.body));
  visit(model.arch.access.read.body);
  visit(model.arch.access.write.body);
  const globalPos = new Map(model.globals.map((g, i) => [g.id, i] as const));
  const lockBase = new Map<number, number>();
  let next = 0;
  for (const l of model.locks) {
    lockBase.set(l.id, next);
    next += l.perPage ? model.pages.length : 1;
  }
  const graph = model.relaxed ? programGraph(model) : undefined;
  const readTargets = graph && model.usesData ? earlyReadTargets(graph, everyEarlyRead) : [];
  return { model, stmts, calls, globalPos, lockBase, readTargets, walkTargets: graph ? earlyWalkTargets(graph) : [] };
}

/** Where the flag of a TLBI by `issuer` pending on `target` for `page` lives in State.pending. */
export function pendingIndex(m: Model, issuer: number, target: number, page: number): number {
  return (issuer * m.cpus.length + target) * m.pages.length + page;
}

/** Where (cpu, page) lives in State.early and State.updates. */
export function relaxedIndex(m: Model, cpu: number, page: number): number {
  return cpu * m.pages.length + page;
}

export function lockIndex(t: Tables, lock: Lock, page: number): number {
  return t.lockBase.get(lock.id)! + (lock.perPage ? page : 0);
}

export function zeroRecord(model: Model, rec: RecordKind): List<number> {
  return List(recordFields(model.arch, rec).map(() => 0));
}

/** Whether `v` lies in the domain of `t`; records are checked field by field. */
export function inRange(model: Model, t: Type, v: Value): boolean {
  if (t.k === 'pte' || t.k === 'tlbe') {
    const fields = recordFields(model.arch, t.k);
    return List.isList(v) && v.size === fields.length && fields.every((f, i) => inRange(model, f.type, v.get(i)!));
  }
  if (typeof v !== 'number') return false;
  const lo = t.k === 'int' ? t.lo : 0;
  return v >= lo && v < lo + typeSize(t as ScalarType, model);
}

/** A CPU's fresh thread: the whole body still to run (normalised later by the executor). */
function startThread(body: Stmt): Thread {
  return Thread({ stack: List([Item({ kind: 'stmt', id: body.id })]) });
}

/**
 * The unnormalised initial states: the cartesian product of every `any` initial value (globals'
 * elements, then pages' PTE fields) over its type's domain.
 */
export function initialStates(model: Model): State[] {
  const holes: { domain: number[]; put: (g: number[][], p: number[][], v: number) => void }[] = [];
  const globals = model.globals.map((g) => g.init.map((v) => v ?? 0));
  const ptes = model.pages.map((p) => p.init.map((v) => v ?? 0));
  const domain = (t: ScalarType): number[] => {
    const lo = t.k === 'int' ? t.lo : 0;
    return Array.from({ length: typeSize(t, model) }, (_, i) => lo + i);
  };
  model.globals.forEach((g, gi) => g.init.forEach((v, ei) => {
    if (v === undefined) holes.push({ domain: domain(g.type), put: (gs, _p, x) => { gs[gi]![ei] = x; } });
  }));
  model.pages.forEach((p, pi) => p.init.forEach((v, fi) => {
    if (v === undefined) holes.push({ domain: domain(model.arch.pteFields[fi]!.type), put: (_g, ps, x) => { ps[pi]![fi] = x; } });
  }));
  const noTlb = zeroRecord(model, 'tlbe');
  const lockCount = model.locks.reduce((n, l) => n + (l.perPage ? model.pages.length : 1), 0);
  const out: State[] = [];
  const fill = (k: number): void => {
    if (k === holes.length) {
      out.push(State({
        cpus: List(model.cpus.map((c) => startThread(c.body))),
        globals: List(globals.map((g) => List<Value>(g))),
        ptes: List(ptes.map((p) => List(p))),
        tlbs: List(model.cpus.map(() => List(model.pages.map(() => noTlb)))),
        versions: List(model.frames.map(() => 0)),
        freed: List(model.frames.map(() => 0)),
        data: List(model.frames.map((f) => f.data)),
        pending: List(Array.from({ length: model.cpus.length ** 2 * model.pages.length }, () => 0)),
        locks: List(Array.from({ length: lockCount }, () => LockState())),
        early: List(model.relaxed ? Array.from({ length: model.cpus.length * model.pages.length }, () => 0) : []),
        updates: List<List<number> | null>(model.relaxed ? Array.from({ length: model.cpus.length * model.pages.length }, () => null) : []),
        reads: List<List<number> | null>(model.relaxed && model.usesData ? Array.from({ length: model.cpus.length * model.pages.length }, () => null) : []),
        stores: List<List<number> | null>(model.relaxed && model.usesData ? Array.from({ length: model.cpus.length * model.pages.length }, () => null) : []),
        pteStores: List<List<number> | null>(model.relaxed && storesPtePlainly(model) ? Array.from({ length: model.cpus.length * model.pages.length }, () => null) : []),
      }));
      return;
    }
    for (const x of holes[k]!.domain) {
      holes[k]!.put(globals, ptes, x);
      fill(k + 1);
    }
  };
  fill(0);
  return out;
}
