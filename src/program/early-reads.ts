// Relaxed mode: the plain loads an early read may be held for (docs/models/arm64.md "Relaxed
// mode"). `read_early` performs one of a CPU's later plain data loads (earlyLoadable) ahead of
// time and holds its frame and value; that load then completes with them. The CPU's other
// accesses in between run as usual (a load of the page through another translation may see
// newer data: herd7 R3+W, coRR-pte3); a data access of the held frame drops the read
// (coherence), and so does a step that orders later loads (earlyReadsDropped). A target is
// numbered as its early-walk target (src/program/early-walks.ts), in both engines, and
// `read_early` for it is enabled only at a statement from which it is reachable with no such
// step before it, the statement itself neither the load nor such a step: elsewhere the read
// would be dropped before the load took it, so no outcome is lost.
import { earlyLoadable, earlyReadsDropped } from '../ir/rules.js';
import { earlyWalkTargets } from './early-walks.js';
import type { ProgramGraph } from './graph.js';
import { reachesBefore, successors } from './reach.js';

export interface EarlyReadTarget {
  /** Its number (EarlyWalkTarget.index of the same load), held beside the read. */
  readonly index: number;
  /** The load statement's id. */
  readonly id: number;
  /** The page it loads; undefined when a variable gives it (every page). */
  readonly page: number | undefined;
  readonly place: string;
  /** The statement ids of the points at which an early read for it may be made; undefined: every point. */
  readonly from: ReadonlySet<number> | undefined;
}

/** Per CPU, its plain data loads as early-read targets, in pc order; `everywhere`: no pruning (tests). */
export function earlyReadTargets(g: ProgramGraph, everywhere = false): EarlyReadTarget[][] {
  const walks = earlyWalkTargets(g);
  return g.cpus.map((p, c) => walks[c]!.flatMap((t): EarlyReadTarget[] => {
    const goal = p.points.findIndex((pt) => pt?.stmt.id === t.id);
    if (!earlyLoadable(p.points[goal]!.stmt)) return [];
    if (everywhere) return [{ index: t.index, id: t.id, page: t.page, place: t.place, from: undefined }];
    const blocks = (pc: number) => earlyReadsDropped(p.points[pc]!.stmt);
    const reaches = reachesBefore(p, (pc) => pc === goal, blocks);
    const from = new Set<number>();
    p.points.forEach((pt, pc) => {
      if (pt && pc !== goal && !blocks(pc) && successors(p, pc).some((s) => reaches[s])) from.add(pt.stmt.id);
    });
    return [{ index: t.index, id: t.id, page: t.page, place: t.place, from }];
  }));
}
