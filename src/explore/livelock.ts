// The built-in property `livelock` (docs/LANGUAGE.md, "Livelock"): a reachable cycle along which
// one CPU keeps retrying a faulting access (the access faults, its handler runs, the access runs
// again) without ever completing it, while every other CPU is treated fairly: along the cycle each
// other CPU either takes a step or is, in some state of it, unable to (weak fairness). Such a
// cycle is an execution the machine can really run for ever. It is decided on a graph of its own,
// after the main search, because partial-order reduction and symmetry may drop a cycle's states:
//   1. a breadth-first search over every state, keeping each state's program counters, which
//      CPUs can step in it, its BFS parent, and the edges out of states where a CPU is retrying;
//   2. per CPU c, the states where c is inside one retry loop and the edges that keep it there,
//      cut into strongly connected components (Tarjan, iterative);
//   3. a component is a livelock when c steps inside it and it is fair to every other CPU. The one
//      reported is the component reached first (its first state is the least in BFS order), with
//      a lasso: the shortest path to that state, then a fair cycle through it.
// An access written `expect fault` never completing is the claim, not a livelock; `sigsegv;` in
// a handler ends the loop (the CPU is killed).
import { DISABLED, OK, type TransitionSystem } from '../compile/index.js';
import { FINISHED, targets, type ProgramGraph } from '../program/graph.js';
import type { ExploreResult, Limit } from './bfs.js';
import type { Lasso, Violation } from './monitors.js';
import { Column, internUpTo, stateSet, type StoreKind } from './states.js';
import { actionHead, RECORD_HEAD, successorWriter } from './successors.js';

export interface LivelockOptions {
  readonly maxStates?: number;
  readonly timeLimitMs?: number;
  readonly memoryLimitBytes?: number;
  readonly signal?: AbortSignal;
  /** The exact store to keep the graph's states in (bfs.ts ExploreOptions.store). */
  readonly store?: StoreKind;
}

export interface LivelockResult {
  /** The livelock found, if any (undefined also when a limit stopped the search). */
  readonly violation?: Violation;
  /** Set when a limit stopped the search: the property is then undecided. */
  readonly limit?: Limit;
  readonly states: number;
}

/**
 * Per CPU, per pc: the pc of the outermost access whose retry loop (the access and its inlined
 * handler) the pc is in, or -1. An `expect fault` access's loop, and pcs nested in it, are -1.
 */
export function retryLoops(graph: ProgramGraph): Int32Array[] {
  return graph.cpus.map((prog) => {
    const EXCLUDED = -2;
    const loop = new Int32Array(prog.points.length).fill(-1);
    // Outer accesses get lower pcs than their handlers' points (graph.ts builds the access first).
    for (const p of prog.points) {
      if (!p || p.next.k !== 'access' || !p.next.handled || loop[p.pc] !== -1) continue;
      const mark = p.stmt.k === 'access' && p.stmt.expectFault ? EXCLUDED : p.pc;
      loop[p.pc] = mark;
      // The handler: every pc reachable from the fault target before control is back at the access.
      const todo = [p.next.fault];
      while (todo.length) {
        const pc = todo.pop()!;
        if (pc === p.pc || pc === FINISHED || loop[pc] === mark) continue;
        loop[pc] = mark;
        todo.push(...targets(prog.points[pc]!.next));
      }
    }
    return loop.map((x) => (x === EXCLUDED ? -1 : x));
  });
}

/** Successor evaluations between two looks at the clock, memory and signal. */
const CHECK_EVERY = 4096;

export function findLivelock(ts: TransitionSystem, opts: LivelockOptions = {}): LivelockResult {
  const loops = retryLoops(ts.graph);
  if (loops.every((l) => l.every((x) => x < 0))) return { states: 0 };
  const graph = livelockGraph(ts, loops, opts);
  if (graph.limit) return { limit: graph.limit, states: graph.count };
  const found = fairLoops(ts, loops, graph);
  if (!found) return { states: graph.count };
  return { violation: lassoOf(ts, graph, found), states: graph.count };
}

