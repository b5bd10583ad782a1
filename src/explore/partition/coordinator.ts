// The coordinator of the partitioned search: it stores the initial states with their owners,
// then runs the search one BFS level at a time. After a level, every partition reports the new
// states it owns with their discovery keys; the coordinator sorts them by key — the order in
// which the sequential search (bfs.ts) would have added them — numbers them, keeps the parent,
// action, owner and local index of each number, and takes each property's first event. The
// state limit is applied as the sequential search applies it: the states past it are left out,
// and the transitions, final states and violations are counted up to the state that hit it.
import type { TransitionSystem } from '../../compile/index.js';
import { resultOf, type ExploreOptions, type ExploreResult, type Limit } from '../bfs.js';
import { Monitors, stateChecks, MAX_STATE_CHECKS } from '../monitors.js';
import { makePacker } from '../pack.js';
import { Column, stateSet } from '../states.js';
import { actionHead, RECORD_HEAD, successorWriter } from '../successors.js';
import { symmetryOf } from '../symmetry.js';
import { OK } from '../../compile/index.js';
import { keyMasks, partitionOf } from './key.js';
import {
  eventParent, eventPosition, keyAction, keyParent, keyProbe, type CutDone, type LevelDone, type LevelEvent, type ToCoordinator, type ToPartition,
} from './protocol.js';

/** The coordinator's line to one partition (a worker thread or a process). */
export interface PartitionLink {
  post(m: ToPartition): void;
  /** The partition's next message; rejects, saying which partition and why, when it failed. */
  next(): Promise<ToCoordinator>;
}

/** Where the coordinator reads a stored state: partition `owner`'s local state `local`. */
export type LoadState = (owner: number, local: number, out: Int32Array) => boolean;

export interface Coordination {
  /** Raises the partitions' abort flag (they leave the level they are in). */
  readonly abort: () => void;
  /** Shared chunks a partition reported (threads), for `load`. */
  readonly chunks?: (partition: number, chunks: readonly SharedArrayBuffer[]) => void;
  readonly load: LoadState;
}

