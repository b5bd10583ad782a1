// One partition of the partitioned search: the states it owns (a StateSet), the expansion of its
// part of each level, and the interning of the successors other partitions send it. A level runs
// in rounds, each an all-to-all exchange ended by an end mark from every partition (the barrier):
//   successors — every state of the level sends its successors to their owners; under POR a
//     state with an ample step sends that step alone, as a probe;
//   probe answers — an owner answers each probe whose successor lies in an earlier level (the
//     proviso fails: the state is expanded fully); a successor in this level or new is taken;
//   full expansion — the states whose probe failed send all their successors.
// The proviso "the ample successor is not in an earlier level" is the sequential search's too
// (bfs.ts): every reduced step goes one level deeper, so every cycle of the reduced graph has a
// fully expanded state, and which states are reduced does not depend on who expands first.
import { DISABLED, OK, type TransitionSystem } from '../../compile/index.js';
import { Column, stateSet, type StateSet } from '../states.js';
import { actionHead, RECORD_HEAD, STEP_FAILURES, type SuccessorWriter } from '../successors.js';
import type { PartitionOf } from './key.js';
import {
  BATCH, discoveryKey, ENTRY, eventKey, keyAction, keyParent, keyProbe, PROBE, ROUND, STUCK, type CutDone, type LevelDone, type LevelEvent,
} from './protocol.js';

export interface PeerMessage {
  readonly from: number;
  readonly depth: number;
  readonly round: number;
  /** Entries (or probe answers); undefined for the end of the sender's round. */
  readonly data?: Int32Array;
  readonly count: number;
}

/** How partitions reach each other (worker threads: message ports; processes: NATS). */
export interface Peers {
  readonly self: number;
  readonly count: number;
  /** Sends `count` items of `data` (undefined: the end of this round) to partition `to`. */
  send(to: number, depth: number, round: number, data: Int32Array | undefined, count: number): void;
  /** The next message from another partition, waiting for one when `wait`; throws SearchAborted when the search was stopped. */
  receive(wait: boolean): PeerMessage | undefined;
  /** True when the coordinator asked the search to stop. */
  aborted(): boolean;
}

export class SearchAborted extends Error {}

/** States expanded between two looks at the incoming messages and the abort flag. */
const SLICE = 256;

export class Partition {
  readonly states: StateSet;
  /** Local index → global number (-1: a candidate the state limit left out). */
  private readonly global = new Column(true);
  private frontier = new Int32Array(0);
  private frontierCount = 0;
  private candStart = 0;
  private candKey = new Float64Array(1024);
  private candFailing = new Int32Array(1024);
  private edges = new Uint16Array(0);
  private levelStart = 0;
  private depth = 0;
  private finished = 0;
  private readonly best = new Map<number, LevelEvent>();
  private stuck: number[] = [];
  private stuckEdges: number[] = [];
  /** Probe answers to send, per partition: the local indices of its states whose probe failed. */
  private answers: number[][];
  private failed: number[] = [];
  private readonly out: Int32Array[];
  private readonly outCount: Int32Array;
  private readonly entrySize: number;
  private readonly pending: PeerMessage[] = [];
  private sentChunks = 0;
  private readonly record: Int32Array;
  private readonly state: Int32Array;
  private readonly head: number;
  private readonly per: number;
  /** Per action of the state being expanded: the partition owning its successor. */
  private readonly owners: Int32Array;

  constructor(private readonly ts: TransitionSystem, private readonly writer: SuccessorWriter, private readonly owner: PartitionOf,
    private readonly peers: Peers, private readonly por: boolean, shared: boolean,
    /** Property of each bit of a successor's `failing` mask. */
    private readonly checks: readonly number[]) {
    this.states = stateSet(ts.slotRange, { shared });
    this.entrySize = ENTRY.words + this.states.words;
    // Successors this partition owns are interned from the record: no batch for itself.
    this.out = Array.from({ length: peers.count }, (_, i) => new Int32Array(i === peers.self ? 0 : BATCH * this.entrySize));
    this.outCount = new Int32Array(peers.count);
    this.answers = Array.from({ length: peers.count }, () => []);
    this.record = new Int32Array(writer.recordSize);
    this.state = new Int32Array(ts.stateSize);
    this.head = actionHead(ts);
    this.per = this.head + this.states.words;
    this.owners = new Int32Array(ts.actions.length);
  }

