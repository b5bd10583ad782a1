// Where each piece of the machine state lives in the flat state vector (one Int32 slot per scalar).
import type { Model } from '../ir/model.js';
import { slotWidth } from '../ir/types.js';
import { someStmt } from '../ir/walk.js';
import { storesPtePlainly } from '../ir/rules.js';

export interface CpuLayout {
  readonly pc: number;
  /** First slot of each local (records take one slot per field), by Local.id. */
  readonly localSlot: readonly number[];
  readonly localWidth: readonly number[];
}

export interface Layout {
  readonly size: number;
  readonly cpus: readonly CpuLayout[];
  /** First slot of each global, by GlobalVar.id; arrays are consecutive. */
  readonly globalSlot: readonly number[];
  readonly pteBase: number;
  readonly pteWidth: number;
  readonly tlbBase: number;
  readonly tlbWidth: number;
  readonly versionBase: number;
  readonly freedBase: number;
  /** Per CPU, 1 once a fatal fault (`sigsegv;`) killed it; -1 when no program can be killed. */
  readonly killedBase: number;
  /** Per frame, its data value (`write P = e;`); -1 when nothing uses data. */
  readonly dataBase: number;
  /**
   * Pending TLB invalidations (`tlbi`), one flag per (issuing CPU, target CPU, page) at
   * `pendingSlot`; -1 when no program issues a TLBI.
   */
  readonly pendingBase: number;
  /**
   * Relaxed mode (Model.relaxed; -1 otherwise), per (CPU, page): `earlyBase` an early walk's
   * fault held until context synchronization (bit 0: a read faults, bit 1: a write faults);
   * `huBase` a hardware update not yet written (0/1), `huValueBase` the PTE it writes (pteWidth
   * slots).
   */
  readonly earlyBase: number;
  readonly huBase: number;
  readonly huValueBase: number;
  /**
   * Relaxed mode with data (-1 otherwise), per (CPU, page): an early read held for one of the
   * CPU's later plain loads of the page, `readBase` its frame + 1 (0: none), `readValueBase` the
   * value read, `readTargetBase` the load's number (EarlyReadTarget.index).
   */
  readonly readBase: number;
  readonly readValueBase: number;
  readonly readTargetBase: number;
  /**
   * Relaxed mode with data (-1 otherwise), per (CPU, page): a plain store the CPU performed
   * through the page and no other CPU sees yet, `storeBase` its frame + 1 (0: none),
   * `storeValueBase` the value it writes.
   */
  readonly storeBase: number;
  readonly storeValueBase: number;
  /**
   * Relaxed mode with a plain PTE store in some program (-1 otherwise), per (CPU, page): a
   * `set_pte` the CPU performed that only it sees yet (its own software reads of the PTE), no
   * walk and no other CPU: `pteStoreBase` a flag (0/1), `pteStoreValueBase` the PTE it writes
   * (pteWidth slots).
   */
  readonly pteStoreBase: number;
  readonly pteStoreValueBase: number;
  /** Per lock (by Lock.id): first slot; per-page locks have one instance per page. */
  readonly lockSlot: readonly number[];
  /** Slots per lock instance: spinlock 1 (owner+1); rwsem 2 (writer+1, reader bitmask). */
  readonly lockWidth: readonly number[];
}

export function pteSlot(l: Layout, page: number, field: number): number {
  return l.pteBase + page * l.pteWidth + field;
}

export function tlbSlot(l: Layout, npages: number, cpu: number, page: number, field: number): number {
  return l.tlbBase + (cpu * npages + page) * l.tlbWidth + field;
}

export function pendingSlot(l: Layout, ncpu: number, npages: number, issuer: number, target: number, page: number): number {
  return l.pendingBase + (issuer * ncpu + target) * npages + page;
}

export function earlySlot(l: Layout, npages: number, cpu: number, page: number): number {
  return l.earlyBase + cpu * npages + page;
}

export function readSlot(l: Layout, npages: number, cpu: number, page: number): number {
  return l.readBase + cpu * npages + page;
}

