// Which steps commute with everything else, for partial-order reduction. A step of CPU c is
// *independent* when, over every step any other CPU or hardware rule can ever take, nothing they
// write is read or written by it and nothing it writes is read by them, and no invariant reads
// what it writes. Such a step alone is an ample set (stubborn-set conditions D1, D2 and
// invisibility); final properties and deadlocks are judged in terminal and stuck states, which
// that reduction keeps. Slot sets are conservative: a dynamic index means the whole array.
import type { Expr, HardwareRule, LValue, Model, Stmt } from '../ir/model.js';
import { ruleInstances } from '../ir/rules.js';
import { slotWidth } from '../ir/types.js';
import { forEachExpr, lvalueRoot, someStmt, stmtChildren, stmtExprs, stmtTarget } from '../ir/walk.js';
import { FINISHED, type CpuProgram, type ProgramGraph, type ProgramPoint } from '../program/graph.js';
import { earlyWalkTargets, targetsPage, type EarlyWalkTarget } from '../program/early-walks.js';
import { successors } from '../program/reach.js';
import { earlyReadTargets, type EarlyReadTarget } from '../program/early-reads.js';
import { earlySlot, huSlot, huValueSlot, pendingSlot, pteSlot, pteStoreSlot, pteStoreValueSlot, tlbSlot, type Layout } from './layout.js';
import { readSlots, storeSlots } from './relaxed.js';

interface Access {
  readonly reads: Set<number>;
  readonly writes: Set<number>;
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const addAll = (out: Set<number>, xs: readonly number[]) => { for (const x of xs) out.add(x); };

class SlotSets {
  constructor(private readonly m: Model, private readonly l: Layout, private readonly cpu: number, private readonly page?: number) {}

  private pages(e: Expr): number[] {
    return e.k === 'const' ? [e.value] : this.m.pages.map((p) => p.index);
  }
  private cpus(e: Expr): number[] {
    if (e.k === 'const') return [e.value];
    if (e.k === 'self') return [this.cpu];
    return this.m.cpus.map((c) => c.index);
  }
  private pte(p: number): number[] {
    return range(pteSlot(this.l, p, 0), this.l.pteWidth);
  }
  private tlb(c: number, p: number): number[] {
    return range(tlbSlot(this.l, this.m.pages.length, c, p, 0), this.l.tlbWidth);
  }

  private data(frame: Expr): number[] {
    return frame.k === 'const' ? [this.l.dataBase + frame.value] : range(this.l.dataBase, this.m.frames.length);
  }
  /** The pending-invalidation flags of (issuer, target, page). */
  pending(issuers: readonly number[], targets: readonly number[], pages: readonly number[]): number[] {
    const [nc, np] = [this.m.cpus.length, this.m.pages.length];
    return issuers.flatMap((i) => targets.flatMap((t) => pages.map((p) => pendingSlot(this.l, nc, np, i, t, p))));
  }

  /** Relaxed mode: every CPU's pending-update flag on page `p`. */
  huFlags(p: number): number[] {
    return this.l.huBase < 0 ? [] : this.m.cpus.map((c) => huSlot(this.l, this.m.pages.length, c.index, p));
  }
  /** Relaxed mode: CPU c's pending update of page p (flag and value). */
  hu(c: number, p: number): number[] {
    const np = this.m.pages.length;
    return this.l.huBase < 0 ? [] : [huSlot(this.l, np, c, p), ...range(huValueSlot(this.l, np, c, p, 0), this.l.pteWidth)];
  }
  /** Relaxed mode: CPU c's early walks (every page). */
  early(c: number): number[] {
    return this.l.earlyBase < 0 ? [] : this.m.pages.map((p) => earlySlot(this.l, this.m.pages.length, c, p.index));
  }

  /** Relaxed mode with data: CPU c's early reads (frame and value, every page). */
  reads(c: number): number[] {
    return readSlots(this.m, this.l, c);
  }

  /** Relaxed mode with data: CPU c's pending stores (frame and value, every page) and every frame's data. */
  stores(c: number): number[] {
    return this.l.storeBase < 0 ? [] : [...storeSlots(this.m, this.l, c), ...range(this.l.dataBase, this.m.frames.length)];
  }