interface LivelockGraph {
  readonly count: number;
  readonly limit?: Limit;
  /** pcs(s * ncpu + c): CPU c's pc in state s. */
  readonly pcs: Column;
  /** Bit c set when CPU c has a step (OK or failing) in state s. */
  readonly enabled: Column;
  /** Edges out of state s: edgeTo/edgeAction at edgeStart(s) .. edgeStart(s + 1) - 1. */
  readonly edgeStart: Column;
  readonly edgeTo: Column;
  readonly edgeAction: Column;
  readonly parent: Column;
  readonly parentAction: Column;
  readonly depth: Column;
  stateAt(s: number): Int32Array;
}

function livelockGraph(ts: TransitionSystem, loops: readonly Int32Array[], opts: LivelockOptions): LivelockGraph {
  const start = Date.now();
  const ncpu = ts.cpuActions;
  const actions = ts.actions.length;
  const states = stateSet(ts.slotRange, { store: opts.store });
  const writer = successorWriter(ts, states.packer, [], undefined, false);
  const head = actionHead(ts);
  const per = head + states.words;
  const buf = new Int32Array(writer.recordSize);
  const state = new Int32Array(ts.stateSize);
  const columns = () => new Column(true);
  const [pcs, enabled, edgeStart, edgeTo, edgeAction, parent, parentAction, depth] = Array.from({ length: 8 }, columns);
  let edges = 0;
  const maxStates = Math.min(opts.maxStates ?? Infinity, states.capacity);
  const memoryLimit = opts.memoryLimitBytes ?? Infinity;
  let limit: Limit | undefined;
  const add = (at: number, from: number, act: number): number => {
    const r = internUpTo(states, buf, at, head, maxStates);
    if (r === undefined) { limit = 'states'; return -1; }
    if (r < 0) return ~r;
    parent.set(r, from);
    parentAction.set(r, act);
    depth.set(r, from < 0 ? 0 : depth.get(from) + 1);
    return r;
  };
  for (const s of ts.initialStates()) {
    writer.writeReached(s, buf, 0);
    add(0, -1, 0);
  }
  let work = 0;
  let looks = 0;
  for (let cur = 0; cur < states.count && !limit; cur++) {
    work += actions;
    if (work >= CHECK_EVERY) {
      work = 0;
      if (opts.signal?.aborted) { limit = 'interrupted'; break; }
      if (opts.timeLimitMs !== undefined && Date.now() - start > opts.timeLimitMs) { limit = 'time'; break; }
      const bytes = states.bytes + [pcs, enabled, edgeStart, edgeTo, edgeAction, parent, parentAction, depth].reduce((n, x) => n + x.bytes, 0);
      if (memoryLimit !== Infinity && (++looks & 15) === 0 && bytes + process.memoryUsage().heapUsed > memoryLimit) { limit = 'memory'; break; }
    }
    states.load(cur, state);
    let retrying = false;
    for (let c = 0; c < ncpu; c++) {
      const pc = ts.pcOf(c, state);
      pcs.set(cur * ncpu + c, pc);
      if (loops[c]![pc]! >= 0) retrying = true;
    }
    writer.write(state, buf, 0);
    edgeStart.set(cur, edges);
    let mask = 0;
    for (let a = 0; a < actions && !limit; a++) {
      const at = RECORD_HEAD + a * per;
      const code = buf[at]!;
      if (code === DISABLED) continue;
      if (a < ncpu) mask |= 1 << a;
      if (code !== OK) continue;
      const next = add(at, cur, a);
      // Only a state where some CPU is retrying can lie on a livelock's cycle.
      if (next >= 0 && retrying) { edgeTo.set(edges, next); edgeAction.set(edges++, a); }
    }
    enabled.set(cur, mask);
  }
  edgeStart.set(states.count, edges);
  const stateAt = (s: number) => {
    const out = new Int32Array(ts.stateSize);
    states.load(s, out);
    return out;
  };
  return {
    count: states.count, limit, pcs, enabled, edgeStart, edgeTo, edgeAction, parent, parentAction, depth, stateAt,
  };
}

