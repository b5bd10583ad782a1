// Exhaustive breadth-first search over every interleaving of CPU and hardware steps. Each
// property keeps its first violation, which BFS order makes a shortest one.
import { DISABLED, OK, type TransitionSystem } from '../compile/index.js';
import { Column, StateStore } from './store.js';
import { symmetryOf, type Symmetry } from './symmetry.js';

export interface ExploreOptions {
  readonly maxStates?: number;
  readonly timeLimitMs?: number;
  /** Reduce by permutations of identical CPUs (`cpu writer[3]`); off unless asked for. */
  readonly symmetry?: boolean;
  /**
   * Partial-order reduction: where a CPU's next step commutes with every other step, take it
   * alone (an ample set of one), unless its successor was already stored (the cycle proviso).
   * Keeps every verdict; a counterexample may be longer than the shortest. Off unless asked for.
   */
  readonly por?: boolean;
  /** Called with the search's figures at most about four times a second; nothing is done for it when absent. */
  readonly onProgress?: (p: ExploreProgress) => void;
}

export interface ExploreProgress {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  /** Stored states not yet expanded. */
  readonly queue: number;
  readonly elapsedMs: number;
}

/** A violation: reached state `state`, plus (for a failing step) the action that failed there. */
export interface Violation {
  readonly state: number;
  readonly action?: number;
  readonly depth: number;
}

export interface ExploreResult {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly elapsedMs: number;
  /** Set when a limit stopped the search before every state was expanded. */
  readonly limit?: 'states' | 'time';
  /** Per property (model order): the shortest violation found, if any. */
  readonly violations: readonly (Violation | undefined)[];
  readonly store: StateStore;
  /** Per state: the state it was first reached from (-1 for initial states) and by which action. */
  readonly parent: Column;
  /** Per state: the action that first reached it (initial states: 0, unused). */
  readonly action: Column;
  /** Set when states were stored as symmetry representatives (traces must be replayed). */
  readonly symmetry?: Symmetry;
}