  /** Relaxed mode with plain PTE stores: CPU c's pending PTE stores (flag and value, every page). */
  pteStores(c: number): number[] {
    const { l, m } = this;
    return l.pteStoreBase < 0 || c < 0 ? [] : m.pages.flatMap((p) => [pteStoreSlot(l, m.pages.length, c, p.index), ...range(pteStoreValueSlot(l, m.pages.length, c, p.index, 0), l.pteWidth)]);
  }
  /** What writing CPU c's pending PTE stores touches: them, every PTE, every pending hardware update. */
  pteCommit(c: number): number[] {
    if (this.l.pteStoreBase < 0) return [];
    return [...this.pteStores(c), ...this.m.pages.flatMap((p) => [...this.pte(p.index), ...this.m.cpus.flatMap((x) => this.hu(x.index, p.index))])];
  }
  /** Software (a CPU's program or an interrupt handler) sees its own pending PTE stores. */
  private get software(): boolean {
    return this.cpu >= 0 && (this.page === undefined || this.page < 0);
  }

  /** Slots an expression reads (its sub-expressions included). */
  read(e: Expr, out: Set<number>): void {
    forEachExpr(e, (x) => {
      switch (x.k) {
        case 'local': case 'global': case 'frameVersion': case 'frameFreed': case 'rulePte': case 'ruleTlb':
          this.place(x, out); return;
        case 'frameData': addAll(out, this.data(x.frame)); return;
        case 'pteOf': this.pages(x.page).forEach((p) => addAll(out, this.pte(p))); if (this.software) addAll(out, this.pteStores(this.cpu)); return;
        case 'tlbOf': this.cpus(x.cpu).forEach((c) => this.pages(x.page).forEach((p) => addAll(out, this.tlb(c, p)))); return;
        default: return;
      }
    });
  }

  /** Slots an l-value names (written by a store, read by a load of it). */
  place(lv: LValue | (Expr & { k: 'frameVersion' | 'frameFreed' }), out: Set<number>): void {
    const { l, m } = this;
    const root = lv.k === 'field' ? lvalueRoot(lv) : lv;
    switch (root.k) {
      case 'local':
        // A rule's locals are JS variables of its generated code, not state.
        if (this.page === undefined) addAll(out, range(l.cpus[this.cpu]!.localSlot[root.local.id]!, slotWidth(m.arch, root.local.type)));
        return;
      case 'global': {
        const base = l.globalSlot[root.v.id]!;
        if (root.index?.k === 'const') out.add(base + root.index.value);
        else addAll(out, range(base, root.v.init.length));
        return;
      }
      case 'frameVersion': case 'frameFreed': {
        const base = root.k === 'frameVersion' ? l.versionBase : l.freedBase;
        if (root.frame.k === 'const') out.add(base + root.frame.value); else addAll(out, range(base, m.frames.length));
        return;
      }
      case 'rulePte': addAll(out, this.pte(this.page!)); return;
      case 'ruleTlb': addAll(out, this.tlb(this.cpu, this.page!)); return;
    }
  }

