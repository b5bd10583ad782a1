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
//    ISB or exception entry), nor with each other. So the hardware step `walk_early` may walk a
//    page for one of a CPU's later accesses (src/program/early-walks.ts) at any time; a walk that
//    faults is held (only faulting walks: a valid one is what `fill` caches) and that access
//    faults when the CPU reaches it, until an ISB or exception entry drops what the CPU holds.
//  * Explicit loads are not ordered after the CPU's earlier loads and stores without a barrier,
//    an acquire or a dependency (Arm ARM B2.3.2, B2.3.10; herd7 aarch64.cat `ob`). So the
//    hardware step `read_early` performs one of the CPU's later plain data loads now (its
//    translation, and the data value of the frame it gives) and holds the value; that load then
//    completes with it, and the CPU's accesses in between run as usual. A DMB other than ST, any
//    DSB, an ISB, an exception entry, an acquire access or a lock acquisition drops what the CPU
//    holds; so does its data access of the held frame (coherence: a later load of a location
//    never reads an older value than an earlier access of it).
//  * Explicit stores are not ordered before the CPU's later accesses without a barrier
//    (Arm ARM B2.3.10): a data store is performed (translated, counted) at its step but kept
//    per (CPU, page) as a pending store that only its own CPU reads (forwarding), written to
//    memory by the hardware step `store_commit`, at the latest at the CPU's next DMB or DSB that
//    orders stores (every kind but LD), release, acquire or unlock, before its next access of
//    the frame that is not a load or store, and when a TLBI of the page completes on
//    the CPU (aarch64.cat TLBI-ob: the DSB after a TLBI orders the accesses that used the old
//    translation before what follows it).
//  * A plain PTE store (`set_pte` as a step of its own) is an explicit store like any other, and
//    translation walks read only what is visible in memory (aarch64.cat TTD-obs: a walk that
//    reads a store is ordered after it, so no walk reads a store from its own CPU's buffer). So
//    it is kept per (CPU, page) as a pending PTE store, read only by its own CPU's software
//    (`ptep_get`), written by the hardware step `pte_commit`, at the latest at the CPU's next
//    DMB or DSB that orders stores, release, acquire or unlock, its next software store to the
//    PTE, or a `flush` it issues (the helpers begin with `dsb(ishst)`). A TLBI does not wait for
//    it (DSB-ob: only a DSB orders a store before a TLBI), and a DSB LD or an ISB does not write
//    it. Written while a hardware update is pending on the PTE, it is written after that update
//    (the update's read and write are adjacent in coherence: aarch64.cat `atomic`).
import { DISABLED, DONE, FAULT, OK } from './emit-step.js';
import { earlySlot, huSlot, huValueSlot, pteSlot, pteStoreSlot, pteStoreValueSlot, readSlot, readTargetSlot, readValueSlot, storeSlot, storeValueSlot, tlbSlot, type Layout } from './layout.js';
import type { Model } from '../ir/model.js';
import type { CpuProgram } from '../program/graph.js';
import type { EarlyWalkTarget } from '../program/early-walks.js';
import type { EarlyReadTarget } from '../program/early-reads.js';

type Exec = (s: Int32Array) => number;

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

/** JS for a context synchronization event on `cpu` (ISB, exception entry): early walks and reads are dropped. */
export function contextSyncCode(m: Model, l: Layout, cpu: number): string {
  return m.relaxed ? `${m.pages.map((p) => `s[${earlySlot(l, m.pages.length, cpu, p.index)}] = 0;`).join(' ')} ${dropReadsCode(m, l, cpu)}` : '';
}

/** The slots of `cpu`'s early reads (frame, value and target, per page); none without them. */
export function readSlots(m: Model, l: Layout, cpu: number): number[] {
  const np = m.pages.length;
  return l.readBase < 0 ? [] : m.pages.flatMap((p) => [readSlot(l, np, cpu, p.index), readValueSlot(l, np, cpu, p.index), readTargetSlot(l, np, cpu, p.index)]);
}

/** JS dropping every early read `cpu` holds (its later loads are now ordered after this point). */
export function dropReadsCode(m: Model, l: Layout, cpu: number): string {
  return readSlots(m, l, cpu).map((x) => `s[${x}] = 0;`).join(' ');
}