/** A fair component found: the retrying CPU and the component's states (the least first). */
interface FairLoop {
  readonly cpu: number;
  readonly states: readonly number[];
}

/** The fair livelock component whose least state is least, over every CPU; undefined when there is none. */
function fairLoops(ts: TransitionSystem, loops: readonly Int32Array[], g: LivelockGraph): FairLoop | undefined {
  const ncpu = ts.cpuActions;
  let best: FairLoop | undefined;
  for (let c = 0; c < ncpu; c++) {
    const loop = loops[c]!;
    if (loop.every((x) => x < 0)) continue;
    const loopOf = (s: number) => loop[g.pcs.get(s * ncpu + c)]!;
    // The edge out of s (at e) stays in c's retry loop.
    const keeps = (s: number, e: number) => loopOf(g.edgeTo.get(e)) === loopOf(s);
    components(g, (s) => loopOf(s) >= 0, keeps, (comp) => {
      if (best && comp[0]! >= best.states[0]!) return;
      if (isFair(g, ncpu, c, comp, keeps)) best = { cpu: c, states: comp };
    });
  }
  return best;
}

/** Whether CPU c steps inside `comp` and every other CPU steps inside it or is disabled in one of its states. */
function isFair(g: LivelockGraph, ncpu: number, c: number, comp: readonly number[], keeps: (s: number, e: number) => boolean): boolean {
  const inside = new Set(comp);
  let stepped = 0;
  let disabledSomewhere = 0;
  for (const s of comp) {
    disabledSomewhere |= ~g.enabled.get(s);
    for (let e = g.edgeStart.get(s); e < g.edgeStart.get(s + 1); e++) {
      if (keeps(s, e) && inside.has(g.edgeTo.get(e)) && g.edgeAction.get(e) < ncpu) stepped |= 1 << g.edgeAction.get(e);
    }
  }
  if (!(stepped & (1 << c))) return false;
  for (let d = 0; d < ncpu; d++) if (d !== c && !((stepped | disabledSomewhere) & (1 << d))) return false;
  return true;
}

/**
 * Tarjan's strongly connected components of the states where `node` holds, over the edges
 * `keeps` admits, iteratively; `found` gets each component that has a cycle (more than one
 * state, or a state with an edge to itself), its states sorted.
 */
function components(g: LivelockGraph, node: (s: number) => boolean, keeps: (s: number, e: number) => boolean, found: (comp: number[]) => void): void {
  const n = g.count;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const calls: number[] = [];
  const cursor: number[] = [];
  let next = 0;
  const open = (s: number) => {
    index[s] = low[s] = next++;
    stack.push(s);
    onStack[s] = 1;
    calls.push(s);
    cursor.push(g.edgeStart.get(s));
  };
  for (let root = 0; root < n; root++) {
    if (index[root]! >= 0 || !node(root)) continue;
    open(root);
    while (calls.length) {
      const s = calls[calls.length - 1]!;
      const e = cursor[cursor.length - 1]!;
      if (e < g.edgeStart.get(s + 1)) {
        cursor[cursor.length - 1] = e + 1;
        const t = g.edgeTo.get(e);
        if (!node(t) || !keeps(s, e)) continue;
        if (index[t]! < 0) open(t);
        else if (onStack[t]) low[s] = Math.min(low[s]!, index[t]!);
        continue;
      }
      calls.pop();
      cursor.pop();
      if (calls.length) { const p = calls[calls.length - 1]!; low[p] = Math.min(low[p]!, low[s]!); }
      if (low[s] !== index[s]) continue;
      const comp: number[] = [];
      let t: number;
      do { t = stack.pop()!; onStack[t] = 0; comp.push(t); } while (t !== s);
      let cyclic = comp.length > 1;
      for (let e2 = g.edgeStart.get(s); !cyclic && e2 < g.edgeStart.get(s + 1); e2++) cyclic = g.edgeTo.get(e2) === s && keeps(s, e2);
      if (cyclic) found(comp.sort((a, b) => a - b));
    }
  }
}