  /**
   * Reads and writes of one step: the statement's own, and with `nested` those of the statements
   * inside it (an atomic block's body; a point's `if` or `while` runs only its test).
   */
  stmt(st: Stmt, a: Access, nested: boolean): void {
    const { m } = this;
    for (const e of stmtExprs(st)) this.read(e, a.reads);
    const target = stmtTarget(st);
    if (target) this.place(target, a.writes);
    switch (st.k) {
      case 'while': this.place({ k: 'local', local: st.counter }, a.writes); break;
      // Relaxed: a PTE store waits for the page's pending hardware updates.
      // Relaxed, software: a plain one becomes pending, another writes the CPU's pending one first.
      case 'setPte':
        this.pages(st.page).forEach((p) => { addAll(a.writes, this.pte(p)); addAll(a.reads, this.huFlags(p)); });
        if (this.software) { addAll(a.reads, this.pteCommit(this.cpu)); addAll(a.writes, this.pteCommit(this.cpu)); }
        break;
      case 'flush': {
        const pages = st.pages === 'all' ? m.pages.map((p) => p.index) : st.pages.flatMap((p) => this.pages(p));
        const cpus = st.local ? [this.cpu] : m.cpus.map((c) => c.index);
        cpus.forEach((c) => pages.forEach((p) => addAll(a.writes, this.tlb(c, p))));
        cpus.forEach((c) => { if (c !== this.cpu) addAll(a.writes, this.early(c)); addAll(a.reads, this.stores(c)); addAll(a.writes, [...this.stores(c), ...this.reads(c)]); });
        addAll(a.reads, this.pteCommit(this.cpu));
        addAll(a.writes, this.pteCommit(this.cpu));
        break;
      }
      case 'tlbi': {
        const pages = st.pages === 'all' ? m.pages.map((p) => p.index) : st.pages.flatMap((p) => this.pages(p));
        addAll(a.writes, this.pending([this.cpu], st.broadcast ? m.cpus.map((c) => c.index) : [this.cpu], pages));
        break;
      }
      case 'barrier': {
        const all = m.cpus.map((c) => c.index);
        const pages = m.pages.map((p) => p.index);
        // Relaxed: an ISB drops the CPU's early walks; a full DSB writes its pending updates.
        if (st.op === 'isb') addAll(a.writes, this.early(this.cpu));
        addAll(a.writes, [...this.reads(this.cpu), ...this.stores(this.cpu), ...this.pteCommit(this.cpu)]);
        addAll(a.reads, [...this.stores(this.cpu), ...this.pteCommit(this.cpu)]);
        if (st.op === 'dsb' && this.l.huBase >= 0) pages.forEach((p) => { addAll(a.reads, this.hu(this.cpu, p)); addAll(a.writes, [...this.hu(this.cpu, p), ...this.pte(p)]); });
        if (st.op !== 'dsb' || this.l.pendingBase < 0) break;
        addAll(a.reads, this.pending([this.cpu], all, pages));
        addAll(a.writes, this.pending([this.cpu], all, pages));
        all.forEach((c) => pages.forEach((p) => addAll(a.writes, this.tlb(c, p))));
        all.forEach((c) => { if (c !== this.cpu) addAll(a.writes, this.early(c)); addAll(a.reads, this.stores(c)); addAll(a.writes, [...this.stores(c), ...this.reads(c)]); });
        break;
      }
      case 'lock': {
        addAll(a.writes, [...this.reads(this.cpu), ...this.stores(this.cpu), ...this.pteCommit(this.cpu)]);
        addAll(a.reads, [...this.stores(this.cpu), ...this.pteCommit(this.cpu)]);
        const width = this.l.lockWidth[st.lock.id]!;
        const base = this.l.lockSlot[st.lock.id]!;
        for (const i of st.page ? this.pages(st.page) : [0]) {
          const slots = range(base + i * width, width);
          addAll(a.reads, slots);
          addAll(a.writes, slots);
        }
        break;
      }
      case 'access': {
        // The rule touches the page's PTE and this CPU's entry; a write bumps some frame's version;
        // access properties read whatever they name.
        const data = st.data && this.l.dataBase >= 0 ? range(this.l.dataBase, m.frames.length) : [];
        // Relaxed: pending updates of the page, and the CPU's early walks (a fault drops them all).
        const relaxed = this.pages(st.page).flatMap((p) => [...this.huFlags(p), ...this.hu(this.cpu, p)]);
        const touched = [...this.pages(st.page).flatMap((p) => [...this.pte(p), ...this.tlb(this.cpu, p)]), ...range(this.l.versionBase, m.frames.length), ...data, ...relaxed, ...this.early(this.cpu), ...this.reads(this.cpu), ...this.stores(this.cpu), ...this.pteCommit(this.cpu)];
        addAll(a.reads, touched);
        addAll(a.writes, touched);
        m.properties.forEach((p) => { if (p.kind === 'access' && p.access === st.access) this.read(p.expr, a.reads); });
        if (st.guard) this.read(st.guard, a.reads);
        return;
      }
      default: break;
    }
    const inner = st.k === 'atomic' || st.k === 'block' || st.k === 'call' || nested;
    if (inner && st.k !== 'while') for (const s of stmtChildren(st)) this.stmt(s, a, true);
  }
}

function ruleAccess(m: Model, l: Layout, rule: HardwareRule, cpu: number, page: number): Access {
  const a: Access = { reads: new Set(), writes: new Set() };
  const sets = new SlotSets(m, l, cpu, page);
  sets.stmt(rule.body, a, true);
  // Relaxed: an architecture rule's PTE write becomes (or waits for) a pending hardware update.
  if (page >= 0) { addAll(a.reads, [...sets.huFlags(page), ...sets.hu(cpu, page)]); addAll(a.writes, sets.hu(cpu, page)); }
  return a;
}

/** The relaxed mode's hu_commit, walk_early and pte_commit steps (src/compile/relaxed.ts), per CPU and page. */
function relaxedAccess(m: Model, l: Layout, targets: readonly (readonly EarlyWalkTarget[])[], reads: readonly (readonly EarlyReadTarget[])[]): Access[] {
  if (!m.relaxed) return [];
  return m.cpus.flatMap((c) => m.pages.map((p) => {
    const sets = new SlotSets(m, l, c.index, p.index);
    const early = earlySlot(l, m.pages.length, c.index, p.index);
    const commit = sets.hu(c.index, p.index);
    const pte = range(pteSlot(l, p.index, 0), l.pteWidth);
    // walk_early runs an access rule on a copy: it reads what the rule reads, and whether its
    // target lies ahead of the CPU (a virtual slot, written by the steps that change that).
    const walks = targets[c.index]!.filter((t) => targetsPage(t, p.index)).map((t): Access => {
      const walk: Access = { reads: new Set([early, ...pte, ...sets.huFlags(p.index), aheadSlot(c.index, 'walk', t.index)]), writes: new Set([early]) };
      sets.stmt(m.arch.access[t.access].body, { reads: walk.reads, writes: new Set() }, true);
      return walk;
    });
    // pte_commit writes the CPU's pending PTE store after the page's pending updates.
    const store = sets.pteCommit(c.index);
    return [{ reads: new Set([...commit, ...pte]), writes: new Set([...commit, ...pte]) }, ...walks, { reads: new Set(store), writes: new Set(store) }];
  })).flat().concat(dataAccess(m, l, reads));
}

/**
 * The store_commit steps (a CPU's pending stores and the data), and the read_early steps per
 * target: what the CPU's access of the page touches, its held reads and pending stores, whether
 * the target lies ahead.
 */
function dataAccess(m: Model, l: Layout, targets: readonly (readonly EarlyReadTarget[])[]): Access[] {
  if (l.readBase < 0) return [];
  return m.cpus.flatMap((c) => {
    const sets = new SlotSets(m, l, c.index);
    const commits = m.pages.map(() => ({ reads: new Set(sets.stores(c.index)), writes: new Set(sets.stores(c.index)) }));
    return [...commits, ...m.pages.flatMap((p) => targets[c.index]!.filter((t) => targetsPage(t, p.index)).map((t) => {
      const a: Access = { reads: new Set([aheadSlot(c.index, 'read', t.index), ...range(l.dataBase, m.frames.length), ...sets.stores(c.index)]), writes: new Set() };
      const load: Stmt = { k: 'access', access: 'read', page: { k: 'const', type: { k: 'page' }, value: p.index }, span: m.arch.access.read.body.span, id: -1 };
      sets.stmt(load, a, false);
      new SlotSets(m, l, c.index, p.index).stmt(m.arch.access.read.body, a, true);
      return a;
    }))];
  });
}

/** Whether the step at `n` can end the CPU's program (its successors, or a `return` inside it). */
function mayFinish(p: CpuProgram, n: ProgramPoint): boolean {
  const x = n.next;
  const next = x.k === 'step' ? [x.next] : x.k === 'branch' ? [x.then, x.else] : x.k === 'loop' ? [x.body, x.exit] : [x.done, x.fault];
  return next.includes(FINISHED) || someStmt(n.stmt, (st) => st.k === 'return' && p.returnTo.get(st.callId) === FINISHED);
}

/**
 * A slot number no state slot has: "target t of CPU c lies ahead" for its early walks or early
 * reads (early-walks.ts, early-reads.ts), read by those steps.
 */
const aheadSlot = (c: number, kind: 'walk' | 'read', t: number) => -1 - (c * 2 + (kind === 'read' ? 1 : 0)) * (1 << 16) - t;

/** The targets whose being ahead the step at `n` may change (its slots are written by it). */
function aheadChanges(p: CpuProgram, n: ProgramPoint, kind: 'walk' | 'read', targets: readonly { readonly index: number; readonly from: ReadonlySet<number> | undefined }[]): number[] {
  const next = [...successors(p, n.pc).map((x) => p.points[x]!.stmt.id), ...(mayFinish(p, n) ? [undefined] : [])];
  const ahead = (t: (typeof targets)[number], id: number | undefined) => id !== undefined && (t.from === undefined || t.from.has(id));
  return targets.filter((t) => next.some((id) => ahead(t, id) !== ahead(t, n.stmt.id))).map((t) => aheadSlot(p.cpu.index, kind, t.index));
}

const meets = (a: Set<number>, b: Set<number>) => { for (const x of a) if (b.has(x)) return true; return false; };

/** Per CPU and pc: whether the step there may form an ample set alone. */
export function independentPoints(graph: ProgramGraph, l: Layout): boolean[][] {
  const m = graph.model;
  const targets = earlyWalkTargets(graph);
  const reads = m.relaxed && m.usesData ? earlyReadTargets(graph) : m.cpus.map(() => []);
  const perCpu = graph.cpus.map((p) => {
    const sets = new SlotSets(m, l, p.cpu.index);
    return p.points.map((n) => {
      if (!n) return undefined;
      const a: Access = { reads: new Set(), writes: new Set() };
      sets.stmt(n.stmt, a, false);
      if (m.relaxed) addAll(a.writes, [...aheadChanges(p, n, 'walk', targets[p.cpu.index]!), ...aheadChanges(p, n, 'read', reads[p.cpu.index]!)]);
      return a;
    });
  });
  const hardware = ruleInstances(m).map((r) => ruleAccess(m, l, r.rule, r.cpu, r.page));
  if (m.usesTlbi) {
    const all = m.cpus.map((c) => c.index);
    for (const c of all) for (const p of m.pages) {
      const sets = new SlotSets(m, l, c, p.index);
      const flags = sets.pending(all, [c], [p.index]);
      const entry = range(tlbSlot(l, m.pages.length, c, p.index, 0), l.tlbWidth);
      const early = l.earlyBase >= 0 ? [earlySlot(l, m.pages.length, c, p.index)] : [];
      const stores = sets.stores(c);
      hardware.push({ reads: new Set([...flags, ...entry, ...stores]), writes: new Set([...flags, ...entry, ...early, ...stores, ...sets.reads(c)]) });
    }
  }
  hardware.push(...relaxedAccess(m, l, targets, reads));
  const visible = new Set<number>();
  const props = new SlotSets(m, l, -1);
  // A cover goal is an invariant's dual: reaching it must not depend on the order of invisible steps.
  m.properties.forEach((p) => { if (p.kind === 'invariant' || p.kind === 'cover') props.read(p.expr, visible); });
  return graph.cpus.map((program, c) => {
    const others: Access = { reads: new Set(), writes: new Set() };
    const merge = (a: Access | undefined) => { if (!a) return; a.reads.forEach((x) => others.reads.add(x)); a.writes.forEach((x) => others.writes.add(x)); };
    perCpu.forEach((points, o) => { if (o !== c) points.forEach(merge); });
    hardware.forEach(merge);
    return program.points.map((n, pc) => {
      // A kill flips what killed(c) reads wherever it is read: never reduced.
      if (!n || n.stmt.k === 'assert' || n.stmt.k === 'access' || n.stmt.k === 'kill') return false;
      const a = perCpu[c]![pc]!;
      return !meets(a.writes, others.reads) && !meets(a.writes, others.writes) && !meets(a.reads, others.writes) && !meets(a.writes, visible);
    });
  });
}