/**
 * JS when a TLBI of page `page` (a number or JS name) completes on `cpu`: its early read of the
 * page, if any, is marked (its target negated). The read used the old translation, so the CPU's
 * accesses of the page before the load it is held for must not use a newer one (aarch64.cat
 * TLBI-ob, third clause: po-earlier accesses of the VA are ordered before the DSB too); the
 * model does not track that, so such an access drops a marked read (dropMarkedReadCode).
 */
export function markPageReadCode(m: Model, l: Layout, cpu: number, page: number | string, track = false): string {
  if (l.readBase < 0) return '';
  const at = typeof page === 'number' ? String(readTargetSlot(l, m.pages.length, cpu, page)) : `${readTargetSlot(l, m.pages.length, cpu, 0)} + ${page}`;
  return `if (s[${at}] > 0) { s[${at}] = -s[${at}];${track ? ' ch = 1;' : ''} }`;
}

/** JS after `cpu`'s access of page `page` (a JS name) that did not take its early read: a marked read of the page is dropped. */
export function dropMarkedReadCode(m: Model, l: Layout, cpu: number, page: string): string {
  if (l.readBase < 0) return '';
  const at = `${readSlot(l, m.pages.length, cpu, 0)} + ${page}`;
  return `if (s[${at} + ${l.readTargetBase - l.readBase}] < 0) { s[${at}] = 0; s[${at} + ${l.readValueBase - l.readBase}] = 0; s[${at} + ${l.readTargetBase - l.readBase}] = 0; }`;
}

/**
 * JS after `cpu`'s data access of frame `frame` (a JS expression) completed: every early read it
 * holds of that frame is dropped (coherence: a later load of a location never reads an older
 * value than an earlier access of it).
 */