export function readValueSlot(l: Layout, npages: number, cpu: number, page: number): number {
  return l.readValueBase + cpu * npages + page;
}

export function readTargetSlot(l: Layout, npages: number, cpu: number, page: number): number {
  return l.readTargetBase + cpu * npages + page;
}

export function storeSlot(l: Layout, npages: number, cpu: number, page: number): number {
  return l.storeBase + cpu * npages + page;
}

export function storeValueSlot(l: Layout, npages: number, cpu: number, page: number): number {
  return l.storeValueBase + cpu * npages + page;
}

export function pteStoreSlot(l: Layout, npages: number, cpu: number, page: number): number {
  return l.pteStoreBase + cpu * npages + page;
}

export function pteStoreValueSlot(l: Layout, npages: number, cpu: number, page: number, field: number): number {
  return l.pteStoreValueBase + (cpu * npages + page) * l.pteWidth + field;
}

export function huSlot(l: Layout, npages: number, cpu: number, page: number): number {
  return l.huBase + cpu * npages + page;
}

export function huValueSlot(l: Layout, npages: number, cpu: number, page: number, field: number): number {
  return l.huValueBase + (cpu * npages + page) * l.pteWidth + field;
}

export function layoutOf(m: Model): Layout {
  let next = 0;
  const take = (n: number) => { const at = next; next += n; return at; };
  const cpus = m.cpus.map((c) => {
    const pc = take(1);
    const localWidth = c.locals.map((l) => slotWidth(m.arch, l.type));
    const localSlot = localWidth.map((w) => take(w));
    return { pc, localSlot, localWidth };
  });
  const globalSlot = m.globals.map((g) => take(g.init.length));
  const pteWidth = m.arch.pteFields.length;
  const pteBase = take(pteWidth * m.pages.length);
  const tlbWidth = m.arch.tlbFields.length;
  const tlbBase = take(tlbWidth * m.pages.length * m.cpus.length);
  const versionBase = take(m.frames.length);
  const freedBase = take(m.frames.length);
  const killedBase = m.cpus.some((c) => someStmt(c.body, (s) => s.k === 'kill')) ? take(m.cpus.length) : -1;
  const dataBase = m.usesData ? take(m.frames.length) : -1;
  const pendingBase = m.usesTlbi ? take(m.cpus.length * m.cpus.length * m.pages.length) : -1;
  const perCpuPage = m.cpus.length * m.pages.length;
  const earlyBase = m.relaxed ? take(perCpuPage) : -1;
  const huBase = m.relaxed ? take(perCpuPage) : -1;
  const huValueBase = m.relaxed ? take(perCpuPage * pteWidth) : -1;
  const readBase = m.relaxed && m.usesData ? take(perCpuPage) : -1;
  const readValueBase = m.relaxed && m.usesData ? take(perCpuPage) : -1;
  const readTargetBase = m.relaxed && m.usesData ? take(perCpuPage) : -1;
  const storeBase = m.relaxed && m.usesData ? take(perCpuPage) : -1;
  const storeValueBase = m.relaxed && m.usesData ? take(perCpuPage) : -1;
  const ptePlain = m.relaxed && storesPtePlainly(m);
  const pteStoreBase = ptePlain ? take(perCpuPage) : -1;
  const pteStoreValueBase = ptePlain ? take(perCpuPage * pteWidth) : -1;
  const lockWidth = m.locks.map((l) => (l.kind === 'spinlock' ? 1 : 2));
  const lockSlot = m.locks.map((l, i) => take(lockWidth[i]! * (l.perPage ? m.pages.length : 1)));
  return { size: next, cpus, globalSlot, pteBase, pteWidth, tlbBase, tlbWidth, versionBase, freedBase, killedBase, dataBase, pendingBase, earlyBase, huBase, huValueBase, readBase, readValueBase, readTargetBase, storeBase, storeValueBase, pteStoreBase, pteStoreValueBase, lockSlot, lockWidth };
}
