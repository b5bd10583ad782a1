// The reference interpreter's livelock check, written apart from src/explore/livelock.ts (which
// works on program counters and Tarjan's algorithm): here a CPU's retry loop is read off its
// continuation stack, and components are found by Kosaraju's two passes over plain arrays.
//
// A CPU is in the retry loop of access A when A (an access with a handler, not `expect fault`) is
// the next statement it runs, or A is on its stack with an item of A's handler right above it (a
// fault pushed the handler, then A again). Nested loops count as the outermost one. A livelock is
// a strongly connected set of states where CPU c stays in one retry loop, in which c steps, and
// every other CPU steps or cannot step in some state of it; its depth is the least BFS depth of
// its states.
import { Map as IMap } from 'immutable';
import type { Stmt } from '../ir/model.js';
import { forEachStmt } from '../ir/walk.js';
import { Broken, Halt } from './eval.js';
import { cpuStep } from './exec.js';
import type { State, Tables, Thread } from './state.js';

/** A retry loop's access and what can sit right above it on a stack while its handler runs. */
interface RetryAccess {
  readonly id: number;
  readonly excluded: boolean;
  readonly handlerStmts: ReadonlySet<number>;
  readonly handlerCalls: ReadonlySet<number>;
}

function retryAccesses(t: Tables): Map<number, RetryAccess> {
  const out = new Map<number, RetryAccess>();
  for (const s of t.stmts.values()) {
    if (s.k !== 'access' || !s.handler) continue;
    const handlerStmts = new Set<number>();
    const handlerCalls = new Set<number>();
    forEachStmt(s.handler, (x: Stmt) => {
      handlerStmts.add(x.id);
      if (x.k === 'call') handlerCalls.add(x.callId);
    });
    out.set(s.id, { id: s.id, excluded: s.expectFault !== undefined, handlerStmts, handlerCalls });
  }
  return out;
}

/** The access whose retry loop `th` is in (the outermost), or -1. */
function loopOf(accesses: Map<number, RetryAccess>, th: Thread): number {
  const stack = th.stack;
  for (let k = 0; k < stack.size; k++) {
    const item = stack.get(k)!;
    const a = item.kind === 'stmt' ? accesses.get(item.id) : undefined;
    if (!a) continue;
    const above = stack.get(k + 1);
    const inLoop = above === undefined
      || (above.kind === 'endCall' ? a.handlerCalls.has(above.id) : a.handlerStmts.has(above.id));
    if (inLoop) return a.excluded ? -1 : a.id;
  }
  return -1;
}

/** An edge: the successor's index and who stepped (a CPU, or -1 for hardware and interrupts). */
interface Edge { readonly to: number; readonly by: number }

/**
 * The least depth of a livelock over the complete state graph `states` (BFS order, with
 * depths), or undefined; `hardware(st)` gives a state's hardware successors.
 */
export function livelockDepth(t: Tables, states: readonly { st: State; depth: number }[], hardware: (st: State) => Iterable<State | Halt>): number | undefined {
  const accesses = retryAccesses(t);
  if ([...accesses.values()].every((a) => a.excluded)) return undefined;
  let index = IMap<State, number>();
  states.forEach(({ st }, i) => { index = index.set(st, i); });
  const ncpu = t.model.cpus.length;
  const edges: Edge[][] = [];
  const enabled: boolean[][] = [];
  for (const { st } of states) {
    const out: Edge[] = [];
    const can: boolean[] = [];
    for (let c = 0; c < ncpu; c++) {
      const r = cpuStep(t, st, c);
      can.push(!(r === undefined || (r instanceof Halt && r.kind === 'disabled')));
      if (r === undefined || r instanceof Halt) continue;
      const next = r instanceof Broken ? r.st : r;
      out.push({ to: index.get(next)!, by: c });
    }
    for (const r of hardware(st)) if (!(r instanceof Halt)) out.push({ to: index.get(r)!, by: -1 });
    edges.push(out);
    enabled.push(can);
  }
  let best: number | undefined;
  for (let c = 0; c < ncpu; c++) {
    const loops = states.map(({ st }) => loopOf(accesses, st.cpus.get(c)!));
    const keep = (s: number, e: Edge) => loops[s]! >= 0 && loops[e.to] === loops[s];
    for (const comp of kosaraju(states.length, edges, keep)) {
      const inside = new Set(comp);
      const inner = comp.flatMap((s) => edges[s]!.filter((e) => keep(s, e) && inside.has(e.to)));
      if (!inner.length || !inner.some((e) => e.by === c)) continue;
      const fair = Array.from({ length: ncpu }, (_, d) => d).every((d) =>
        d === c || inner.some((e) => e.by === d) || comp.some((s) => !enabled[s]![d]));
      if (!fair) continue;
      const depth = Math.min(...comp.map((s) => states[s]!.depth));
      if (best === undefined || depth < best) best = depth;
    }
  }
  return best;
}

/** Strongly connected components over the kept edges (Kosaraju: finish order, then the reversed graph). */
function kosaraju(n: number, edges: readonly Edge[][], keep: (s: number, e: Edge) => boolean): number[][] {
  const seen = new Uint8Array(n);
  const order: number[] = [];
  for (let root = 0; root < n; root++) {
    if (seen[root]) continue;
    seen[root] = 1;
    const stack: { s: number; i: number }[] = [{ s: root, i: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const out = edges[top.s]!;
      if (top.i < out.length) {
        const e = out[top.i++]!;
        if (keep(top.s, e) && !seen[e.to]) { seen[e.to] = 1; stack.push({ s: e.to, i: 0 }); }
      } else {
        order.push(top.s);
        stack.pop();
      }
    }
  }
  const back: number[][] = Array.from({ length: n }, () => []);
  edges.forEach((out, s) => out.forEach((e) => { if (keep(s, e)) back[e.to]!.push(s); }));
  const comp = new Int32Array(n).fill(-1);
  const comps: number[][] = [];
  for (let k = order.length - 1; k >= 0; k--) {
    const root = order[k]!;
    if (comp[root]! >= 0) continue;
    const members = [root];
    comp[root] = comps.length;
    for (let i = 0; i < members.length; i++) {
      for (const p of back[members[i]!]!) if (comp[p]! < 0) { comp[p] = comps.length; members.push(p); }
    }
    comps.push(members);
  }
  return comps;
}
