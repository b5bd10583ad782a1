// Exhaustive breadth-first search over every interleaving of CPU and hardware steps. Each
// property keeps its first violation, which BFS order makes a shortest one.
import { DISABLED, OK, type TransitionSystem } from '../compile/index.js';
import { Column, StateStore } from './store.js';
import { ACTION_HEAD, RECORD_HEAD, successorWriter, type SuccessorWriter } from './successors.js';
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
  /**
   * Hash compaction: tell states apart by a 64-bit fingerprint and keep a packed state only until
   * it is expanded. Uses less memory; may miss a state with the probability the result states.
   */
  readonly hashCompact?: boolean;
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
  /** Batches of successor records computed by worker threads (0 for a sequential search). */
  readonly workerBatches: number;
}

/** Where the search gets each state's successor record (successors.ts) from. */
export interface RecordSource {
  /** The record of stored state `cur`; every state below `count` is stored. */
  record(cur: number, count: number): { readonly buf: Int32Array; readonly at: number };
  /** Batches of records other threads computed (parallel search). */
  readonly workerBatches?: () => number;
}

/** How a search is run: sequentially (explore) or with workers (parallel.ts). */
export interface SearchHooks {
  /** Store states in shared memory, for workers to read. */
  readonly shared: boolean;
  source(store: StateStore, writer: SuccessorWriter): RecordSource;
}

/** Actions: 0..cpus-1 is a CPU's step; cpus + i is hardware action i. */
export function explore(ts: TransitionSystem, opts: ExploreOptions = {}): ExploreResult {
  return search(ts, opts, {
    shared: false,
    source: (store, writer) => {
      const buf = new Int32Array(writer.recordSize);
      const state = new Int32Array(ts.stateSize);
      const out = { buf, at: 0 };
      return { record: (cur) => { store.load(cur, state); writer.write(state, buf, 0); return out; } };
    },
  });
}

export function search(ts: TransitionSystem, opts: ExploreOptions, hooks: SearchHooks): ExploreResult {
  const start = Date.now();
  const m = ts.model;
  const ncpu = m.cpus.length;
  const actions = ncpu + ts.hardware.length;
  if (actions > 0xffff) throw new Error(`${actions} actions: at most 65535 are supported`);
  if (opts.hashCompact && hooks.shared) throw new Error('hash compaction runs on one thread');
  const store = new StateStore(ts.slotRange, hooks.shared, opts.hashCompact === true);
  const symmetry = opts.symmetry ? symmetryOf(ts) : undefined;
  const writer = successorWriter(ts, store.packer, symmetry, opts.por === true);
  if (!writer) throw new Error('more than 31 invariant and final properties: at most 31 are supported');
  const per = ACTION_HEAD + store.words;
  const parent = new Column(true);
  const action = new Column(false);
  const levelStart: number[] = [0];
  const violations: (Violation | undefined)[] = m.properties.map(() => undefined);
  const deadlockProp = m.properties.findIndex((p) => p.name === 'deadlock');
  const stuck: number[] = [];
  const stuckEdges = new Map<number, number[]>();
  const { stateProps } = writer;
  let transitions = 0;
  let maxDepth = 0;
  let limit: ExploreResult['limit'];
  const maxStates = opts.maxStates ?? Infinity;
  const onProgress = opts.onProgress;
  let lastProgress = start;
  const reportProgress = (cur: number) => {
    const now = Date.now();
    if (now - lastProgress < 250) return;
    lastProgress = now;
    onProgress!({ states: store.count, transitions, depth: maxDepth, queue: store.count - cur, elapsedMs: now - start });
  };
  const depthOf = (index: number) => {
    let d = levelStart.length - 1;
    while (levelStart[d]! > index) d--;
    return d;
  };
  /** Interns the successor packed at `buf[at]`: its index, bookkeeping done when it is new. */
  const add = (buf: Int32Array, at: number, from: number, act: number, depth: number): number => {
    const r = store.internPacked(buf, at + ACTION_HEAD, buf[at + 1]!);
    if (r < 0) return ~r;
    if (depth > maxDepth) maxDepth = depth;
    parent.set(r, from);
    action.set(r, act);
    for (let failing = buf[at + 2]!, bit = 0; failing; failing >>>= 1, bit++) {
      const prop = stateProps[bit]!;
      if (failing & 1 && !violations[prop]) violations[prop] = { state: r, depth };
    }
    return r;
  };
  const stepViolation = (code: number, cur: number, act: number, depth: number) => {
    if (!violations[code - 1]) violations[code - 1] = { state: cur, action: act, depth: depth + 1 };
  };

  const first = new Int32Array(per);
  for (const s of ts.initialStates()) {
    if (store.count >= maxStates) { limit = 'states'; break; }
    writer.writeReached(s, first, 0);
    add(first, 0, -1, 0, 0);
  }
  store.keep(store.count);
  const source = hooks.source(store, writer);
  let depth = 0;
  let nextLevel = store.count;
  for (let cur = 0; cur < store.count && !limit; cur++) {
    if (cur === nextLevel) { depth++; levelStart.push(cur); nextLevel = store.count; }
    if ((cur & 1023) === 0) {
      if (opts.timeLimitMs !== undefined && Date.now() - start > opts.timeLimitMs) { limit = 'time'; break; }
      if (onProgress !== undefined) reportProgress(cur);
      store.release(cur);
    }
    const { buf, at } = source.record(cur, store.count);
    const ample = buf[at + 1]!;
    if (ample >= 0) {
      // POR: the ample step alone, if its successor is new (the cycle proviso).
      const a = at + RECORD_HEAD + ample * per;
      if (buf[a] === OK) {
        const before = store.count;
        add(buf, a, cur, ample, depth + 1);
        if (store.count > before) { transitions++; continue; }
      }
    }
    let progress = false;
    for (let c = 0; c < ncpu; c++) {
      const a = at + RECORD_HEAD + c * per;
      const code = buf[a]!;
      if (code === DISABLED) continue;
      progress = true;
      if (code === OK) { if (add(buf, a, cur, c, depth + 1) !== cur) transitions++; } else stepViolation(code, cur, c, depth);
    }
    // Only stuck states (no CPU can step) need their hardware edges, for the deadlock check.
    const edges = !progress && buf[at] === 0 ? [] as number[] : undefined;
    for (let h = ncpu; h < actions; h++) {
      const a = at + RECORD_HEAD + h * per;
      const code = buf[a]!;
      if (code === DISABLED) continue;
      if (code !== OK) { stepViolation(code, cur, h, depth); continue; }
      const next = add(buf, a, cur, h, depth + 1);
      if (next !== cur) {
        transitions++;
        edges?.push(next);
      }
    }
    if (edges) { stuck.push(cur); stuckEdges.set(cur, edges); }
    if (store.count >= maxStates && cur + 1 < store.count) limit = 'states';
  }
  if (!limit && deadlockProp >= 0) {
    const dead = deadlocks(stuck, stuckEdges);
    if (dead !== undefined) violations[deadlockProp] = { state: dead, depth: depthOf(dead) };
  }
  return { states: store.count, transitions, depth: maxDepth, elapsedMs: Date.now() - start, limit, violations, store, parent, action, symmetry, workerBatches: source.workerBatches?.() ?? 0 };
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
