// The spontaneous steps of a model, in action order: every enabled hardware rule for every CPU
// and page, then every interrupt's delivery for every CPU (page -1: it runs for no page). The
// compiler, the independence analysis, the reference interpreter and the Promela export all
// enumerate them from here.
import { ordersLaterLoads, type HardwareRule, type Interrupt, type Model, type Stmt } from './model.js';
import { forEachStmt } from './walk.js';

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
 * Relaxed mode: the pages CPU `cpu`'s program may access (its body and the fault handlers it
 * runs; a page given by a variable counts as every page). Only those get `walk_early` steps: an
 * early walk of a page the CPU never accesses could fault nothing.
 */
export function accessedPages(m: Model, cpu: number): boolean[] {
  const out = m.pages.map(() => false);
  forEachStmt(m.cpus[cpu]!.body, (s) => {
    if (s.k !== 'access') return;
    if (s.page.k === 'const') out[s.page.value] = true; else out.fill(true);
  });
  return out;
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

/** Relaxed mode: the pages CPU `cpu`'s program loads plainly (earlyLoadable); they get `read_early` steps. */
export function earlyLoadPages(m: Model, cpu: number): boolean[] {
  const out = m.pages.map(() => false);
  forEachStmt(m.cpus[cpu]!.body, (s) => {
    if (!earlyLoadable(s)) return;
    if (s.page.k === 'const') out[s.page.value] = true; else out.fill(true);
  });
  return out;
}

/**
 * Relaxed mode: whether a CPU whose next step is `next` gains nothing from an early read of
 * `page` now: that step is an access of the page (it would use or drop the read at once, the same
 * as loading then) or drops every early read (a barrier that orders later loads, an acquire, a
 * lock acquisition). `read_early` is disabled there, which removes no outcome.
 */
export function earlyReadUseless(next: Stmt, page: number): boolean {
  switch (next.k) {
    case 'access': return (next.page.k === 'const' && next.page.value === page) || next.order === 'acquire' || next.order === 'acq_rel';
    case 'barrier': return ordersLaterLoads(next.op, next.option);
    case 'lock': return next.op === 'lock' || next.op === 'down_read' || next.op === 'down_write';
    default: return false;
  }
}