/** The lasso: the BFS path to the component's least state, then a fair cycle through it. */
function lassoOf(ts: TransitionSystem, g: LivelockGraph, loop: FairLoop): Violation {
  const ncpu = ts.cpuActions;
  const inside = new Set(loop.states);
  const entry = loop.states[0]!;
  // Edges between the component's states (all of them keep the CPU in its loop).
  const edgesOf = (s: number) => {
    const out: { to: number; action: number }[] = [];
    for (let e = g.edgeStart.get(s); e < g.edgeStart.get(s + 1); e++) if (inside.has(g.edgeTo.get(e))) out.push({ to: g.edgeTo.get(e), action: g.edgeAction.get(e) });
    return out;
  };
  // The shortest path inside the component from `from` to `to` (both in it), as actions.
  const path = (from: number, to: number): number[] => {
    const back = new Map<number, { prev: number; action: number }>([[from, { prev: -1, action: -1 }]]);
    const queue = [from];
    for (let i = 0; i < queue.length && !back.has(to); i++) {
      for (const { to: t, action } of edgesOf(queue[i]!)) if (!back.has(t)) { back.set(t, { prev: queue[i]!, action }); queue.push(t); }
    }
    const out: number[] = [];
    for (let s = to; s !== from; s = back.get(s)!.prev) out.unshift(back.get(s)!.action);
    return out;
  };
  // Obligations in CPU order: the retrying CPU's step, then per other CPU a step or a state where it cannot step.
  const cycle: number[] = [];
  let cur = entry;
  const takeEdge = (want: (action: number) => boolean): boolean => {
    for (const s of loop.states) {
      const e = edgesOf(s).find((x) => want(x.action));
      if (!e) continue;
      cycle.push(...path(cur, s), e.action);
      cur = e.to;
      return true;
    }
    return false;
  };
  takeEdge((a) => a === loop.cpu);
  for (let d = 0; d < ncpu; d++) {
    if (d === loop.cpu || takeEdge((a) => a === d)) continue;
    const q = loop.states.find((s) => !(g.enabled.get(s) & (1 << d)))!;
    cycle.push(...path(cur, q));
    cur = q;
  }
  cycle.push(...path(cur, entry));
  const prefix: number[] = [];
  let s = entry;
  for (; g.parent.get(s) >= 0; s = g.parent.get(s)) prefix.unshift(g.parentAction.get(s));
  const lasso: Lasso = { root: g.stateAt(s), prefix, cycle, cpu: loop.cpu };
  return { state: -1, depth: g.depth.get(entry), lasso };
}

/**
 * `r` with the livelock property decided (when the model has it and `r` is a complete search):
 * its violation set, or the livelock search's limit as the result's (the property is then
 * undecided, and so is the check).
 */
export function withLivelock(ts: TransitionSystem, r: ExploreResult, opts: LivelockOptions = {}): ExploreResult {
  const index = ts.model.properties.findIndex((p) => p.kind === 'builtin' && p.name === 'livelock');
  if (index < 0 || r.limit) return r;
  const timeLimitMs = opts.timeLimitMs === undefined ? undefined : Math.max(0, opts.timeLimitMs - r.elapsedMs);
  const found = findLivelock(ts, { ...opts, timeLimitMs });
  if (found.limit) return { ...r, limit: found.limit };
  if (!found.violation) return r;
  const violations = r.violations.slice();
  violations[index] = found.violation;
  return { ...r, violations };
}
