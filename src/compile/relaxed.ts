// arm64's relaxed ordering of translation-table accesses (Model.relaxed, `--memory relaxed`;
// docs/models/arm64.md "Relaxed mode"), for the compiled engine. Two mechanisms, each a rule of
// Arm's VMSA model (herd7 aarch64.cat, aarch64hwreqs.cat; Simner et al., ESOP 2022):
//
//  * Hardware updates (HU: the Access flag or dirty state a walk sets) are not ordered before the
//    CPU's later accesses by DMB, acquire/release, DSB LD/ST or ISB, only by a full DSB
//    (DSB-ordered-before orders every memory effect, HU included; bob and the other clauses
//    order explicit effects only). So the PTE write an access or `fill` rule makes is kept
//    pending per (CPU, page) and written by the hardware step `hu_commit`, at the latest at the
//    CPU's next full DSB. A HU is an atomic read-modify-write (aarch64.cat `atomic`: no write
//    between its read and its write), so while one is pending on a PTE every other write to it
//    (software, another CPU's HU) waits: the step is disabled until the commit.
//  * Translation reads are not ordered after earlier accesses by DMB or DSB without a context
//    synchronization after them (DSB-ob excludes `Imp & TTD & R`; IFB-ob orders what follows an
//    ISB or exception entry). So the hardware step `walk_early` may walk a page for a CPU at any
//    time; a walk that faults is held (only faulting walks: a valid one is what `fill` caches)
//    and the CPU's next access of that kind faults, until its next ISB or exception entry drops
//    what it holds.
import { DISABLED, FAULT, OK } from './emit-step.js';
import { earlySlot, huSlot, huValueSlot, pteSlot, tlbSlot, type Layout } from './layout.js';
import type { Model } from '../ir/model.js';
import { FINISHED } from '../program/graph.js';

type Exec = (s: Int32Array) => number;

/** Bit of an early walk's fault for an access kind (Layout.earlyBase). */
export const EARLY_BIT = { read: 1, write: 2 } as const;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** JS: the pending HU of (cpu, page), if any, is written to the PTE. */
function commitCode(m: Model, l: Layout, cpu: number, page: number): string {
  const np = m.pages.length;
  const flag = huSlot(l, np, cpu, page);
  const moves = range(l.pteWidth).map((f) => `s[${pteSlot(l, page, f)}] = s[${huValueSlot(l, np, cpu, page, f)}]; s[${huValueSlot(l, np, cpu, page, f)}] = 0;`);
  return `if (s[${flag}]) { ${moves.join(' ')} s[${flag}] = 0; }`;
}

/** JS for a full DSB by `cpu`: its pending hardware updates are written (DSB-ordered-before). */
export function dsbCommitCode(m: Model, l: Layout, cpu: number): string {
  return m.relaxed ? m.pages.map((p) => commitCode(m, l, cpu, p.index)).join(' ') : '';
}

/** JS for a context synchronization event on `cpu` (ISB, exception entry): early walks are dropped. */
export function contextSyncCode(m: Model, l: Layout, cpu: number): string {
  return m.relaxed ? m.pages.map((p) => `s[${earlySlot(l, m.pages.length, cpu, p.index)}] = 0;`).join(' ') : '';
}

/**
 * JS guarding a software store to the PTE of page `page` (a JS expression): while a hardware
 * update is pending on it the step is disabled, and the state is restored from `saved` first
 * (the explorer expects a disabled step to leave the state untouched).
 */
export function pteStoreGuard(m: Model, l: Layout, page: string, saved: string): string {
  const np = m.pages.length;
  const flags = m.cpus.map((c) => `s[${huSlot(l, np, c.index, 0)} + ${page}]`);
  return `if (${flags.join(' || ')}) { s.set(${saved}); return ${DISABLED}; }`;
}

/** The hardware step `hu_commit` of (cpu, page): DISABLED when nothing is pending there. */
export function huCommitStep(m: Model, l: Layout, cpu: number, page: number): Exec {
  const flag = huSlot(l, m.pages.length, cpu, page);
  const commit = new Function('s', commitCode(m, l, cpu, page)) as (s: Int32Array) => void;
  return (s) => {
    if (!s[flag]) return DISABLED;
    commit(s);
    return OK;
  };
}

/**
 * An access or hardware rule of (cpu, page) under the relaxed mode: its PTE write becomes a
 * pending HU, or disables the step while another is pending on that PTE. `early`: the access
 * kind, for an access rule (an early walk's held fault is taken first; a fault is an exception
 * entry, which drops the CPU's early walks).
 */
export function relaxedRule(m: Model, l: Layout, raw: Exec, cpu: number, page: number, early?: 'read' | 'write'): Exec {
  const np = m.pages.length;
  const pte = pteSlot(l, page, 0);
  const flags = m.cpus.map((c) => huSlot(l, np, c.index, page));
  const own = huSlot(l, np, cpu, page);
  const value = huValueSlot(l, np, cpu, page, 0);
  const earlyAt = earlySlot(l, np, cpu, page);
  const drops = m.pages.map((p) => earlySlot(l, np, cpu, p.index));
  const width = l.pteWidth;
  const before = new Int32Array(width);
  let scratch: Int32Array | undefined;
  const sync = (s: Int32Array) => { for (const d of drops) s[d] = 0; };
  const changed = (s: Int32Array) => { for (let f = 0; f < width; f++) if (s[pte + f] !== before[f]) return true; return false; };
  return (s) => {
    if (early && s[earlyAt]! & EARLY_BIT[early]) { sync(s); return FAULT; }
    for (let f = 0; f < width; f++) before[f] = s[pte + f]!;
    let code: number;
    if (flags.some((x) => s[x])) {
      // Another update is pending on this PTE: the rule may read it, but not write it.
      scratch ??= new Int32Array(s.length);
      scratch.set(s);
      code = raw(scratch);
      if (code !== DISABLED && changed(scratch)) return DISABLED;
      if (code !== DISABLED) s.set(scratch);
    } else {
      code = raw(s);
      if (code !== DISABLED && changed(s)) {
        for (let f = 0; f < width; f++) { s[value + f] = s[pte + f]!; s[pte + f] = before[f]!; }
        s[own] = 1;
      }
    }
    if (early && code === FAULT) sync(s);
    return code;
  };
}

/**
 * The hardware step `walk_early` of (cpu, page): a walk performed now whose fault (for a read,
 * a write, or both: the access rules run on a copy, without the CPU's TLB entry) the CPU holds
 * for its next access. DISABLED when it holds one already, the walk would not fault or the CPU
 * has finished.
 */
export function walkEarlyStep(m: Model, l: Layout, read: Exec, write: Exec, cpu: number, page: number): Exec {
  const np = m.pages.length;
  const at = earlySlot(l, np, cpu, page);
  const entry = tlbSlot(l, np, cpu, page, 0);
  const pc = l.cpus[cpu]!.pc;
  let scratch: Int32Array | undefined;
  const faults = (rule: Exec, s: Int32Array) => {
    scratch ??= new Int32Array(s.length);
    scratch.set(s);
    scratch.fill(0, entry, entry + l.tlbWidth);
    return rule(scratch) === FAULT;
  };
  return (s) => {
    // A finished CPU makes no more accesses.
    if (s[at] || s[pc] === FINISHED) return DISABLED;
    const bits = (faults(read, s) ? EARLY_BIT.read : 0) | (faults(write, s) ? EARLY_BIT.write : 0);
    if (!bits) return DISABLED;
    s[at] = bits;
    return OK;
  };
}
