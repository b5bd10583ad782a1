// Symmetry reduction for identical CPUs (`cpu writer[3]`): every state is replaced by a
// representative of its orbit under permutations of each group's members, found by sorting the
// members' own state blocks. The representative is always a real permutation of the state, so
// the reduction is sound even where ties leave two orbit members distinct.
import type { Expr, Model, RecordKind } from '../ir/model.js';
import { recordFields, slotWidth } from '../ir/types.js';
import { forEachExpr, forEachStmtExpr } from '../ir/walk.js';
import type { TransitionSystem } from '../compile/index.js';

export interface Symmetry {
  /** Groups the reduction applies to, by member CPU index. */
  readonly groups: readonly (readonly number[])[];
  /** Why a declared group was left out. */
  readonly skipped: readonly string[];
  /**
   * Replaces `s` by its orbit representative, in place; `moved`, when given, receives the
   * permutation applied (CPU c of `s` became CPU moved[c]). With ties the representative depends
   * on the state given, not only on its orbit, so traces follow the permutations (report/trace.ts).
   */
  canonicalize(s: Int32Array, moved?: Int32Array): void;
  /** Renames the CPUs of `s` in place: CPU c becomes CPU map[c] (a permutation within groups). */
  permute(s: Int32Array, map: Int32Array): void;
}

export function symmetryOf(ts: TransitionSystem): Symmetry | undefined {
  const m = ts.model;
  const declared = new Map<string, number[]>();
  for (const c of m.cpus) declared.set(c.group, [...(declared.get(c.group) ?? []), c.index]);
  const groups: number[][] = [];
  const skipped: string[] = [];
  const named = cpuConstants(m);
  for (const [name, members] of declared) {
    if (members.length < 2) continue;
    // Pending TLBIs are indexed by issuer and target; the permutation does not rename them.
    const why = m.usesTlbi ? 'a program issues tlbi (pending invalidations are not permuted)'
      : m.relaxed ? 'the relaxed memory mode (pending hardware updates and early walks are not permuted; --memory sc)'
      : members.some((c) => named.has(c)) ? `a property or program names one of ${name}'s CPUs`
      : !sameShape(ts, members) ? `${name}'s programs compiled differently` : undefined;
    if (why) skipped.push(`${name}: ${why}`);
    else groups.push(members);
  }
  if (!groups.length) return skipped.length ? { groups, skipped, canonicalize: (_, moved) => moved?.forEach((_, c) => { moved[c] = c; }), permute: () => {} } : undefined;
  return { groups, skipped, ...canonicalizer(ts, groups) };
}

function sameShape(ts: TransitionSystem, members: readonly number[]): boolean {
  const [first, ...rest] = members.map((c) => ts.graph.cpus[c]!);
  return rest.every((p) => p.points.length === first!.points.length && p.entry === first!.entry
    && p.points.every((n, i) => n?.stmt.span.start === first!.points[i]?.stmt.span.start));
}

/** CPU indexes written as constants anywhere (`tlb(writer[0], P)`): those CPUs are not interchangeable. */
function cpuConstants(m: Model): Set<number> {
  const found = new Set<number>();
  const note = (e: Expr) => { if (e.k === 'const' && e.type.k === 'cpu') found.add(e.value); };
  m.cpus.forEach((c) => forEachStmtExpr(c.body, note));
  // A built-in invariant (bbm) names every CPU alike, so it does not tell them apart.
  m.properties.forEach((p) => { if ('expr' in p && !(p.kind === 'invariant' && p.builtin)) forEachExpr(p.expr, note); });
  m.globals.forEach((g) => { if (g.type.k === 'cpu') g.init.forEach((v) => v !== undefined && found.add(v)); });
  return found;
}

