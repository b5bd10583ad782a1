// A packed state as the named values a kernel developer reads: PTEs, TLB entries, globals,
// frames, locks and live locals.
import type { Field, Model, ScalarType } from '../ir/model.js';
import { earlySlot, huSlot, huValueSlot, pendingSlot, pteSlot, pteStoreSlot, pteStoreValueSlot, readSlot, readTargetSlot, readValueSlot, storeSlot, storeValueSlot, tlbSlot, type TransitionSystem } from '../compile/index.js';
import { slotWidth } from '../ir/types.js';
import { earlyWalkTargets } from '../program/early-walks.js';

export function scalarText(m: Model, t: ScalarType, v: number): string {
  switch (t.k) {
    case 'bool': return v ? 'true' : 'false';
    case 'int': return String(v);
    case 'enum': return t.members[v] ?? String(v);
    case 'page': return m.pages[v]?.name ?? String(v);
    case 'frame': return m.frames[v]?.name ?? String(v);
    case 'cpu': return m.cpus[v]?.name ?? String(v);
  }
}

/** `{present,write,dirty,pfn=F0}`: true flags by name, other fields as name=value. A group of
 * fields `G_*` whose flag `G_valid` is false is left out (an empty second translation). */
export function recordText(m: Model, fields: readonly Field[], s: Int32Array, at: number): string {
  const parts: string[] = [];
  const absent = fields.flatMap((f, i) => f.name.endsWith('_valid') && f.type.k === 'bool' && !s[at + i] ? [f.name.slice(0, -'valid'.length)] : []);
  fields.forEach((f, i) => {
    const v = s[at + i]!;
    if (absent.some((g) => f.name.startsWith(g))) return;
    if (f.type.k === 'bool') { if (v) parts.push(f.name); } else parts.push(`${f.name}=${scalarText(m, f.type, v)}`);
  });
  return `{${parts.join(',')}}`;
}

/** A PTE: `none` when every field is zero (pte_none: cleared, never mapped), else its record. */
function pteText(m: Model, s: Int32Array, at: number): string {
  return s.subarray(at, at + m.arch.pteFields.length).every((x) => x === 0) ? 'none' : recordText(m, m.arch.pteFields, s, at);
}

