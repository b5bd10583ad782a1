// A write through a stale TLB entry: a completed user write whose CPU holds a valid entry for the
// written frame that disagrees with its PTE in a field both have — the step a race is about.
import { pteSlot, tlbSlot, type TransitionSystem } from '../compile/index.js';
import type { Actor } from './trace.js';

/** Whether `cpu` holds a valid TLB entry mapping `frame` that differs from the PTE in a shared field. */
function staleEntry(ts: TransitionSystem, s: Int32Array, cpu: number, frame: number): boolean {
  const { model: m, layout: l } = ts;
  const n = m.pages.length;
  const shared = m.arch.tlbFields.flatMap((f, ti) => {
    const pi = m.arch.pteFields.findIndex((p) => p.name === f.name);
    return ti > 0 && pi >= 0 ? [[ti, pi] as const] : [];
  });
  return m.pages.some((p) => {
    if (!s[tlbSlot(l, n, cpu, p.index, 0)]) return false;
    if (s[tlbSlot(l, n, cpu, p.index, m.arch.tlbPfn)] !== frame) return false;
    return shared.some(([ti, pi]) => s[tlbSlot(l, n, cpu, p.index, ti)] !== s[pteSlot(l, p.index, pi)]);
  });
}

/** The step `actor` took from `before` to `after` completed a write through a stale TLB entry. */
export function staleWrite(ts: TransitionSystem, actor: Actor, before: Int32Array, after: Int32Array): boolean {
  if (actor.kind !== 'cpu' || actor.point.stmt.k !== 'access' || actor.point.stmt.access !== 'write' || actor.fault) return false;
  const { versionBase } = ts.layout;
  for (let f = 0; f < ts.model.frames.length; f++) {
    if (after[versionBase + f] !== before[versionBase + f] && staleEntry(ts, before, actor.cpu, f)) return true;
  }
  return false;
}
