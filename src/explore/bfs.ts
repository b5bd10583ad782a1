// Exhaustive breadth-first search over every interleaving of CPU and hardware steps. The loop
// interns successors in a StateSet (states.ts) and reports what it sees to the property monitors
// (monitors.ts); each property keeps its first violation, which BFS order makes a shortest one.
import { DISABLED, OK, type TransitionSystem } from '../compile/index.js';
import { Monitors, stateChecks, MAX_STATE_CHECKS, type Violation } from './monitors.js';
import { Column, internUpTo, stateSet, type StateSet, type StoreKind } from './states.js';
import { actionHead, RECORD_HEAD, STEP_FAILURES, successorWriter, type SuccessorWriter } from './successors.js';
import { symmetryOf, type Symmetry } from './symmetry.js';

export type { Violation } from './monitors.js';

export interface ExploreOptions {
  /** Stored states at most: a state past it is not stored and the search stops, inconclusive. */
  readonly maxStates?: number;
  readonly timeLimitMs?: number;
  /** Bytes the state store and the JS heap may hold together before the search stops, inconclusive. */
  readonly memoryLimitBytes?: number;
  /** Stops the search, inconclusive (`limit: 'interrupted'`); only exploreAsync can notice a signal sent from outside. */
  readonly signal?: AbortSignal;
  /** Reduce by permutations of identical CPUs (`cpu writer[3]`); off unless asked for. */
  readonly symmetry?: boolean;
  /**
   * Partial-order reduction: where a CPU's next step commutes with every other step, take it
   * alone (an ample set of one), if its successor lies in the next BFS level (the cycle proviso).
   * Keeps every verdict; a counterexample may be longer than the shortest. Off unless asked for.
   */
  readonly por?: boolean;
  /**
   * Hash compaction: tell states apart by a 64-bit fingerprint and keep a packed state only until
   * it is expanded. Uses less memory; may miss a state with the probability the result states.
   */
  readonly hashCompact?: boolean;
  /**
   * How the exact store keeps states: `exact` (default) their packed vectors, `compact` tree
   * compression (less memory where states share parts, slower interning); the same states,
   * numbers and results either way. One thread only; not with hashCompact.
   */
  readonly store?: StoreKind;
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

export type Limit = 'states' | 'time' | 'memory' | 'interrupted';

/** Successor evaluations between two looks at the clock, the memory and the signal. */
const CHECK_EVERY = 4096;
/** exploreAsync lets the event loop run (signals, timers) at least this often. */
const YIELD_EVERY_MS = 50;

/** How a stored state was reached: its stored initial state and the actions taken from there. */
export interface StatePath {
  /** The stored initial state (under symmetry, the representative of a real initial state). */
  readonly root: Int32Array;
  /** Actions from `root`, each leading to the next stored state of the path. */
  readonly actions: readonly number[];
}

export interface ExploreResult {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly elapsedMs: number;
  /** Set when a limit (or an interruption) stopped the search before every state was expanded. */
  readonly limit?: Limit;
  /** Expanded states in which every CPU has finished: where final properties were judged. */
  readonly finalStates: number;
  /** Per property (model order): the shortest violation found, if any. */
  readonly violations: readonly (Violation | undefined)[];
  /** Set when states were stored as symmetry representatives (traces must be replayed). */
  readonly symmetry?: Symmetry;
  /** Level expansions done by partitions of a parallel search (0 for a sequential search). */
  readonly workerBatches: number;
  readonly storage: {
    /** False under hash compaction: distinct states may have been merged. */
    readonly exact: boolean;
    readonly missProbability: number;
    /** Bytes of one packed state. */
    readonly packedBytes: number;
    /** Bytes held by the state set (states and their index). */
    readonly stateBytes: number;
    /** Bytes held by the state set, parent links and actions. */
    readonly bytes: number;
  };
  /** How stored state `index` was first reached. */
  path(index: number): StatePath;
  /** Stored state `index` unpacked; undefined when it is no longer held (hash compaction). */
  stateAt(index: number): Int32Array | undefined;
  /** The state `index` was first reached from (-1 for initial states), and by which action. */
  parentOf(index: number): number;
  actionOf(index: number): number;
  /**
   * Calls `visit` with every stored state, in order (`s` is reused between calls); false when the
   * states are not kept (hash compaction drops them once expanded).
   */
  scanStates(visit: (s: Int32Array, index: number) => void): boolean;
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
  source(states: StateSet, writer: SuccessorWriter): RecordSource;
}

const sequential = (ts: TransitionSystem): SearchHooks => ({
  shared: false,
  source: (states, writer) => {
    const buf = new Int32Array(writer.recordSize);
    const state = new Int32Array(ts.stateSize);
    const out = { buf, at: 0 };
    return { record: (cur) => { states.load(cur, state); writer.write(state, buf, 0); return out; } };
  },
});

export function explore(ts: TransitionSystem, opts: ExploreOptions = {}): ExploreResult {
  return search(ts, opts, sequential(ts));
}

/** explore, letting the event loop run every YIELD_EVERY_MS (so `opts.signal` can be raised by a signal handler). */
export function exploreAsync(ts: TransitionSystem, opts: ExploreOptions = {}): Promise<ExploreResult> {
  return searchAsync(ts, opts, sequential(ts));
}

export function search(ts: TransitionSystem, opts: ExploreOptions, hooks: SearchHooks): ExploreResult {
  const run = searching(ts, opts, hooks);
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
  }
}