export async function coordinate(ts: TransitionSystem, opts: ExploreOptions, links: readonly PartitionLink[], c: Coordination): Promise<ExploreResult> {
  const started = Date.now();
  const n = links.length;
  const checks = stateChecks(ts);
  if (!checks) throw new Error(`more than ${MAX_STATE_CHECKS} invariant and final properties: at most ${MAX_STATE_CHECKS} are supported`);
  if (ts.actions.length > 0xffff) throw new Error(`${ts.actions.length} actions: at most 65535 are supported`);
  const packer = makePacker(ts.slotRange);
  const symmetry = opts.symmetry ? symmetryOf(ts) : undefined;
  const writer = successorWriter(ts, packer, checks, symmetry, opts.por === true);
  const ownerOf = partitionOf(keyMasks(ts, packer), n);
  const monitors = new Monitors(ts, checks);
  const parent = new Column(true);
  const action = new Column(false);
  const owner = new Column(false);
  const local = new Column(true);
  const levelStart: number[] = [0];
  const maxStates = opts.maxStates ?? Infinity;
  const head = actionHead(ts);
  const words = packer.words;
  let count = 0;
  let transitions = 0;
  let finalStates = 0;
  let maxDepth = 0;
  let limit: Limit | undefined;
  let expansions = 0;

  // Stops raised from outside (a signal, the clock) reach the partitions through their flag.
  let stopped: Limit | undefined;
  const stop = (why: Limit) => { if (!stopped) { stopped = why; c.abort(); } };
  const onAbort = () => stop('interrupted');
  opts.signal?.addEventListener('abort', onAbort);
  if (opts.signal?.aborted) stop('interrupted');
  const timer = opts.timeLimitMs !== undefined && Number.isFinite(opts.timeLimitMs) ? setTimeout(() => stop('time'), opts.timeLimitMs) : undefined;
  const mainBytes = () => parent.bytes + action.bytes + owner.bytes + local.bytes;
  const partitionBytes = new Array<number>(n).fill(0);
  const storeBytes = () => mainBytes() + partitionBytes.reduce((a, b) => a + b, 0);
  try {
    // The initial states, as the sequential search adds them.
    const first = new Int32Array(writer.recordSize);
    const seen = stateSet(ts.slotRange);
    const seeds: number[][] = links.map(() => []);
    const owned = new Int32Array(n);
    for (const s of ts.initialStates()) {
      writer.writeReached(s, first, 0);
      if (count >= maxStates) { if (seen.find(first, head, first[1]!) < 0) { limit = 'states'; break; } continue; }
      const r = seen.intern(first, head, first[1]!);
      if (r < 0) continue;
      const o = ownerOf(first, head);
      parent.set(r, -1);
      action.set(r, 0);
      owner.set(r, o);
      local.set(r, owned[o]!++);
      seeds[o]!.push(r, first[1]!, ...first.subarray(head, head + words));
      if (first[2]) monitors.reached(r, first[2]!, 0);
      count++;
    }
    links.forEach((l, o) => l.post({ t: 'seed', entries: Int32Array.from(seeds[o]!) }));

    let start = 0;
    let width = count;
    // The first level is reported at once, then about four times a second.
    let lastProgress = started - 250;
    for (let depth = 0; width > 0 && !limit && !stopped; depth++) {
      for (const l of links) l.post({ t: 'level', depth, start, width });
      const replies = await Promise.all(links.map((l) => l.next()));
      if (replies.some((r) => r.t === 'aborted') || stopped) { limit = stopped ?? 'interrupted'; break; }
      const dones = replies as LevelDone[];
      expansions += n;
      dones.forEach((d, o) => { partitionBytes[o] = d.bytes; c.chunks?.(o, d.chunks); });
      const order = levelOrder(dones, start, width);
      const room = Math.max(0, maxStates - count);
      const keep = Math.min(order.total, room);
      const numbers = dones.map((d) => new Int32Array(d.keys.length).fill(-1));
      for (let k = 0; k < keep; k++) {
        const o = order.partition[k]!;
        const rank = order.rank[k]!;
        const key = dones[o]!.keys[rank]!;
        const g = count + k;
        parent.set(g, keyParent(key));
        action.set(g, keyAction(key));
        owner.set(g, o);
        local.set(g, dones[o]!.candStart + rank);
        numbers[o]![rank] = g;
      }
      links.forEach((l, o) => l.post({ t: 'numbers', numbers: numbers[o]! }));
      // Where the state limit cut this level: the parent of the first state left out.
      const cut = keep < order.total ? dones[order.partition[keep]!]!.keys[order.rank[keep]!]! : undefined;
      const cutParent = cut === undefined ? Infinity : keyParent(cut);
      const cutAtProbe = cut !== undefined && keyProbe(cut);
      const kept = (e: LevelEvent, o: number) => {
        if (e.candidate) return numbers[o]![e.state]! >= 0;
        const p = eventParent(e.key);
        return p < cutParent || (p === cutParent && (!cutAtProbe || eventPosition(e.key) === 0));
      };
      const events = dones.flatMap((d, o) => d.events.filter((e) => kept(e, o)).map((e) => ({ e, o }))).sort((a, b) => a.e.key - b.e.key);
      for (const { e, o } of events) {
        if (monitors.violations[e.prop]) continue;
        const state = e.candidate ? numbers[o]![e.state]! : e.state;
        monitors.violations[e.prop] = { state, depth: depth + 1, ...(e.action !== undefined ? { action: e.action } : {}), ...(e.brokenCheck !== undefined ? { brokenCheck: e.brokenCheck } : {}) };
      }
      if (cut === undefined) {
        for (const d of dones) { transitions += d.transitions; finalStates += d.finished; }
        stuckOf(dones, numbers, monitors);
      } else {
        const cuts = await cutLevel(cutParent, cutAtProbe);
        for (const r of cuts) { transitions += r.transitionsBefore + r.stored; finalStates += r.finishedUpTo; }
        limit = 'states';
      }
      if (keep > 0) maxDepth = depth + 1;
      count += keep;
      start += width;
      width = keep;
      levelStart.push(start);
      if (!limit && opts.memoryLimitBytes !== undefined && storeBytes() + process.memoryUsage().heapUsed > opts.memoryLimitBytes) limit = 'memory';
      const now = Date.now();
      if (opts.onProgress && now - lastProgress >= 250) {
        lastProgress = now;
        opts.onProgress({ states: count, transitions, depth: maxDepth, queue: width, elapsedMs: now - started });
      }
    }
    // Stopped between two levels: what was reached is whole levels.
    if (!limit && stopped && width > 0) limit = stopped;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (timer) clearTimeout(timer);
  }

  /** The cut parent's figures: its successors are looked up in their owners' stores. */
  async function cutLevel(p: number, atProbe: boolean): Promise<CutDone[]> {
    const lookups: number[][] = links.map(() => []);
    if (!atProbe) {
      const state = new Int32Array(ts.stateSize);
      if (!c.load(owner.get(p), local.get(p), state)) throw new Error(`internal: state ${p} is not readable`);
      const rec = new Int32Array(writer.recordSize);
      writer.write(state, rec, 0);
      const per = head + words;
      for (let a = 0; a < ts.actions.length; a++) {
        const at = RECORD_HEAD + a * per;
        if (rec[at] !== OK) continue;
        const o = ownerOf(rec, at + head);
        lookups[o]!.push(p, a, rec[at + 2]!, rec[at + 1]!, -1, ...rec.subarray(at + head, at + per));
      }
    }
    links.forEach((l, o) => l.post({ t: 'cut', parent: p, lookups: Int32Array.from(lookups[o]!) }));
    return (await Promise.all(links.map((l) => l.next()))) as CutDone[];
  }

  const depthOf = (index: number) => {
    let d = levelStart.length - 1;
    while (levelStart[d]! > index) d--;
    return d;
  };
  monitors.finish(!limit, depthOf);
  const stored = {
    exact: true, missProbability: 0, words,
    get bytes() { return storeBytes(); },
    load: (i: number, out: Int32Array) => c.load(owner.get(i), local.get(i), out),
  };
  return resultOf(ts, stored, parent, action, {
    states: count, transitions, finalStates, depth: maxDepth, elapsedMs: Date.now() - started, limit,
    violations: monitors.violations, symmetry, workerBatches: expansions,
  });
}

