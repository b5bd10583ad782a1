// The largest model the engine takes: every successor evaluation copies the state, and a state
// has an action per CPU and per hardware rule, CPU and page, so a model past these bounds would
// take seconds a state. Refused with an error at the declaration that crosses the bound.
import type { Model } from '../ir/model.js';
import { Diagnostic, type Span } from '../lang/source.js';
import type { Layout } from './layout.js';

/** Slots (Int32 scalars) of one state. */
export const MAX_SLOTS = 16_384;
/** Actions of one state: the action column of the search holds 16 bits. */
export const MAX_ACTIONS = 0xffff;

export function checkSize(m: Model, l: Layout, hardwareRules: number, interrupts: number): void {
  const ncpu = m.cpus.length;
  const actions = ncpu * (1 + interrupts) + hardwareRules * ncpu * m.pages.length;
  if (actions > MAX_ACTIONS) {
    // Actions grow by a CPU's worth per page: the first page that crosses the bound.
    const page = Math.floor((MAX_ACTIONS - ncpu * (1 + interrupts)) / (hardwareRules * ncpu));
    throw new Diagnostic(m.pages[page]!.span,
      `the model has ${actions} actions (${ncpu} CPUs, and ${hardwareRules} hardware rules for each CPU and page); at most ${MAX_ACTIONS} are supported`,
      'declare fewer pages or CPUs, or disable hardware rules the scenario does not need (disable evict;)');
  }
  if (l.size > MAX_SLOTS) {
    throw new Diagnostic(ownerOf(m, l, MAX_SLOTS),
      `the state has ${l.size} slots (CPUs with their locals and TLB entries, globals, pages, frames, locks); at most ${MAX_SLOTS} are supported`,
      'declare fewer CPUs, pages or globals, or narrow arrays indexed by page or cpu');
  }
}

/** The declaration whose slots include `slot` (layoutOf's order); a page when it has no span of its own. */
function ownerOf(m: Model, l: Layout, slot: number): Span {
  const last = <T>(xs: readonly T[], starts: (x: T) => number) => [...xs].reverse().find((x) => starts(x) <= slot);
  if (m.globals.length && slot >= l.globalSlot[0]! && slot < l.pteBase) return last(m.globals, (g) => l.globalSlot[g.id]!)!.span;
  if (slot < (m.globals.length ? l.globalSlot[0]! : l.pteBase)) return last(m.cpus, (c) => l.cpus[c.index]!.pc)!.span;
  if (slot < l.tlbBase) return m.pages[Math.floor((slot - l.pteBase) / l.pteWidth)]!.span;
  if (slot < l.versionBase) return m.cpus[Math.floor((slot - l.tlbBase) / (l.tlbWidth * m.pages.length))]!.span;
  if (m.locks.length && slot >= l.lockSlot[0]!) return last(m.locks, (k) => l.lockSlot[k.id]!)!.span;
  return m.pages[m.pages.length - 1]!.span;
}