export async function searchAsync(ts: TransitionSystem, opts: ExploreOptions, hooks: SearchHooks): Promise<ExploreResult> {
  const run = searching(ts, opts, hooks);
  let since = Date.now();
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
    if (Date.now() - since >= YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      since = Date.now();
    }
  }
}

/** The search, pausing (yield) every CHECK_EVERY successor evaluations. */
function* searching(ts: TransitionSystem, opts: ExploreOptions, hooks: SearchHooks): Generator<void, ExploreResult> {
  const start = Date.now();
  const ncpu = ts.cpuActions;
  const actions = ts.actions.length;
  if (actions > 0xffff) throw new Error(`${actions} actions: at most 65535 are supported`);
  const checks = stateChecks(ts);
  if (!checks) throw new Error(`more than ${MAX_STATE_CHECKS} invariant and final properties: at most ${MAX_STATE_CHECKS} are supported`);
  const states = stateSet(ts.slotRange, { shared: hooks.shared, fingerprints: opts.hashCompact === true, store: opts.store });
  const symmetry = opts.symmetry ? symmetryOf(ts) : undefined;
  const writer = successorWriter(ts, states.packer, checks, symmetry, opts.por === true);
  const monitors = new Monitors(ts, checks);
  const head = actionHead(ts);
  const per = head + states.words;
  const failureWords = head - STEP_FAILURES;
  const parent = new Column(true);
  const action = new Column(false);
  const levelStart: number[] = [0];
  let transitions = 0;
  let finalStates = 0;
  let maxDepth = 0;
  let limit: ExploreResult['limit'];
  const maxStates = Math.min(opts.maxStates ?? Infinity, states.capacity);
  const memoryLimit = opts.memoryLimitBytes ?? Infinity;
  const storeBytes = () => states.bytes + parent.bytes + action.bytes;
  const onProgress = opts.onProgress;
  let lastProgress = start;
  const reportProgress = (cur: number) => {
    const now = Date.now();
    if (now - lastProgress < 250) return;
    lastProgress = now;
    onProgress!({ states: states.count, transitions, depth: maxDepth, queue: states.count - cur, elapsedMs: now - start });
  };
  const depthOf = (index: number) => {
    let d = levelStart.length - 1;
    while (levelStart[d]! > index) d--;
    return d;
  };
  /**
   * Interns the successor packed at `buf[at]`: its index, bookkeeping done when it is new; -1
   * (and the state limit) when it is new but the store is full.
   */
  const add = (buf: Int32Array, at: number, from: number, act: number, depth: number): number => {
    // A step that broke an assert or access property completed: judge it, then go on from its result.
    for (let w = 0; w < failureWords; w++) if (buf[at + STEP_FAILURES + w]) monitors.stepsBroke(w, buf[at + STEP_FAILURES + w]!, from, act, depth - 1);
    const r = internUpTo(states, buf, at, head, maxStates);
    if (r === undefined) { limit = 'states'; return -1; }
    if (r < 0) return ~r;
    if (depth > maxDepth) maxDepth = depth;
    parent.set(r, from);
    action.set(r, act);
    if (buf[at + 2]) monitors.reached(r, buf[at + 2]!, depth);
    return r;
  };

  const first = new Int32Array(per);
  for (const s of ts.initialStates()) {
    writer.writeReached(s, first, 0);
    add(first, 0, -1, 0, 0);
  }
  states.keep(states.count);
  const source = hooks.source(states, writer);
  let depth = 0;
  let nextLevel = states.count;
  // Successor evaluations since the limits were last looked at: a state of a large model is
  // worth many states of a small one.
  let work = 0;
  let looks = 0;
  for (let cur = 0; cur < states.count && !limit; cur++) {
    if (cur === nextLevel) { depth++; levelStart.push(cur); nextLevel = states.count; }
    work += actions;
    if (work >= CHECK_EVERY) {
      work = 0;
      if (opts.signal?.aborted) { limit = 'interrupted'; break; }
      if (opts.timeLimitMs !== undefined && Date.now() - start > opts.timeLimitMs) { limit = 'time'; break; }
      // Reading the heap size takes some microseconds: every 16th look (65 536 evaluations) is enough.
      if (memoryLimit !== Infinity && (++looks & 15) === 0 && storeBytes() + process.memoryUsage().heapUsed > memoryLimit) { limit = 'memory'; break; }
      if (onProgress !== undefined) reportProgress(cur);
      states.expanded(cur);
      yield;
      if (opts.signal?.aborted) { limit = 'interrupted'; break; }
    }
    const { buf, at } = source.record(cur, states.count);
    for (let a = at + RECORD_HEAD, end = a + actions * per; a < end; a += per) if (buf[a] === OK) states.touch(buf[a + 1]!);
    if (buf[at] === 1) finalStates++;
    const ample = buf[at + 1]!;
    if (ample >= 0) {
      // POR: the ample step alone, if its successor is in the next level (the cycle proviso).
      const a = at + RECORD_HEAD + ample * per;
      if (buf[a] === OK) {
        // The proviso: the successor is not in an earlier level (it is new, or already reached in
        // the next one). Every reduced step goes one level deeper, so every cycle of the reduced
        // graph has a fully expanded state; and the reduced graph does not depend on the order a
        // level is expanded in, which the partitioned search (partition/) needs.
        const next = add(buf, a, cur, ample, depth + 1);
        if (next >= nextLevel) { transitions++; continue; }
        if (limit) break;
      }
    }
    let progress = false;
    for (let c = 0; c < ncpu; c++) {
      const a = at + RECORD_HEAD + c * per;
      const code = buf[a]!;
      if (code === DISABLED) continue;
      progress = true;
      if (code === OK) { const next = add(buf, a, cur, c, depth + 1); if (next >= 0 && next !== cur) transitions++; } else monitors.stepFailed(code, cur, c, depth);
    }
    // Only stuck states (no CPU can step) need their hardware edges, for the deadlock check.
    const edges = !progress && buf[at] === 0 ? [] as number[] : undefined;
    for (let h = ncpu; h < actions; h++) {
      const a = at + RECORD_HEAD + h * per;
      const code = buf[a]!;
      if (code === DISABLED) continue;
      if (code !== OK) { monitors.stepFailed(code, cur, h, depth); continue; }
      const next = add(buf, a, cur, h, depth + 1);
      if (next >= 0 && next !== cur) {
        transitions++;
        edges?.push(next);
      }
    }
    if (edges && !limit) monitors.stuck(cur, edges);
  }
  monitors.finish(!limit, depthOf);
  return resultOf(ts, states, parent, action, {
    states: states.count, transitions, finalStates, depth: maxDepth, elapsedMs: Date.now() - start, limit,
    violations: monitors.violations, symmetry, workerBatches: source.workerBatches?.() ?? 0,
  });
}

