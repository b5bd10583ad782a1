// Relaxed mode: the accesses an early walk may be held for (docs/models/arm64.md "Relaxed
// mode"). `walk_early` performs the walk of one access point of a CPU ahead of time; a walk that
// faults is held until the CPU reaches that point (which then faults without walking), or until
// a context synchronization (ISB, exception entry) or another CPU's completed invalidation of the
// page drops it. The CPU's other accesses of the page in between walk as usual: translation reads
// of one location are not ordered with each other (herd7 J3, F2.mod-reduced: Allowed). Both
// engines number a CPU's targets alike (1 + the position of the access point in pc order: the
// value held in the early-walk slot), and both enable `walk_early` for a target only at a
// statement from which the target is reachable with no ISB before it: elsewhere the walk would
// be dropped before it is used, so no outcome is lost.
import { lineCol } from '../lang/source.js';
import type { ProgramGraph } from './graph.js';
import { reachesBefore } from './reach.js';

export interface EarlyWalkTarget {
  /** The value the early-walk slot holds for it (1-based). */
  readonly index: number;
  /** The access statement's id (its program point's stmt). */
  readonly id: number;
  readonly access: 'read' | 'write';
  /** The page it accesses; undefined when a variable gives it (every page). */
  readonly page: number | undefined;
  /** `line:col` of the access, for names and traces. */
  readonly place: string;
  /** The statement ids of the points from which it is reachable with no ISB before it (itself included). */
  readonly from: ReadonlySet<number>;
}

const computed = new WeakMap<ProgramGraph, EarlyWalkTarget[][]>();

/** Per CPU, its access points as early-walk targets, in pc order (computed once per graph). */
export function earlyWalkTargets(g: ProgramGraph): EarlyWalkTarget[][] {
  const known = computed.get(g);
  if (known) return known;
  const out = targetsOf(g);
  computed.set(g, out);
  return out;
}

function targetsOf(g: ProgramGraph): EarlyWalkTarget[][] {
  return g.cpus.map((p) => {
    const out: EarlyWalkTarget[] = [];
    p.points.forEach((pt, pc) => {
      if (pt?.stmt.k !== 'access') return;
      const st = pt.stmt;
      const reaches = reachesBefore(p, (x) => x === pc, (x) => { const s = p.points[x]!.stmt; return s.k === 'barrier' && s.op === 'isb'; });
      const from = new Set<number>();
      p.points.forEach((q, x) => { if (q && reaches[x]) from.add(q.stmt.id); });
      out.push({ index: out.length + 1, id: st.id, access: st.access, page: st.page.k === 'const' ? st.page.value : undefined, place: place(st.span.file, st.span.start), from });
    });
    return out;
  });
}

function place(file: Parameters<typeof lineCol>[0], offset: number): string {
  const { line, col } = lineCol(file, offset);
  return `${line}:${col}`;
}

/** Whether target `t` (an early walk's or an early read's) accesses page `page`. */
export function targetsPage(t: { readonly page: number | undefined }, page: number): boolean {
  return t.page === undefined || t.page === page;
}