  /** Stores initial states: entries [global number, hash, packed words...]. */
  seed(entries: Int32Array): void {
    const words = this.states.words;
    for (let at = 0; at < entries.length; at += 2 + words) {
      const r = this.states.intern(entries, at + 2, entries[at + 1]!);
      this.global.set(r < 0 ? ~r : r, entries[at]!);
      if (r >= 0) this.pushFrontier(r);
    }
    this.candStart = this.states.count;
  }

  private pushFrontier(local: number): void {
    if (this.frontierCount === this.frontier.length) {
      const f = new Int32Array(Math.max(1024, this.frontier.length * 2));
      f.set(this.frontier);
      this.frontier = f;
    }
    this.frontier[this.frontierCount++] = local;
  }

  /** Expands this partition's states of level `depth` (global numbers from `start`, `width` in all). */
  level(depth: number, start: number, width: number): LevelDone {
    this.depth = depth;
    this.levelStart = start;
    this.edges = new Uint16Array(width);
    this.finished = 0;
    this.best.clear();
    this.stuck = [];
    this.stuckEdges = [];
    this.failed = [];
    this.candStart = this.states.count;
    this.beginRound(ROUND.successors);
    for (let i = 0; i < this.frontierCount; i++) {
      if ((i & (SLICE - 1)) === 0) this.poll();
      this.expand(this.frontier[i]!, !this.por);
    }
    this.endRound();
    if (this.por) {
      this.beginRound(ROUND.probeAnswers);
      for (let to = 0; to < this.peers.count; to++) {
        const a = this.answers[to]!;
        if (to === this.peers.self) this.failed.push(...a);
        else if (a.length) this.peers.send(to, depth, ROUND.probeAnswers, Int32Array.from(a), a.length);
        this.answers[to] = [];
      }
      this.endRound();
      const failed = this.failed.sort((a, b) => a - b);
      this.beginRound(ROUND.fullAfterProbe);
      for (let i = 0; i < failed.length; i++) {
        if ((i & (SLICE - 1)) === 0) this.poll();
        this.expand(failed[i]!, true);
      }
      this.endRound();
    }
    return this.report();
  }

  /** Local index → global number of this level's candidates (by rank); the next frontier. */
  numbers(numbers: Int32Array): void {
    this.frontierCount = 0;
    for (let i = 0; i < numbers.length; i++) {
      this.global.set(this.candStart + i, numbers[i]!);
      if (numbers[i]! >= 0) this.pushFrontier(this.candStart + i);
    }
  }

  /** Figures for a level cut by the state limit at a state first reached from `parent`. */
  cut(parent: number, lookups: Int32Array): CutDone {
    let transitionsBefore = 0;
    for (let p = this.levelStart; p < parent; p++) transitionsBefore += this.edges[p - this.levelStart]!;
    // This level's own states up to the parent. Not the frontier: numbers() has already replaced
    // it by the next level's (a cut level's finished states were missed that way).
    let finishedUpTo = 0;
    for (let local = 0; local < this.candStart; local++) {
      const g = this.global.get(local);
      if (g < this.levelStart || g > parent) continue;
      this.states.load(local, this.state);
      if (this.ts.finished(this.state)) finishedUpTo++;
    }
    let stored = 0;
    for (let at = 0; at < lookups.length; at += this.entrySize) {
      const r = this.states.find(lookups, at + ENTRY.words, lookups[at + ENTRY.hash]!);
      if (r >= 0) {
        const g = this.global.get(r);
        if (g >= 0 && g !== parent) stored++;
      }
    }
    return { t: 'cut', transitionsBefore, finishedUpTo, stored };
  }

  /** Writes the successor at record offset `a` as an entry at `out[at]` (also for the coordinator's look-ups). */
  entryOf(record: Int32Array, a: number, out: Int32Array, at: number, parent: number, action: number, flags: number): void {
    out[at + ENTRY.parent] = parent;
    out[at + ENTRY.action] = action | (flags << 16);
    out[at + ENTRY.failing] = record[a + 2]!;
    out[at + ENTRY.hash] = record[a + 1]!;
    out[at + ENTRY.parentLocal] = -1;
    // A loop, not set(subarray): a subarray is an allocation per successor sent.
    for (let w = 0, from = a + this.head, to = at + ENTRY.words; w < this.states.words; w++) out[to + w] = record[from + w]!;
  }

