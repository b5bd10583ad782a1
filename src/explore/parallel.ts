// Parallel search on worker threads: one partition (partition/partition.ts) per thread, each
// owning the states whose key hashes to it, exchanging successor batches through message ports;
// the main thread coordinates the levels (partition/coordinator.ts). States, their numbering,
// parents, transitions, violations and traces are those of the sequential search, whatever the
// thread count (the level order is the sequential order; see partition/protocol.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { CheckOptions } from '../check/index.js';
import type { TransitionSystem } from '../compile/index.js';
import { exploreAsync, type ExploreOptions, type ExploreResult } from './bfs.js';
import { makePacker } from './pack.js';
import { coordinate, type Coordination, type PartitionLink } from './partition/coordinator.js';
import type { ToCoordinator, ToPartition } from './partition/protocol.js';
import { loadFrom } from './states.js';

/** What a worker needs to build the same transition system: the scenario and how it was checked. */
export interface ScenarioSource {
  readonly path: string;
  readonly text: string;
  readonly check: CheckOptions;
}

export interface WorkerSetup {
  readonly self: number;
  readonly count: number;
  /** Per partition a doorbell word, then the abort flag. */
  readonly bells: SharedArrayBuffer;
  /** Per partition the port to it (none to itself). */
  readonly ports: readonly (MessagePort | undefined)[];
}

/** What starts a search on a worker (then the partition protocol runs until `stop`). */
export interface SearchStart {
  readonly t: 'start';
  readonly scenario: ScenarioSource;
  readonly symmetry: boolean;
  readonly por: boolean;
}

export const abortWord = (count: number) => count;

const workerFile = fileURLToPath(new URL('./worker.js', import.meta.url));

/** Worker threads wired to each other, kept between searches (starting one costs a module load and a grammar build). */
interface WorkerSet {
  readonly workers: readonly Worker[];
  readonly ring: Int32Array;
  readonly links: readonly PartitionLink[];
}

const idle = new Map<number, WorkerSet[]>();

function workerSet(count: number): WorkerSet {
  const reused = idle.get(count)?.pop();
  if (reused) { for (const w of reused.workers) w.ref(); return reused; }
  const bells = new SharedArrayBuffer((count + 1) * 4);
  const ring = new Int32Array(bells);
  const ports: (MessagePort | undefined)[][] = Array.from({ length: count }, () => new Array(count).fill(undefined));
  for (let i = 0; i < count; i++) {
    for (let j = i + 1; j < count; j++) {
      const ch = new MessageChannel();
      ports[i]![j] = ch.port1;
      ports[j]![i] = ch.port2;
    }
  }
  const workers = ports.map((mine, self) => {
    const workerData: WorkerSetup = { self, count, bells, ports: mine };
    return new Worker(workerFile, { workerData, transferList: mine.filter((p): p is MessagePort => p !== undefined) });
  });
  return { workers, ring, links: workers.map((w, i) => threadLink(w, i, ring)) };
}

export async function exploreParallel(ts: TransitionSystem, scenario: ScenarioSource, opts: ExploreOptions & { threads: number }): Promise<ExploreResult> {
  if (opts.store === 'compact') throw new Error('the compact store runs on one thread: threads share exact stores');
  // Run from the TypeScript sources (vitest), there is no compiled worker to start: the
  // sequential search gives the same result. test/explore/parallel.test.ts uses the build.
  if (!existsSync(workerFile)) return exploreAsync(ts, opts);
  const count = Math.max(1, opts.threads);
  const set = workerSet(count);
  const { workers, ring, links } = set;
  Atomics.store(ring, abortWord(count), 0);
  const chunks: Uint32Array[][] = workers.map(() => []);
  const packer = makePacker(ts.slotRange);
  let clean = false;
  try {
    const result = await searchPartitions(ts, scenario, opts, links, (i, start) => tell(workers[i]!, i, ring, start), {
      abort: () => { Atomics.store(ring, abortWord(count), 1); for (let i = 0; i < count; i++) { Atomics.add(ring, i, 1); Atomics.notify(ring, i); } },
      chunks: (o, added) => { for (const c of added) chunks[o]!.push(new Uint32Array(c)); },
      load: (o, local, out) => { loadFrom(chunks[o]!, packer, local, out); return true; },
    });
    clean = reusable(result);
    return result;
  } finally {
    if (clean) {
      for (const l of links) l.post({ t: 'stop' });
      for (const w of workers) w.unref();
      idle.set(count, [...(idle.get(count) ?? []), set]);
    } else {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }
}

/**
 * One search over partitions already running (threads or processes): the start message to each,
 * their ready replies, then the levels, coordinated (partition/coordinator.ts).
 */
export async function searchPartitions(ts: TransitionSystem, scenario: ScenarioSource, opts: ExploreOptions, links: readonly PartitionLink[],
  sendStart: (partition: number, m: SearchStart) => void, c: Coordination): Promise<ExploreResult> {
  const start: SearchStart = { t: 'start', scenario, symmetry: opts.symmetry === true, por: opts.por === true };
  links.forEach((_, i) => sendStart(i, start));
  const ready = await Promise.all(links.map((l) => l.next()));
  if (ready.some((r) => r.t !== 'ready')) throw new Error('internal: a search partition did not start');
  return coordinate(ts, opts, links, c);
}

/** Whether the partitions may serve another search: one stopped inside a level leaves batches in flight. */
export const reusable = (r: ExploreResult): boolean => r.limit === undefined || r.limit === 'states' || r.limit === 'memory';

/** Posts to worker `index` and rings its doorbell (it waits on the doorbell, not on its event loop). */
function tell(w: Worker, index: number, ring: Int32Array, m: ToPartition | SearchStart): void {
  w.postMessage(m);
  Atomics.add(ring, index, 1);
  Atomics.notify(ring, index);
}

/** The main thread's line to a worker: messages through its port, a doorbell to wake it. */
function threadLink(w: Worker, index: number, ring: Int32Array): PartitionLink {
  const queue: ToCoordinator[] = [];
  const waiting: { resolve: (m: ToCoordinator) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    for (const p of waiting.splice(0)) p.reject(failure);
  };
  w.on('message', (m: ToCoordinator) => { const p = waiting.shift(); if (p) p.resolve(m); else queue.push(m); });
  w.on('error', (e) => fail(new Error(`search worker ${index} failed: ${e.message}`)));
  w.on('exit', (code) => fail(new Error(`search worker ${index} exited (status ${code})`)));
  return {
    post: (m: ToPartition) => tell(w, index, ring, m),
    next: () => {
      const m = queue.shift();
      if (m) return Promise.resolve(m);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}
