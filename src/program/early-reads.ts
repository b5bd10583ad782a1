// Relaxed mode: where an early read can still be used. An early read of page P that a CPU makes
// at a statement is useful only if, from there, some path reaches a plain load of P that can
// take it (earlyLoadable) without first passing a step that uses or drops it
// (earlyReadUseless: an access of P, a barrier that orders loads, an acquire, a lock
// acquisition). Elsewhere `read_early` is disabled in both engines: the read would be dropped
// before any load used it, so no outcome is lost.
import { earlyLoadable, earlyReadUseless } from '../ir/rules.js';
import type { CpuProgram, ProgramGraph } from './graph.js';
import { reachesBefore, successors } from './reach.js';

/** Per CPU: the statement ids (a CPU's step statements) at which an early read of each page is useful. */
export type EarlyReadPoints = readonly (readonly ReadonlySet<number>[])[];

export function earlyReadPoints(g: ProgramGraph): EarlyReadPoints {
  return g.cpus.map((p) => g.model.pages.map((page) => usefulAt(p, page.index)));
}

function usefulAt(p: CpuProgram, page: number): ReadonlySet<number> {
  const consumer = (pc: number) => {
    const s = p.points[pc]!.stmt;
    return earlyLoadable(s) && (s.page.k !== 'const' || s.page.value === page);
  };
  const blocks = (pc: number) => earlyReadUseless(p.points[pc]!.stmt, page);
  // reaches[pc]: from pc, a consumer is reached with no blocking step before it (pc included).
  const reaches = reachesBefore(p, consumer, blocks);
  // Useful at pc: pc itself neither uses nor drops the read, and a consumer lies ahead.
  const ids = new Set<number>();
  p.points.forEach((pt, pc) => {
    if (pt && !blocks(pc) && successors(p, pc).some((s) => reaches[s])) ids.add(pt.stmt.id);
  });
  return ids;
}