interface LevelOrder {
  readonly total: number;
  /** Per position of the next level: the partition owning the state, and its rank there. */
  readonly partition: Uint16Array;
  readonly rank: Int32Array;
}

/** The new states of a level in discovery-key order: by parent (a counting sort), then by key within a parent. */
function levelOrder(dones: readonly LevelDone[], start: number, width: number): LevelOrder {
  const total = dones.reduce((n, d) => n + d.keys.length, 0);
  const at = new Int32Array(width + 1);
  for (const d of dones) for (const k of d.keys) at[keyParent(k) - start + 1]!++;
  for (let i = 0; i < width; i++) at[i + 1]! += at[i]!;
  const partition = new Uint16Array(total);
  const rank = new Int32Array(total);
  const keys = new Float64Array(total);
  dones.forEach((d, o) => d.keys.forEach((k, r) => {
    const pos = at[keyParent(k) - start]!++;
    partition[pos] = o; rank[pos] = r; keys[pos] = k;
  }));
  // Only the few children of one parent can be out of order.
  for (let i = 1; i < total; i++) {
    const k = keys[i]!; const o = partition[i]!; const r = rank[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > k; j--) { keys[j + 1] = keys[j]!; partition[j + 1] = partition[j]!; rank[j + 1] = rank[j]!; }
    keys[j + 1] = k; partition[j + 1] = o; rank[j + 1] = r;
  }
  return { total, partition, rank };
}

/** The level's stuck states and their hardware edges, for the deadlock check. */
function stuckOf(dones: readonly LevelDone[], numbers: readonly Int32Array[], monitors: Monitors): void {
  const edges = new Map<number, number[]>();
  for (const d of dones) for (const p of d.stuck) edges.set(p, []);
  dones.forEach((d, o) => {
    for (let i = 0; i < d.stuckEdges.length; i += 2) {
      const t = d.stuckEdges[i + 1]!;
      edges.get(d.stuckEdges[i]!)!.push(t < 0 ? numbers[o]![~t]! : t);
    }
  });
  for (const p of [...edges.keys()].sort((a, b) => a - b)) monitors.stuck(p, edges.get(p)!);
}
