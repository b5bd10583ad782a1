// The coordinating side of a distributed search (`dirtyrace check --distributed URL --partitions
// N`): the same coordinator as the threaded search (partition/coordinator.ts), talking to N
// partition processes over NATS. It keeps the states each partition ships per level, so traces,
// coverage and the state limit read them as they read a thread's shared chunks. A partition
// process that stops (no heartbeat for DEAD_AFTER_MS, or a failure it reports) fails the search:
// no verdict is given over a partial search.
import type { TransitionSystem } from '../../compile/index.js';
import type { ExploreOptions, ExploreResult } from '../bfs.js';
import { makePacker } from '../pack.js';
import { reusable, searchPartitions, type ScenarioSource } from '../parallel.js';
import type { PartitionLink } from '../partition/coordinator.js';
import type { ToCoordinator, ToPartition } from '../partition/protocol.js';
import { CHUNK, loadFrom } from '../states.js';
import { Bus } from './bus.js';
import { COORDINATOR, DEAD_AFTER_MS, HEARTBEAT_MS, SearchFailure, SUBJECT, type FromProcess, type ToProcess } from './protocol.js';

export interface Distributed {
  /** The NATS server, `nats://host:port`. */
  readonly url: string;
  /** Subjects are `dirtyrace.RUN.*`: several runs can share a server. */
  readonly run: string;
  readonly partitions: number;
}

/** How long the first search waits for every partition process to be heard from. */
const JOIN_MS = Number(process.env.DIRTYRACE_WORKER_JOIN_MS ?? 60_000);

/** A partition's packed states, by local index, in the chunk layout loadFrom reads. */
class Mirror {
  readonly chunks: Uint32Array[] = [];
  constructor(private readonly words: number) {}
  set(local: number, words: ArrayLike<number>, from = 0): void {
    const c = Math.floor(local / CHUNK);
    while (this.chunks.length <= c) this.chunks.push(new Uint32Array(CHUNK * this.words));
    const base = (local % CHUNK) * this.words;
    for (let w = 0; w < this.words; w++) this.chunks[c]![base + w] = words[from + w]!;
  }
}

/** One coordinator's connection to its partition processes, kept for every search of a run. */
class Session {
  readonly seen: number[];
  private readonly queues: ToCoordinator[][];
  private readonly waiting: { resolve: (m: ToCoordinator) => void; reject: (e: Error) => void }[][];
  private failure: Error | undefined;
  onReport: (partition: number, m: FromProcess) => void = () => {};
  private readonly timer: NodeJS.Timeout;

  private constructor(readonly bus: Bus, readonly d: Distributed) {
    this.seen = new Array(d.partitions).fill(0);
    this.queues = Array.from({ length: d.partitions }, () => []);
    this.waiting = Array.from({ length: d.partitions }, () => []);
    this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  static async open(d: Distributed): Promise<Session> {
    const bus = await Bus.open(d.url, d.run);
    const s = new Session(bus, d);
    await bus.on(SUBJECT.alive, (from) => { if (from >= 0 && from < d.partitions) s.seen[from] = Date.now(); });
    for (let i = 0; i < d.partitions; i++) await bus.on(SUBJECT.report(i), (_, m: FromProcess) => s.receive(i, m));
    const started = Date.now();
    while (s.seen.some((t) => t === 0)) {
      if (Date.now() - started > JOIN_MS) {
        const missing = s.seen.flatMap((t, i) => (t === 0 ? [i] : []));
        await s.close();
        throw new SearchFailure(`no partition process answered for partition${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of run '${d.run}' on ${d.url} within ${JOIN_MS / 1000} s: start each with dirtyrace worker --distributed ${d.url} --run ${d.run} --partitions ${d.partitions} --partition I`);
      }
      bus.send(SUBJECT.alive, COORDINATOR, { t: 'alive' });
      await new Promise((r) => setTimeout(r, HEARTBEAT_MS));
    }
    return s;
  }

  private beat(): void {
    this.bus.send(SUBJECT.alive, COORDINATOR, { t: 'alive' });
    const now = Date.now();
    // A partition not heard from yet is waited for by open(), with its own limit.
    const dead = this.seen.findIndex((t) => t > 0 && now - t > DEAD_AFTER_MS);
    if (dead >= 0) this.fail(new SearchFailure(`partition ${dead} of run '${this.d.run}' sent no heartbeat for ${DEAD_AFTER_MS / 1000} s: its process stopped, and the search over the other partitions is abandoned`));
  }

  fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting) for (const p of w.splice(0)) p.reject(this.failure);
  }

  get failed(): Error | undefined { return this.failure; }

  private receive(i: number, m: FromProcess): void {
    if (m.t === 'failed') { this.fail(new SearchFailure(`partition ${i} of run '${this.d.run}' failed: ${m.message}`)); return; }
    this.onReport(i, m);
    const p = this.waiting[i]!.shift();
    if (p) p.resolve(m as ToCoordinator); else this.queues[i]!.push(m as ToCoordinator);
  }

  link(i: number): PartitionLink {
    return {
      post: (m: ToPartition) => this.post(i, m),
      next: () => {
        const m = this.queues[i]!.shift();
        if (m) return Promise.resolve(m);
        if (this.failure) return Promise.reject(this.failure);
        return new Promise((resolve, reject) => this.waiting[i]!.push({ resolve, reject }));
      },
    };
  }

  post(i: number, m: ToProcess): void { this.bus.send(SUBJECT.control(i), COORDINATOR, m); }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.bus.close().catch(() => {});
  }
}