/** Every named value of a state, in a fixed order. */
export function describeState(ts: TransitionSystem, s: Int32Array): Map<string, string> {
  const { model: m, layout: l } = ts;
  const out = new Map<string, string>();
  for (const p of m.pages) out.set(p.name, pteText(m, s, pteSlot(l, p.index, 0)));
  for (const c of m.cpus) {
    for (const p of m.pages) {
      const at = tlbSlot(l, m.pages.length, c.index, p.index, 0);
      out.set(`tlb[${c.name}][${p.name}]`, s[at] ? recordText(m, m.arch.tlbFields.slice(1), s, at + 1) : '-');
    }
  }
  for (const g of m.globals) {
    const base = l.globalSlot[g.id]!;
    g.init.forEach((_, i) => {
      const name = g.indexBy === 'page' ? `${g.name}[${m.pages[i]!.name}]` : g.indexBy === 'cpu' ? `${g.name}[${m.cpus[i]!.name}]` : g.indexBy === 'frame' ? `${g.name}[${m.frames[i]!.name}]` : g.name;
      out.set(name, scalarText(m, g.type, s[base + i]!));
    });
  }
  // A CPU a fatal fault killed (`sigsegv;`).
  if (l.killedBase >= 0) for (const c of m.cpus) if (s[l.killedBase + c.index]) out.set(`${c.name}.status`, 'killed');
  for (const f of m.frames) {
    out.set(`${f.name}.version`, String(s[l.versionBase + f.index]));
    if (s[l.freedBase + f.index]) out.set(`${f.name}.freed`, 'true');
    if (l.dataBase >= 0) out.set(`${f.name}.data`, String(s[l.dataBase + f.index]));
  }
  // A TLBI issued and not yet complete on a CPU: `tlbi_pending[P1][X]=by P0`.
  if (l.pendingBase >= 0) {
    for (const t of m.cpus) for (const p of m.pages) {
      const by = m.cpus.filter((i) => s[pendingSlot(l, m.cpus.length, m.pages.length, i.index, t.index, p.index)]).map((i) => i.name);
      out.set(`tlbi_pending[${t.name}][${p.name}]`, by.length ? `by ${by.join(', ')}` : '-');
    }
  }
  // Relaxed mode: a hardware update not yet written (`hu_pending[P0][X]={...,af}`, the PTE it
  // writes) and a held early walk's fault (`walk_early[P1][X]=write at 7:3 faults`: the access it is held for).
  if (m.relaxed) {
    const np = m.pages.length;
    for (const c of m.cpus) for (const p of m.pages) {
      out.set(`hu_pending[${c.name}][${p.name}]`, s[huSlot(l, np, c.index, p.index)] ? pteText(m, s, huValueSlot(l, np, c.index, p.index, 0)) : '-');
      const walk = s[earlySlot(l, np, c.index, p.index)]!;
      const target = walk ? earlyWalkTargets(ts.graph)[c.index]![walk - 1]! : undefined;
      out.set(`walk_early[${c.name}][${p.name}]`, target ? `${target.access} at ${target.place} faults` : '-');
      // A plain PTE store only its CPU sees yet: `pte_pending[P0][X]={valid, ...}`.
      if (l.pteStoreBase >= 0) out.set(`pte_pending[${c.name}][${p.name}]`, s[pteStoreSlot(l, np, c.index, p.index)] ? pteText(m, s, pteStoreValueSlot(l, np, c.index, p.index, 0)) : '-');
      // With data: an early read held for one of the CPU's plain loads (`read_early[P1][X]=F0.data 1 for 7:3`)
      // and a store no other CPU sees yet: `store_pending[P0][X]=F0.data := 1`.
      if (l.readBase < 0) continue;
      const held = (frame: number, value: number, op: string) => (frame ? `${m.frames[frame - 1]!.name}.data ${op}${value}` : '-');
      const load = s[readSlot(l, np, c.index, p.index)] ? ` for ${earlyWalkTargets(ts.graph)[c.index]![Math.abs(s[readTargetSlot(l, np, c.index, p.index)]!) - 1]!.place}${s[readTargetSlot(l, np, c.index, p.index)]! < 0 ? ', across a TLBI' : ''}` : '';
      out.set(`read_early[${c.name}][${p.name}]`, held(s[readSlot(l, np, c.index, p.index)]!, s[readValueSlot(l, np, c.index, p.index)]!, '') + load);
      out.set(`store_pending[${c.name}][${p.name}]`, held(s[storeSlot(l, np, c.index, p.index)]!, s[storeValueSlot(l, np, c.index, p.index)]!, ':= '));
    }
  }
  m.locks.forEach((lock) => {
    const width = l.lockWidth[lock.id]!;
    const instances = lock.perPage ? m.pages.map((p) => `${lock.name}[${p.name}]`) : [lock.name];
    instances.forEach((name, i) => {
      const at = l.lockSlot[lock.id]! + i * width;
      const holders = s[at] ? [m.cpus[s[at]! - 1]!.name] : [];
      if (lock.kind === 'rwsem') m.cpus.forEach((c) => { if (s[at + 1]! & (1 << c.index)) holders.push(`${c.name}(r)`); });
      out.set(name, holders.length ? `held by ${holders.join(', ')}` : 'free');
    });
  });
  m.cpus.forEach((c) => {
    const cl = l.cpus[c.index]!;
    const point = ts.graph.cpus[c.index]!.points[s[cl.pc]!];
    const live = new Set(point?.scope ?? []);
    c.locals.forEach((lc) => {
      const at = cl.localSlot[lc.id]!;
      // In scope but all zero: not assigned yet (or assigned zero), which a trace need not show.
      if (!live.has(lc) || lc.name.startsWith('#') || s.subarray(at, at + slotWidth(m.arch, lc.type)).every((x) => x === 0)) return;
      const text = lc.type.k === 'pte' ? pteText(m, s, at)
        : lc.type.k === 'tlbe' ? (s[at] ? recordText(m, m.arch.tlbFields.slice(1), s, at + 1) : '-')
        : scalarText(m, lc.type as ScalarType, s[at]!);
      out.set(`${c.name}.${lc.name}`, text);
    });
  });
  return out;
}

/** The values that differ between two states, as `name=value` in state order. */
export function changes(ts: TransitionSystem, before: Int32Array, after: Int32Array): string[] {
  const a = describeState(ts, before);
  const b = describeState(ts, after);
  const out: string[] = [];
  for (const [k, v] of b) if (a.get(k) !== v) out.push(`${k}=${v}`);
  return out;
}
