// Backward reachability over one CPU's program points, for the relaxed mode's pruning
// (early-reads.ts, early-walks.ts): from which points a goal is reached before a blocking step.
import { forEachStmt } from '../ir/walk.js';
import { FINISHED, targets, type CpuProgram } from './graph.js';

/** Where control may go after point `pc`: its successors and the continuations of the returns inside it. */
export function successors(p: CpuProgram, pc: number): number[] {
  const n = p.points[pc]!;
  const out = [...targets(n.next)];
  forEachStmt(n.stmt, (s) => { if (s.k === 'return') out.push(p.returnTo.get(s.callId)!); });
  return out.filter((x) => x !== FINISHED);
}

/**
 * Per pc: some path from pc (pc included) reaches a point `goal` accepts with no point `blocks`
 * accepts before it (a goal point counts even if it also blocks).
 */
export function reachesBefore(p: CpuProgram, goal: (pc: number) => boolean, blocks: (pc: number) => boolean): boolean[] {
  const reaches = p.points.map((pt, pc) => pt !== undefined && goal(pc));
  for (let changed = true; changed;) {
    changed = false;
    p.points.forEach((pt, pc) => {
      if (!pt || reaches[pc] || blocks(pc)) return;
      if (successors(p, pc).some((s) => reaches[s])) { reaches[pc] = true; changed = true; }
    });
  }
  return reaches;
}