const sessions = new Map<string, Session>();
const keyOf = (d: Distributed) => `${d.url} ${d.run} ${d.partitions}`;

/** The distributed search: the same states, numbering, verdicts and traces as one thread. */
export async function exploreDistributed(ts: TransitionSystem, scenario: ScenarioSource, opts: ExploreOptions & { distributed: Distributed }): Promise<ExploreResult> {
  const d = opts.distributed;
  let session = sessions.get(keyOf(d));
  if (session?.failed) throw session.failed;
  if (!session) { session = await Session.open(d); sessions.set(keyOf(d), session); }
  const s = session;
  const n = d.partitions;
  const packer = makePacker(ts.slotRange);
  const mirrors = Array.from({ length: n }, () => new Mirror(packer.words));
  s.onReport = (i, m) => {
    if (m.t !== 'done') return;
    const shipped = m as Extract<FromProcess, { states: Uint32Array }>;
    for (let k = 0; k < shipped.keys.length; k++) mirrors[i]!.set(shipped.candStart + k, shipped.states, k * shipped.words);
  };
  const links = Array.from({ length: n }, (_, i) => {
    const l = s.link(i);
    return {
      next: l.next,
      post: (m: ToPartition) => {
        // The seeds' states: [number, hash, packed words...] each, local indices in order.
        if (m.t === 'seed') for (let at = 0, k = 0; at < m.entries.length; at += 2 + packer.words, k++) mirrors[i]!.set(k, m.entries, at + 2);
        l.post(m);
      },
    };
  });
  let clean = false;
  try {
    const result = await searchPartitions(ts, scenario, opts, links, (i, start) => s.post(i, start), {
      abort: () => { for (let i = 0; i < n; i++) s.post(i, { t: 'abort' }); },
      load: (o, local, out) => { loadFrom(mirrors[o]!.chunks, packer, local, out); return true; },
    });
    clean = reusable(result);
    return result;
  } finally {
    if (clean) for (let i = 0; i < n; i++) s.post(i, { t: 'stop' });
    else {
      // Batches of a level left half done may still be on their way: these processes are not reused.
      s.fail(new SearchFailure(`the partition processes of run '${d.run}' were stopped with the search before: start them again`));
      await closeDistributed();
    }
  }
}

/** Tells every partition process of every run to exit, and closes the connections. */
export async function closeDistributed(): Promise<void> {
  for (const [key, s] of sessions) {
    for (let i = 0; i < s.d.partitions; i++) s.post(i, { t: 'shutdown' });
    await s.bus.flush().catch(() => {});
    await s.close();
    sessions.delete(key);
  }
}
