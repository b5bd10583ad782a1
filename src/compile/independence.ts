// Which steps commute with everything else, for partial-order reduction. A step of CPU c is
// *independent* when, over every step any other CPU or hardware rule can ever take, nothing they
// write is read or written by it and nothing it writes is read by them, and no invariant reads
// what it writes. Such a step alone is an ample set (stubborn-set conditions D1, D2 and
// invisibility); final properties and deadlocks are judged in terminal and stuck states, which
// that reduction keeps. Slot sets are conservative: a dynamic index means the whole array.
import type { Expr, HardwareRule, LValue, Model, Stmt } from '../check/model.js';
import { pteSlot, tlbSlot, type Layout } from './layout.js';
import type { CompiledProgram } from './program.js';

interface Access {
  readonly reads: Set<number>;
  readonly writes: Set<number>;
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

class SlotSets {
  constructor(private readonly m: Model, private readonly l: Layout, private readonly cpu: number, private readonly page?: number) {}

  private width(t: { k: string }): number {
    return t.k === 'pte' ? this.l.pteWidth : t.k === 'tlbe' ? this.l.tlbWidth : 1;
  }
  private pages(e: Expr): number[] {
    return e.k === 'const' ? [e.value] : this.m.pages.map((p) => p.index);
  }
  private cpus(e: Expr): number[] {
    if (e.k === 'const') return [e.value];
    if (e.k === 'self') return [this.cpu];
    return this.m.cpus.map((c) => c.index);
  }

  /** Slots an expression reads. */
  read(e: Expr, out: Set<number>): void {
    const { l } = this;
    const add = (xs: number[]) => xs.forEach((x) => out.add(x));
    switch (e.k) {
      case 'local': add(range(l.cpus[this.cpu]!.localSlot[e.local.id]!, this.width(e.local.type))); return;
      case 'global': this.place({ k: 'global', v: e.v, index: e.index }, out); if (e.index) this.read(e.index, out); return;
      case 'pteOf': this.pages(e.page).forEach((p) => add(range(pteSlot(l, p, 0), l.pteWidth))); this.read(e.page, out); return;
      case 'tlbOf':
        this.cpus(e.cpu).forEach((c) => this.pages(e.page).forEach((p) => add(range(tlbSlot(l, this.m.pages.length, c, p, 0), l.tlbWidth))));
        this.read(e.cpu, out); this.read(e.page, out); return;
      case 'frameVersion': case 'frameFreed': this.place(e, out); this.read(e.frame, out); return;
      case 'rulePte': add(range(pteSlot(l, this.page!, 0), l.pteWidth)); return;
      case 'ruleTlb': add(range(tlbSlot(l, this.m.pages.length, this.cpu, this.page!, 0), l.tlbWidth)); return;
      case 'record': e.fields.forEach((f) => this.read(f, out)); return;
      case 'field': this.read(e.target, out); return;
      case 'with': this.read(e.target, out); e.sets.forEach(([, v]) => this.read(v, out)); return;
      case 'not': case 'neg': this.read(e.arg, out); return;
      case 'bin': this.read(e.left, out); this.read(e.right, out); return;
      case 'ite': this.read(e.test, out); this.read(e.then, out); this.read(e.else, out); return;
      default: return;
    }
  }

  /** Slots an l-value names (written by a store, read by a load of it). */
  place(lv: LValue | (Expr & { k: 'frameVersion' | 'frameFreed' }), out: Set<number>): void {
    const { l, m } = this;
    const add = (xs: number[]) => xs.forEach((x) => out.add(x));
    switch (lv.k) {
      case 'local': add(range(l.cpus[this.cpu]!.localSlot[lv.local.id]!, this.width(lv.local.type))); return;
      case 'global': {
        const base = l.globalSlot[lv.v.id]!;
        if (lv.index?.k === 'const') out.add(base + lv.index.value);
        else add(range(base, lv.v.init.length));
        return;
      }
      case 'frameVersion': case 'frameFreed': {
        const base = lv.k === 'frameVersion' ? l.versionBase : l.freedBase;
        if (lv.frame.k === 'const') out.add(base + lv.frame.value); else add(range(base, m.frames.length));
        return;
      }
      case 'field': this.place(lv.target, out); return;
      case 'rulePte': add(range(pteSlot(l, this.page!, 0), l.pteWidth)); return;
      case 'ruleTlb': add(range(tlbSlot(l, m.pages.length, this.cpu, this.page!, 0), l.tlbWidth)); return;
    }
  }

