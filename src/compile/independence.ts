// Which steps commute with everything else, for partial-order reduction. A step of CPU c is
// *independent* when, over every step any other CPU or hardware rule can ever take, nothing they
// write is read or written by it and nothing it writes is read by them, and no invariant reads
// what it writes. Such a step alone is an ample set (stubborn-set conditions D1, D2 and
// invisibility); final properties and deadlocks are judged in terminal and stuck states, which
// that reduction keeps. Slot sets are conservative: a dynamic index means the whole array.
import type { Expr, HardwareRule, LValue, Model, Stmt } from '../ir/model.js';
import { ruleInstances } from '../ir/rules.js';
import { slotWidth } from '../ir/types.js';
import { forEachExpr, lvalueRoot, stmtChildren, stmtExprs, stmtTarget } from '../ir/walk.js';
import type { ProgramGraph } from '../program/graph.js';
import { pendingSlot, pteSlot, tlbSlot, type Layout } from './layout.js';

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

  /** Slots an expression reads (its sub-expressions included). */
  read(e: Expr, out: Set<number>): void {
    forEachExpr(e, (x) => {
      switch (x.k) {
        case 'local': case 'global': case 'frameVersion': case 'frameFreed': case 'rulePte': case 'ruleTlb':
          this.place(x, out); return;
        case 'frameData': addAll(out, this.data(x.frame)); return;
        case 'pteOf': this.pages(x.page).forEach((p) => addAll(out, this.pte(p))); return;
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
      case 'setPte': this.pages(st.page).forEach((p) => addAll(a.writes, this.pte(p))); break;
      case 'flush': {
        const pages = st.pages === 'all' ? m.pages.map((p) => p.index) : st.pages.flatMap((p) => this.pages(p));
        const cpus = st.local ? [this.cpu] : m.cpus.map((c) => c.index);
        cpus.forEach((c) => pages.forEach((p) => addAll(a.writes, this.tlb(c, p))));
        break;
      }
      case 'tlbi': {
        const pages = st.pages === 'all' ? m.pages.map((p) => p.index) : st.pages.flatMap((p) => this.pages(p));
        addAll(a.writes, this.pending([this.cpu], st.broadcast ? m.cpus.map((c) => c.index) : [this.cpu], pages));
        break;
      }
      case 'barrier': {
        if (st.op !== 'dsb' || this.l.pendingBase < 0) break;
        const all = m.cpus.map((c) => c.index);
        const pages = m.pages.map((p) => p.index);
        addAll(a.reads, this.pending([this.cpu], all, pages));
        addAll(a.writes, this.pending([this.cpu], all, pages));
        all.forEach((c) => pages.forEach((p) => addAll(a.writes, this.tlb(c, p))));
        break;
      }
      case 'lock': {
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
        const touched = [...this.pages(st.page).flatMap((p) => [...this.pte(p), ...this.tlb(this.cpu, p)]), ...range(this.l.versionBase, m.frames.length), ...data];
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
  return a;
}

const meets = (a: Set<number>, b: Set<number>) => { for (const x of a) if (b.has(x)) return true; return false; };

/** Per CPU and pc: whether the step there may form an ample set alone. */
export function independentPoints(graph: ProgramGraph, l: Layout): boolean[][] {
  const m = graph.model;
  const perCpu = graph.cpus.map((p) => {
    const sets = new SlotSets(m, l, p.cpu.index);
    return p.points.map((n) => {
      if (!n) return undefined;
      const a: Access = { reads: new Set(), writes: new Set() };
      sets.stmt(n.stmt, a, false);
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
      hardware.push({ reads: new Set([...flags, ...entry]), writes: new Set([...flags, ...entry]) });
    }
  }
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