  private expand(local: number, full: boolean): void {
    const { ts, record: buf } = this;
    const p = this.global.get(local);
    this.states.load(local, this.state);
    this.writer.write(this.state, buf, 0);
    const ncpu = ts.cpuActions;
    const actions = ts.actions.length;
    // Counted once: in the first round (a state whose probe failed is expanded again).
    if (!full || !this.por) if (buf[0] === 1) this.finished++;
    const ample = buf[1]!;
    if (!full && ample >= 0) {
      const a = RECORD_HEAD + ample * this.per;
      if (buf[a] === OK) {
        this.stepEvents(a, p, ample, 0);
        this.send(this.owner(buf, a + this.head), a, p, ample, PROBE, local);
        return;
      }
    }
    this.full(local, p, ncpu, actions);
  }

  private full(local: number, p: number, ncpu: number, actions: number): void {
    const buf = this.record;
    const owners = this.owners;
    // Owners first, touching the table entries of the successors this partition keeps: their
    // cache misses overlap instead of coming one per intern.
    for (let c = 0; c < actions; c++) {
      const a = RECORD_HEAD + c * this.per;
      if (buf[a] !== OK) continue;
      const to = this.owner(buf, a + this.head);
      owners[c] = to;
      if (to === this.peers.self) this.states.touch(buf[a + 1]!);
    }
    let progress = false;
    for (let c = 0; c < ncpu; c++) {
      const a = RECORD_HEAD + c * this.per;
      const code = buf[a]!;
      if (code === DISABLED) continue;
      progress = true;
      if (code === OK) { this.stepEvents(a, p, c, 1 + c); this.send(owners[c]!, a, p, c, 0, local); } else this.event(code - 1, eventKey(p, 1 + c, false), p, false, c);
    }
    const stuck = !progress && buf[0] === 0;
    if (stuck) this.stuck.push(p);
    for (let h = ncpu; h < actions; h++) {
      const a = RECORD_HEAD + h * this.per;
      const code = buf[a]!;
      if (code === DISABLED) continue;
      if (code !== OK) { this.event(code - 1, eventKey(p, 1 + h, false), p, false, h); continue; }
      this.stepEvents(a, p, h, 1 + h);
      this.send(owners[h]!, a, p, h, stuck ? STUCK : 0, local);
    }
  }

  /** The asserts and access properties the step at record offset `a` broke while completing. */
  private stepEvents(a: number, p: number, action: number, position: number): void {
    const words = this.head - STEP_FAILURES;
    for (let w = 0; w < words; w++) {
      let bits = this.record[a + STEP_FAILURES + w]!;
      for (let bit = 0; bits; bits >>>= 1, bit++) {
        if (!(bits & 1)) continue;
        const check = w * 32 + bit;
        this.event(this.ts.stepChecks[check]!, eventKey(p, position, false), p, false, action, check);
      }
    }
  }

  private event(prop: number, key: number, state: number, candidate: boolean, action?: number, brokenCheck?: number): void {
    const b = this.best.get(prop);
    if (!b || key < b.key) this.best.set(prop, { prop, key, state, candidate, action, brokenCheck });
  }

  /** Interns the successor at record offset `a` here when this partition owns it, else adds it to the batch for its owner. */
  private send(to: number, a: number, p: number, action: number, flags: number, local: number): void {
    const rec = this.record;
    if (to === this.peers.self) { this.intern(rec, a + this.head, rec[a + 1]!, rec[a + 2]!, p, action, flags, local, to); return; }
    const out = this.out[to]!;
    const n = this.outCount[to]!;
    const at = n * this.entrySize;
    this.entryOf(rec, a, out, at, p, action, flags);
    out[at + ENTRY.parentLocal] = local;
    this.outCount[to] = n + 1;
    if (n + 1 === BATCH) this.flush(to);
  }

  private flush(to: number): void {
    const n = this.outCount[to]!;
    if (n === 0) return;
    this.peers.send(to, this.depth, this.currentRound, this.out[to]!, n);
    // The buffer went to the peer (transferred or copied): start a new one.
    this.out[to] = new Int32Array(BATCH * this.entrySize);
    this.outCount[to] = 0;
  }

  private currentRound: number = ROUND.successors;
  /** Partitions (this one included) that have ended the current round. */
  private ended = 1;