  /** Reads and writes of one step's statement (nested statements of an atomic block included). */
  stmt(st: Stmt, a: Access, nested = false): void {
    const { l, m } = this;
    switch (st.k) {
      case 'let': this.place({ k: 'local', local: st.local }, a.writes); this.read(st.value, a.reads); return;
      case 'assign': this.place(st.target, a.writes); this.read(st.value, a.reads); return;
      case 'return': if (st.target && st.value) { this.place(st.target, a.writes); this.read(st.value, a.reads); } return;
      case 'if': this.read(st.test, a.reads); if (nested) { this.stmt(st.then, a, true); if (st.else) this.stmt(st.else, a, true); } return;
      case 'while': this.read(st.test, a.reads); this.place({ k: 'local', local: st.counter }, a.writes); return;
      case 'await': this.read(st.test, a.reads); return;
      case 'assert': this.read(st.test, a.reads); return;
      case 'setPte': this.pages(st.page).forEach((p) => range(pteSlot(l, p, 0), l.pteWidth).forEach((x) => a.writes.add(x))); this.read(st.page, a.reads); this.read(st.value, a.reads); return;
      case 'flush': {
        const pages = st.pages === 'all' ? m.pages.map((p) => p.index) : st.pages.flatMap((p) => this.pages(p));
        const cpus = st.local ? [this.cpu] : m.cpus.map((c) => c.index);
        cpus.forEach((c) => pages.forEach((p) => range(tlbSlot(l, m.pages.length, c, p, 0), l.tlbWidth).forEach((x) => a.writes.add(x))));
        return;
      }
      case 'lock': {
        const width = l.lockWidth[st.lock.id]!;
        const base = l.lockSlot[st.lock.id]!;
        const insts = st.page ? this.pages(st.page) : [0];
        insts.forEach((i) => range(base + i * width, width).forEach((x) => { a.reads.add(x); a.writes.add(x); }));
        return;
      }
      case 'atomic': if (st.guard) this.read(st.guard, a.reads); st.body.forEach((s) => this.stmt(s, a, true)); return;
      case 'block': st.body.forEach((s) => this.stmt(s, a, nested)); return;
      case 'call': this.stmt(st.body, a, nested); return;
      case 'access': {
        // The rule touches the page's PTE and this CPU's entry; a write bumps some frame's version;
        // access properties read whatever they name.
        this.pages(st.page).forEach((p) => {
          [...range(pteSlot(l, p, 0), l.pteWidth), ...range(tlbSlot(l, m.pages.length, this.cpu, p, 0), l.tlbWidth)].forEach((x) => { a.reads.add(x); a.writes.add(x); });
        });
        range(l.versionBase, m.frames.length).forEach((x) => { a.reads.add(x); a.writes.add(x); });
        this.read(st.page, a.reads);
        m.properties.forEach((p) => { if (p.kind === 'access' && p.access === st.access) this.read(p.expr, a.reads); });
        return;
      }
      default: return;
    }
  }
}

function ruleAccess(m: Model, l: Layout, rule: HardwareRule, cpu: number, page: number): Access {
  const a: Access = { reads: new Set(), writes: new Set() };
  const sets = new SlotSets(m, l, cpu, page);
  // Rule locals are JS variables, not state: only their state reads and writes matter.
  const walk = (st: Stmt): void => {
    if (st.k === 'if') { sets.read(st.test, a.reads); walk(st.then); if (st.else) walk(st.else); return; }
    if (st.k === 'let') { sets.read(st.value, a.reads); return; }
    if (st.k === 'assign' && (st.target.k === 'local' || (st.target.k === 'field' && st.target.target.k === 'local'))) { sets.read(st.value, a.reads); return; }
    if (st.k === 'block') { st.body.forEach(walk); return; }
    sets.stmt(st, a);
  };
  walk(rule.body);
  return a;
}

const meets = (a: Set<number>, b: Set<number>) => { for (const x of a) if (b.has(x)) return true; return false; };

/** Marks every program node that may form an ample set alone (ProgramNode.independent). */
export function markIndependent(m: Model, l: Layout, programs: readonly CompiledProgram[]): void {
  const perCpu = m.cpus.map((c) => {
    const sets = new SlotSets(m, l, c.index);
    return programs[c.index]!.nodes.map((n) => {
      if (!n) return undefined;
      const a: Access = { reads: new Set(), writes: new Set() };
      sets.stmt(n.stmt, a);
      return a;
    });
  });
  const hardware = m.arch.hardware.filter((r) => !m.disabled.includes(r.name))
    .flatMap((r) => m.cpus.flatMap((c) => m.pages.map((p) => ruleAccess(m, l, r, c.index, p.index))));
  const visible = new Set<number>();
  const props = new SlotSets(m, l, -1);
  m.properties.forEach((p) => { if (p.kind === 'invariant') props.read(p.expr, visible); });
  m.cpus.forEach((c) => {
    const others: Access = { reads: new Set(), writes: new Set() };
    const merge = (a: Access | undefined) => { if (!a) return; a.reads.forEach((x) => others.reads.add(x)); a.writes.forEach((x) => others.writes.add(x)); };
    m.cpus.forEach((o) => { if (o.index !== c.index) perCpu[o.index]!.forEach(merge); });
    hardware.forEach(merge);
    programs[c.index]!.nodes.forEach((n, pc) => {
      if (!n || n.stmt.k === 'assert' || n.stmt.k === 'access') return;
      const a = perCpu[c.index]![pc]!;
      n.independent = !meets(a.writes, others.reads) && !meets(a.writes, others.writes) && !meets(a.reads, others.writes) && !meets(a.writes, visible);
    });
  });
}