/** Actions: 0..cpus-1 is a CPU's step; cpus + i is hardware action i. */
export function explore(ts: TransitionSystem, opts: ExploreOptions = {}): ExploreResult {
  const start = Date.now();
  const m = ts.model;
  const ncpu = m.cpus.length;
  const nhw = ts.hardware.length;
  const hw = ts.hardware.map((h) => h.exec);
  const store = new StateStore(ts.slotRange);
  if (ncpu + nhw > 0xffff) throw new Error(`${ncpu + nhw} actions: at most 65535 are supported`);
  const parent = new Column(true);
  const action = new Column(false);
  const levelStart: number[] = [0];
  const violations: (Violation | undefined)[] = m.properties.map(() => undefined);
  const deadlockProp = m.properties.findIndex((p) => p.name === 'deadlock');
  const stuck: number[] = [];
  const stuckEdges = new Map<number, number[]>();
  const { invariants, finals, finished } = ts;
  let transitions = 0;
  let maxDepth = 0;
  let limit: ExploreResult['limit'];
  const maxStates = opts.maxStates ?? Infinity;
  const symmetry = opts.symmetry ? symmetryOf(ts) : undefined;
  const canonicalize = symmetry?.groups.length ? symmetry.canonicalize : undefined;
  const onProgress = opts.onProgress;
  let lastProgress = start;
  const reportProgress = (cur: number) => {
    const now = Date.now();
    if (now - lastProgress < 250) return;
    lastProgress = now;
    onProgress!({ states: store.count, transitions, depth: maxDepth, queue: store.count - cur, elapsedMs: now - start });
  };

  const base = new Int32Array(ts.stateSize);
  const work = new Int32Array(ts.stateSize);
  const depthOf = (index: number) => {
    let d = levelStart.length - 1;
    while (levelStart[d]! > index) d--;
    return d;
  };
  const checkState = (index: number, s: Int32Array, depth: number) => {
    for (const t of invariants) if (!violations[t.prop] && !t.test(s)) violations[t.prop] = { state: index, depth };
    if (finals.length && finished(s)) for (const t of finals) if (!violations[t.prop] && !t.test(s)) violations[t.prop] = { state: index, depth };
  };
  /** Interns `s`; returns its index, counting it as new when it was not stored yet. */
  const add = (s: Int32Array, from: number, act: number, depth: number): number => {
    if (canonicalize) canonicalize(s);
    const r = store.intern(s);
    if (r < 0) return ~r;
    if (depth > maxDepth) maxDepth = depth;
    parent.set(r, from);
    action.set(r, act);
    checkState(r, s, depth);
    return r;
  };

  /** Takes an independent step as the only successor of `cur` when the proviso allows; resets `work`. */
  const ampleStep = (cur: number, depth: number): boolean => {
    for (let c = 0; c < ncpu; c++) {
      if (!ts.independentStep(c, work)) continue;
      const r = ts.cpuStep(c, work);
      if (r === DISABLED) continue;
      if (r !== OK) { work.set(base); return false; }
      const before = store.count;
      add(work, cur, c, depth + 1);
      work.set(base);
      if (store.count > before) { transitions++; return true; }
      return false;
    }
    return false;
  };

  for (const s of ts.initialStates()) {
    if (store.count >= maxStates) { limit = 'states'; break; }
    add(s, -1, 0, 0);
  }
  let depth = 0;
  let nextLevel = store.count;
  for (let cur = 0; cur < store.count && !limit; cur++) {
    if (cur === nextLevel) { depth++; levelStart.push(cur); nextLevel = store.count; }
    if ((cur & 1023) === 0 && opts.timeLimitMs !== undefined && Date.now() - start > opts.timeLimitMs) { limit = 'time'; break; }
    if ((cur & 1023) === 0 && onProgress !== undefined) reportProgress(cur);
    store.load(cur, base);
    work.set(base);
    if (opts.por && ampleStep(cur, depth)) continue;
    let progress = false;
    // A step that returns DISABLED has not touched `work`; any other leaves it to be reset.
    for (let c = 0; c < ncpu; c++) {
      const r = ts.cpuStep(c, work);
      if (r === DISABLED) continue;
      progress = true;
      if (r === OK) {
        if (add(work, cur, c, depth + 1) !== cur) transitions++;
      } else if (!violations[r - 1]) violations[r - 1] = { state: cur, action: c, depth: depth + 1 };
      work.set(base);
    }
    const isStuck = !progress && !finished(base);
    const edges: number[] = [];
    for (let h = 0; h < nhw; h++) {
      const r = hw[h]!(work);
      if (r === DISABLED) continue;
      if (r === OK) {
        const next = add(work, cur, ncpu + h, depth + 1);
        if (next !== cur) {
          transitions++;
          if (isStuck) edges.push(next);
        }
      } else if (!violations[r - 1]) violations[r - 1] = { state: cur, action: ncpu + h, depth: depth + 1 };
      work.set(base);
    }
    if (isStuck) { stuck.push(cur); stuckEdges.set(cur, edges); }
    if (store.count >= maxStates && cur + 1 < store.count) limit = 'states';
  }
  if (!limit && deadlockProp >= 0) {
    const dead = deadlocks(stuck, stuckEdges);
    if (dead !== undefined) violations[deadlockProp] = { state: dead, depth: depthOf(dead) };
  }
  return { states: store.count, transitions, depth: maxDepth, elapsedMs: Date.now() - start, limit, violations, store, parent, action, symmetry };
}

/**
 * Stuck states (no CPU can step) from which hardware steps alone cannot reach a state where a CPU
 * can step; the first in BFS order is the shortest deadlock.
 */
function deadlocks(stuck: readonly number[], edges: ReadonlyMap<number, readonly number[]>): number | undefined {
  const escapes = new Set<number>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const s of stuck) {
      if (escapes.has(s)) continue;
      if (edges.get(s)!.some((t) => !edges.has(t) || escapes.has(t))) { escapes.add(s); changed = true; }
    }
  }
  return stuck.find((s) => !escapes.has(s));
}