  /**
   * Interns one successor (packed at `src[at]`) of state `p` (local index `parentLocal` in
   * partition `from`), reached by `action`.
   */
  private intern(src: Int32Array, at: number, hash: number, failing: number, p: number, action: number, flags: number, parentLocal: number, from: number): void {
    const r = this.states.intern(src, at, hash);
    let target: number;
    if (r >= 0) {
      const rank = r - this.candStart;
      this.growCandidates(rank);
      this.candKey[rank] = discoveryKey(p, action, (flags & PROBE) !== 0);
      this.candFailing[rank] = failing;
      this.edges[p - this.levelStart]!++;
      target = ~rank;
    } else if (~r >= this.candStart) {
      const rank = ~r - this.candStart;
      const key = discoveryKey(p, action, (flags & PROBE) !== 0);
      if (key < this.candKey[rank]!) this.candKey[rank] = key;
      this.edges[p - this.levelStart]!++;
      target = ~rank;
    } else {
      target = this.global.get(~r);
      if (flags & PROBE) { this.answers[from]!.push(parentLocal); return; }
      if (target !== p) this.edges[p - this.levelStart]!++;
    }
    if (flags & STUCK && target !== p) this.stuckEdges.push(p, target);
  }

  private growCandidates(rank: number): void {
    if (rank < this.candKey.length) return;
    const keys = new Float64Array(this.candKey.length * 2);
    keys.set(this.candKey);
    this.candKey = keys;
    const failing = new Int32Array(this.candFailing.length * 2);
    failing.set(this.candFailing);
    this.candFailing = failing;
  }

  /** Starts `round`: takes what arrived for it early. */
  private beginRound(round: number): void {
    this.currentRound = round;
    this.ended = 1;
    for (let i = 0; i < this.pending.length;) {
      const m = this.pending[i]!;
      if (m.depth === this.depth && m.round === round) { this.pending.splice(i, 1); this.take(m); } else i++;
    }
  }

  /** Takes what has arrived (so batches do not pile up in the ports); stops on an abort. */
  private poll(): void {
    if (this.peers.aborted()) throw new SearchAborted();
    for (let m = this.peers.receive(false); m; m = this.peers.receive(false)) this.dispatch(m);
  }

  private dispatch(m: PeerMessage): void {
    if (m.depth === this.depth && m.round === this.currentRound) this.take(m); else this.pending.push(m);
  }

  private take(m: PeerMessage): void {
    if (!m.data) { this.ended++; return; }
    if (this.currentRound === ROUND.probeAnswers) { for (let i = 0; i < m.count; i++) this.failed.push(m.data[i]!); return; }
    const d = m.data;
    const size = this.entrySize;
    // Touching a batch's table entries first lets their cache misses overlap.
    for (let i = 0; i < m.count; i++) this.states.touch(d[i * size + ENTRY.hash]!);
    for (let at = 0, end = m.count * size; at < end; at += size) {
      const af = d[at + ENTRY.action]!;
      this.intern(d, at + ENTRY.words, d[at + ENTRY.hash]!, d[at + ENTRY.failing]!, d[at + ENTRY.parent]!, af & 0xffff, af >>> 16, d[at + ENTRY.parentLocal]!, m.from);
    }
  }

  /** Sends what is buffered and the end mark, then takes messages until every partition has ended the round. */
  private endRound(): void {
    for (let to = 0; to < this.peers.count; to++) {
      if (to === this.peers.self) continue;
      this.flush(to);
      this.peers.send(to, this.depth, this.currentRound, undefined, 0);
    }
    while (this.ended < this.peers.count) this.dispatch(this.peers.receive(true)!);
  }

  private report(): LevelDone {
    const count = this.states.count - this.candStart;
    const keys = this.candKey.slice(0, count);
    let transitions = 0;
    for (let i = 0; i < this.edges.length; i++) transitions += this.edges[i]!;
    const checks = this.checks;
    for (let rank = 0; rank < count; rank++) {
      let failing = this.candFailing[rank]!;
      if (!failing) continue;
      const key = keys[rank]!;
      const position = keyProbe(key) ? 0 : 1 + keyAction(key);
      const parent = keyParent(key);
      for (let bit = 0; failing; failing >>>= 1, bit++) if (failing & 1) this.event(checks[bit]!, eventKey(parent, position, true), rank, true);
    }
    const chunks = (this.states.sharedChunks ?? []).slice(this.sentChunks).map((c) => c.buffer as SharedArrayBuffer);
    this.sentChunks += chunks.length;
    return {
      t: 'done', keys, candStart: this.candStart, transitions, finished: this.finished, events: [...this.best.values()],
      stuck: this.stuck, stuckEdges: this.stuckEdges, chunks, bytes: this.bytes,
    };
  }

  /** Bytes of the store and of this partition's own columns. */
  get bytes(): number {
    return this.states.bytes + this.global.bytes + this.frontier.byteLength + this.candKey.byteLength + this.candFailing.byteLength + this.edges.byteLength;
  }
}