export type Figures = Pick<ExploreResult, 'states' | 'transitions' | 'finalStates' | 'depth' | 'elapsedMs' | 'limit' | 'violations' | 'symmetry' | 'workerBatches'>;

/** What a result reads from the store (a StateSet, or the partitions' stores: partition/coordinator.ts). */
export type StoredStates = Pick<StateSet, 'load' | 'exact' | 'missProbability' | 'words' | 'bytes'>;

/** The result: figures, and paths read from the parent and action columns. */
export function resultOf(ts: TransitionSystem, states: StoredStates, parent: Column, action: Column, f: Figures): ExploreResult {
  const stateAt = (index: number) => {
    const out = new Int32Array(ts.stateSize);
    return states.load(index, out) ? out : undefined;
  };
  return {
    ...f,
    storage: { exact: states.exact, missProbability: states.missProbability, packedBytes: states.words * 4, stateBytes: states.bytes, bytes: states.bytes + parent.bytes + action.bytes },
    path: (index) => {
      const chain: number[] = [];
      for (let i = index; i >= 0; i = parent.get(i)) chain.unshift(i);
      const root = stateAt(chain[0]!);
      if (!root) throw new Error(`internal: initial state ${chain[0]} is no longer stored`);
      return { root, actions: chain.slice(1).map((i) => action.get(i)) };
    },
    stateAt,
    parentOf: (i) => parent.get(i),
    actionOf: (i) => action.get(i),
    scanStates: (visit) => {
      if (!states.exact) return false;
      const s = new Int32Array(ts.stateSize);
      for (let i = 0; i < f.states; i++) { states.load(i, s); visit(s, i); }
      return true;
    },
  };
}