export function dropFrameReadsCode(m: Model, l: Layout, cpu: number, frame: string): string {
  if (l.readBase < 0) return '';
  const np = m.pages.length;
  return m.pages.map((p) => {
    const r = readSlot(l, np, cpu, p.index);
    return `if (s[${r}] === ${frame} + 1) { s[${r}] = 0; s[${readValueSlot(l, np, cpu, p.index)}] = 0; s[${readTargetSlot(l, np, cpu, p.index)}] = 0; }`;
  }).join(' ');
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

/** A built-in step that writes what is pending at `flag` by `code`: DISABLED when nothing is. */
function commitStep(flag: number, code: string): Exec {
  const commit = new Function('s', code) as (s: Int32Array) => void;
  return (s) => {
    if (!s[flag]) return DISABLED;
    commit(s);
    return OK;
  };
}

/** The hardware step `hu_commit` of (cpu, page): DISABLED when nothing is pending there. */
export function huCommitStep(m: Model, l: Layout, cpu: number, page: number): Exec {
  return commitStep(huSlot(l, m.pages.length, cpu, page), commitCode(m, l, cpu, page));
}

/**
 * An access or hardware rule of (cpu, page) under the relaxed mode: its PTE write becomes a
 * pending HU, or disables the step while another is pending on that PTE. `access`: an access
 * rule, whose fault is an exception entry (the CPU's early walks and reads are dropped).
 */
export function relaxedRule(m: Model, l: Layout, raw: Exec, cpu: number, page: number, access = false): Exec {
  const np = m.pages.length;
  const pte = pteSlot(l, page, 0);
  const flags = m.cpus.map((c) => huSlot(l, np, c.index, page));
  const own = huSlot(l, np, cpu, page);
  const value = huValueSlot(l, np, cpu, page, 0);
  const drops = [...m.pages.map((p) => earlySlot(l, np, cpu, p.index)), ...readSlots(m, l, cpu)];
  const width = l.pteWidth;
  const before = new Int32Array(width);
  let scratch: Int32Array | undefined;
  const sync = (s: Int32Array) => { for (const d of drops) s[d] = 0; };
  const changed = (s: Int32Array) => { for (let f = 0; f < width; f++) if (s[pte + f] !== before[f]) return true; return false; };
  return (s) => {
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
    if (access && code === FAULT) sync(s);
    return code;
  };
}

/**
 * The hardware step `walk_early` of (cpu, page) for `target` (one of the CPU's access points,
 * src/program/early-walks.ts): its walk performed now, by `rule` (the access rule of its kind) on
 * a copy without the CPU's TLB entry; a fault is held for it. DISABLED when the CPU holds an
 * early walk of the page already, the target is not ahead of it (before an ISB), or the walk would
 * not fault.
 */
export function walkEarlyStep(m: Model, l: Layout, program: CpuProgram, rule: Exec, target: EarlyWalkTarget, page: number): Exec {
  const cpu = program.cpu.index;
  const at = earlySlot(l, m.pages.length, cpu, page);
  const entry = tlbSlot(l, m.pages.length, cpu, page, 0);
  const pc = l.cpus[cpu]!.pc;
  // Per pc (FINISHED included): the target lies ahead.
  const ahead = program.points.map((p) => p !== undefined && target.from.has(p.stmt.id));
  let scratch: Int32Array | undefined;
  return (s) => {
    if (s[at] || !ahead[s[pc]!]) return DISABLED;
    scratch ??= new Int32Array(s.length);
    scratch.set(s);
    scratch.fill(0, entry, entry + l.tlbWidth);
    if (rule(scratch) !== FAULT) return DISABLED;
    s[at] = target.index;
    return OK;
  };
}

/**
 * The hardware step `read_early` of (cpu, page) for `target` (one of the CPU's plain loads,
 * src/program/early-reads.ts): the load is performed now by `read` (the access rule as the CPU
 * runs it: TLB, walk, pending hardware updates), and the frame and data value it gives are held
 * for it. DISABLED when the CPU holds an early read of the page already, the target is not
 * ahead of it, an early walk is held for the target (which then faults), or the access would not
 * complete (a fault is walk_early's).
 */
export function readEarlyStep(m: Model, l: Layout, program: CpuProgram, target: EarlyReadTarget, read: Exec, page: number): Exec {
  const cpu = program.cpu.index;
  // Per pc: the target is ahead.
  const ahead = program.points.map((p) => p !== undefined && (target.from === undefined || target.from.has(p.stmt.id)));
  const np = m.pages.length;
  const at = readSlot(l, np, cpu, page);
  const value = readValueSlot(l, np, cpu, page);
  const entry = tlbSlot(l, np, cpu, page, 0);
  const pfn = entry + m.arch.tlbPfn;
  const pc = l.cpus[cpu]!.pc;
  const early = earlySlot(l, np, cpu, page);
  const held = readTargetSlot(l, np, cpu, page);
  // The value the CPU reads from a frame: its own pending store to it, else memory.
  const forward = new Function('s', 'f', `${forwardCode(m, l, cpu, 'f', 'v')} return v;`) as (s: Int32Array, f: number) => number;
  let scratch: Int32Array | undefined;
  return (s) => {
    if (s[at] || !ahead[s[pc]!] || s[early] === target.index) return DISABLED;
    scratch ??= new Int32Array(s.length);
    scratch.set(s);
    if (read(scratch) !== DONE || !scratch[entry]) return DISABLED;
    s.set(scratch);
    const frame = s[pfn]!;
    s[at] = frame + 1;
    s[value] = forward(s, frame);
    s[held] = target.index;
    return OK;
  };
}

/** JS: the pending store whose frame slot is at `at` (a JS expression), if any, is written. */
function commitAt(l: Layout, at: string, track: boolean): string {
  const off = l.storeValueBase - l.storeBase;
  return `if (s[${at}]) { s[${l.dataBase} + s[${at}] - 1] = s[${at} + ${off}]; s[${at}] = 0; s[${at} + ${off}] = 0;${track ? ' ch = 1;' : ''} }`;
}

/** JS: `cpu`'s pending store through page `page` (a number or JS expression) is written. */
export function commitPageStoreCode(m: Model, l: Layout, cpu: number, page: number | string, track = false): string {
  if (l.storeBase < 0) return '';
  return commitAt(l, typeof page === 'number' ? String(storeSlot(l, m.pages.length, cpu, page)) : `${storeSlot(l, m.pages.length, cpu, 0)} + ${page}`, track);
}

/** The slots of `cpu`'s pending stores (frame and value, per page); none without them. */
export function storeSlots(m: Model, l: Layout, cpu: number): number[] {
  const np = m.pages.length;
  return l.storeBase < 0 ? [] : m.pages.flatMap((p) => [storeSlot(l, np, cpu, p.index), storeValueSlot(l, np, cpu, p.index)]);
}

/** JS: `cpu`'s pending stores are written: all of them, or those to frame `frame` (a JS expression). */
export function commitStoresCode(m: Model, l: Layout, cpu: number, frame?: string): string {
  if (l.storeBase < 0) return '';
  return m.pages.map((p) => {
    const at = storeSlot(l, m.pages.length, cpu, p.index);
    return frame === undefined ? commitAt(l, String(at), false) : `if (s[${at}] === ${frame} + 1) { ${commitAt(l, String(at), false)} }`;
  }).join(' ');
}

/** JS declaring `into` as the value `cpu` reads from frame `frame` (a JS name): its own pending store to it, else memory. */
export function forwardCode(m: Model, l: Layout, cpu: number, frame: string, into: string): string {
  const read = `let ${into} = s[${l.dataBase} + ${frame}];`;
  if (l.storeBase < 0) return read;
  const np = m.pages.length;
  return `${read} ${m.pages.map((p) => `if (s[${storeSlot(l, np, cpu, p.index)}] === ${frame} + 1) ${into} = s[${storeValueSlot(l, np, cpu, p.index)}];`).join(' ')}`;
}

/** The hardware step `store_commit` of (cpu, page): the pending store is written; DISABLED when none is. */
export function storeCommitStep(m: Model, l: Layout, cpu: number, page: number): Exec {
  const at = storeSlot(l, m.pages.length, cpu, page);
  return commitStep(at, commitAt(l, String(at), false));
}

/**
 * JS: `cpu`'s pending PTE store of page `page` (a number or JS expression), if any, is written to
 * the PTE, after every hardware update pending on it; with `track`, `ch` is set when it was.
 */
export function commitPteStoreCode(m: Model, l: Layout, cpu: number, page: number | string, track = false): string {
  if (l.pteStoreBase < 0) return '';
  if (typeof page === 'string') return m.pages.map((p) => `if (${page} === ${p.index}) { ${commitPteStoreCode(m, l, cpu, p.index, track)} }`).join(' else ');
  const np = m.pages.length;
  const flag = pteStoreSlot(l, np, cpu, page);
  const updates = m.cpus.map((c) => commitCode(m, l, c.index, page)).join(' ');
  const moves = range(l.pteWidth).map((f) => `s[${pteSlot(l, page, f)}] = s[${pteStoreValueSlot(l, np, cpu, page, f)}]; s[${pteStoreValueSlot(l, np, cpu, page, f)}] = 0;`);
  return `if (s[${flag}]) { ${updates} ${moves.join(' ')} s[${flag}] = 0;${track ? ' ch = 1;' : ''} }`;
}

/** JS: every pending PTE store of `cpu` is written (a barrier ordering stores, a release, a flush). */
export function commitPteStoresCode(m: Model, l: Layout, cpu: number, track = false): string {
  return l.pteStoreBase < 0 ? '' : m.pages.map((p) => commitPteStoreCode(m, l, cpu, p.index, track)).join(' ');
}

/**
 * JS for `cpu`'s plain store of `values` (JS names, one per PTE field) to the PTE of page `page`
 * (a number or JS name): its earlier pending store to the PTE is written, and this one becomes
 * pending.
 */
export function pendPteStoreCode(m: Model, l: Layout, cpu: number, page: number | string, values: readonly string[]): string {
  const np = m.pages.length;
  const flag = typeof page === 'number' ? String(pteStoreSlot(l, np, cpu, page)) : `${pteStoreSlot(l, np, cpu, 0)} + ${page}`;
  const value = typeof page === 'number' ? String(pteStoreValueSlot(l, np, cpu, page, 0)) : `${pteStoreValueSlot(l, np, cpu, 0, 0)} + ${page} * ${l.pteWidth}`;
  return `${commitPteStoreCode(m, l, cpu, page)} s[${flag}] = 1; ${values.map((v, f) => `s[${value} + ${f}] = ${v};`).join(' ')}`;
}

/** The hardware step `pte_commit` of (cpu, page): the pending PTE store is written; DISABLED when none is. */
export function pteCommitStep(m: Model, l: Layout, cpu: number, page: number): Exec {
  return commitStep(pteStoreSlot(l, m.pages.length, cpu, page), commitPteStoreCode(m, l, cpu, page));
}