function canonicalizer(ts: TransitionSystem, groups: readonly (readonly number[])[]): Pick<Symmetry, 'canonicalize' | 'permute'> {
  const m = ts.model;
  const l = ts.layout;
  const npages = m.pages.length;
  // Each CPU's own slots, in corresponding order across a group.
  const block = (c: number): number[] => {
    const cl = l.cpus[c]!;
    const out = [cl.pc];
    m.cpus[c]!.locals.forEach((lc, i) => {
      for (let f = 0; f < slotWidth(m.arch, lc.type); f++) out.push(cl.localSlot[i]! + f);
    });
    for (let p = 0; p < npages; p++) for (let f = 0; f < l.tlbWidth; f++) out.push(l.tlbBase + (c * npages + p) * l.tlbWidth + f);
    m.globals.forEach((g) => { if (g.indexBy === 'cpu') out.push(l.globalSlot[g.id]! + c); });
    if (l.killedBase >= 0) out.push(l.killedBase + c);
    return out;
  };
  const blocks = m.cpus.map((c) => Int32Array.from(block(c.index)));
  const cpuValued = cpuValuedSlots(ts);
  const owners: number[] = [];
  const readers: number[] = [];
  m.locks.forEach((lock) => {
    for (let i = 0; i < (lock.perPage ? npages : 1); i++) {
      const at = l.lockSlot[lock.id]! + i * l.lockWidth[lock.id]!;
      owners.push(at);
      if (lock.kind === 'rwsem') readers.push(at + 1);
    }
  });
  const tmp = new Int32Array(ts.stateSize);
  const scratch = new Int32Array(m.cpus.length);
  const compare = (s: Int32Array, a: number, b: number) => {
    const x = blocks[a]!;
    const y = blocks[b]!;
    for (let i = 0; i < x.length; i++) { const d = s[x[i]!]! - s[y[i]!]!; if (d) return d; }
    return 0;
  };
  const orders = groups.map((g) => Int32Array.from(g));
  const permute = (s: Int32Array, map: Int32Array) => {
    tmp.set(s);
    for (let from = 0; from < map.length; from++) {
      const to = map[from]!;
      if (from === to) continue;
      const src = blocks[from]!;
      const dst = blocks[to]!;
      for (let i = 0; i < src.length; i++) s[dst[i]!] = tmp[src[i]!]!;
    }
    for (const at of cpuValued) s[at] = map[s[at]!]!;
    for (const at of owners) if (s[at]! > 0) s[at] = map[s[at]! - 1]! + 1;
    for (const at of readers) {
      let bits = 0;
      for (let c = 0; c < map.length; c++) if (s[at]! & (1 << c)) bits |= 1 << map[c]!;
      s[at] = bits;
    }
  };
  const canonicalize = (s: Int32Array, moved?: Int32Array) => {
    // Sort each group's members by their blocks (insertion sort: groups are small).
    let any = false;
    for (let gi = 0; gi < groups.length; gi++) {
      const order = orders[gi]!;
      const g = groups[gi]!;
      for (let i = 0; i < g.length; i++) order[i] = g[i]!;
      for (let i = 1; i < order.length; i++) {
        const x = order[i]!;
        let j = i - 1;
        while (j >= 0 && compare(s, order[j]!, x) > 0) { order[j + 1] = order[j]!; j--; }
        order[j + 1] = x;
      }
      for (let i = 0; i < g.length; i++) if (order[i] !== g[i]) any = true;
    }
    const out = moved ?? scratch;
    for (let c = 0; c < out.length; c++) out[c] = c;
    if (!any) return;
    for (let gi = 0; gi < groups.length; gi++) {
      const order = orders[gi]!;
      const g = groups[gi]!;
      for (let j = 0; j < g.length; j++) out[order[j]!] = g[j]!;
    }
    permute(s, out);
  };
  return { canonicalize, permute };
}

/** Slots whose value is a CPU index (cpu-typed variables, locals and record fields). */
function cpuValuedSlots(ts: TransitionSystem): number[] {
  const m = ts.model;
  const l = ts.layout;
  const out: number[] = [];
  const fields = (rec: RecordKind) => recordFields(m.arch, rec).flatMap((f, i) => (f.type.k === 'cpu' ? [i] : []));
  const [pteCpu, tlbCpu] = [fields('pte'), fields('tlbe')];
  m.globals.forEach((g) => { if (g.type.k === 'cpu') g.init.forEach((_, i) => out.push(l.globalSlot[g.id]! + i)); });
  m.cpus.forEach((c) => c.locals.forEach((lc, i) => {
    const at = l.cpus[c.index]!.localSlot[i]!;
    if (lc.type.k === 'cpu') out.push(at);
    if (lc.type.k === 'pte') pteCpu.forEach((f) => out.push(at + f));
    if (lc.type.k === 'tlbe') tlbCpu.forEach((f) => out.push(at + f));
  }));
  m.pages.forEach((p) => pteCpu.forEach((f) => out.push(l.pteBase + p.index * l.pteWidth + f)));
  for (let i = 0; i < m.cpus.length * m.pages.length; i++) tlbCpu.forEach((f) => out.push(l.tlbBase + i * l.tlbWidth + f));
  return out;
}
