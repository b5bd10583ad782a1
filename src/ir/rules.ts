// The spontaneous steps of a model, in action order: every enabled hardware rule for every CPU
// and page, then every interrupt's delivery for every CPU (page -1: it runs for no page). The
// compiler, the independence analysis, the reference interpreter and the Promela export all
// enumerate them from here.
import { acquiresLock, isAcquire, ordersLaterLoads, type HardwareRule, type Interrupt, type Model, type Stmt } from './model.js';
import { stmtChildren } from './walk.js';

export interface RuleInstance {
  readonly rule: HardwareRule;
  readonly cpu: number;
  /** -1 for an interrupt delivery. */
  readonly page: number;
  readonly interrupt?: Interrupt;
}

export function enabledHardware(m: Model): readonly HardwareRule[] {
  return m.arch.hardware.filter((r) => !m.disabled.includes(r.name));
}

export function ruleInstances(m: Model): RuleInstance[] {
  return [
    ...enabledHardware(m).flatMap((rule) => m.cpus.flatMap((c) => m.pages.map((p) => ({ rule, cpu: c.index, page: p.index })))),
    ...m.interrupts.flatMap((interrupt) => m.cpus.map((c) => ({ rule: interrupt.rule, cpu: c.index, page: -1, interrupt }))),
  ];
}

/**
 * Relaxed mode: an access a held early read may satisfy (docs/models/arm64.md "Relaxed mode"):
 * a plain data load (`r = read P;`), neither acquire nor gated. Only such a load may be
 * satisfied before the CPU's earlier accesses (Arm ARM B2.3: without a barrier, dependency or
 * acquire, a later load is not ordered after earlier loads and stores).
 */
export function earlyLoadable(s: Stmt): s is Stmt & { k: 'access' } {
  return s.k === 'access' && s.access === 'read' && s.data?.op === 'load' && !s.order && !s.guard;
}

/**
 * Relaxed mode: whether step `s` drops every early read its CPU holds (src/program/early-reads.ts):
 * a barrier that orders later loads, an acquire access, a lock acquisition.
 */
export function earlyReadsDropped(s: Stmt): boolean {
  switch (s.k) {
    case 'access': return isAcquire(s.order);
    case 'barrier': return ordersLaterLoads(s.op, s.option);
    case 'lock': return acquiresLock(s.op);
    default: return false;
  }
}

/**
 * Relaxed mode: whether some CPU program stores a PTE plainly: a `set_pte` that is a step of its
 * own, not part of an atomic block (an atomic read-modify-write such as ptep_get_and_clear) or of
 * an interrupt handler. Such a store is pending until written (src/compile/relaxed.ts).
 */
export function storesPtePlainly(m: Model): boolean {
  const plain = (s: Stmt): boolean => s.k === 'setPte' || (s.k !== 'atomic' && stmtChildren(s).some(plain));
  return m.cpus.some((c) => plain(c.body));
}
