// A write through a stale TLB entry: a completed user write whose CPU holds a valid entry for the
// written frame that disagrees with its PTE in a field both have — the step a race is about.
import { pteSlot, tlbSlot, type TransitionSystem } from '../compile/index.js';
import type { Actor } from './trace.js';

/** The page whose TLB entry for `cpu` is valid, maps `frame`, and differs from the PTE in a shared field. */
function stalePage(ts: TransitionSystem, s: Int32Array, cpu: number, frame: number): TransitionSystem['model']['pages'][number] | undefined {
  const { model: m, layout: l } = ts;
  const n = m.pages.length;
  const shared = m.arch.tlbFields.flatMap((f, ti) => {
    const pi = m.arch.pteFields.findIndex((p) => p.name === f.name);
    return ti > 0 && pi >= 0 ? [[ti, pi] as const] : [];
  });
  return m.pages.find((p) => {
    if (!s[tlbSlot(l, n, cpu, p.index, 0)]) return false;
    if (s[tlbSlot(l, n, cpu, p.index, m.arch.tlbPfn)] !== frame) return false;
    return shared.some(([ti, pi]) => s[tlbSlot(l, n, cpu, p.index, ti)] !== s[pteSlot(l, p.index, pi)]);
  });
}

/** The stale entry (`tlb[cpu][page]`) the step `actor` took from `before` to `after` completed a write through, if any. */
export function staleEntryOf(ts: TransitionSystem, actor: Actor, before: Int32Array, after: Int32Array): string | null {
  if (actor.kind !== 'cpu' || actor.point.stmt.k !== 'access' || actor.point.stmt.access !== 'write' || actor.fault) return null;
  const { versionBase } = ts.layout;
  for (let f = 0; f < ts.model.frames.length; f++) {
    const page = after[versionBase + f] !== before[versionBase + f] ? stalePage(ts, before, actor.cpu, f) : undefined;
    if (page !== undefined) return `tlb[${ts.model.cpus[actor.cpu]!.name}][${page.name}]`;
  }
  return null;
}

/** The step `actor` took from `before` to `after` completed a write through a stale TLB entry. */
export function staleWrite(ts: TransitionSystem, actor: Actor, before: Int32Array, after: Int32Array): boolean {
  return staleEntryOf(ts, actor, before, after) !== null;
}
