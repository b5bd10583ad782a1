// Parallel search. Workers compute successor records (successors.ts) for batches of stored
// states, reading the store's shared chunks; the main thread consumes the records in state order
// and interns exactly as the sequential search does. So the states, their numbering, the
// transitions, every violation and every trace are the same whatever the number of threads.
// The main thread computes only the records of states no batch covers (a frontier too short to
// share): measured on 3M-state workloads, giving it a share of the batches too was slower
// (interning keeps it busy).
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import Pool from 'worker-threads-pool';
import type { CheckOptions } from '../check/index.js';
import type { TransitionSystem } from '../compile/index.js';
import { searchAsync, type ExploreOptions, type ExploreResult, type RecordSource } from './bfs.js';
import { makePacker } from './pack.js';
import type { StateSet } from './states.js';
import { recordSize, type SuccessorWriter } from './successors.js';

/** What a worker needs to build the same transition system: the scenario and how it was checked. */
export interface ScenarioSource {
  readonly path: string;
  readonly text: string;
  readonly check: CheckOptions;
}

export interface WorkerSetup {
  readonly scenario: ScenarioSource;
  readonly symmetry: boolean;
  readonly por: boolean;
  readonly worker: number;
  readonly workers: number;
  readonly control: SharedArrayBuffer;
  readonly results: readonly SharedArrayBuffer[];
}

/** States per batch, and batches in flight. */
const BATCH = 512;
export const SLOTS = 8;
/** A worker that has not answered for this long is taken as lost. */
const WORKER_TIMEOUT_MS = 120_000;

/** Control words: stop, error, per slot (state, start, end), per worker a doorbell. */
export const CTL = { stop: 0, error: 1, slots: 2, slotWords: 3 } as const;
export const SLOT = { idle: 0, requested: 1, done: 2 } as const;
export const doorbell = (worker: number) => CTL.slots + SLOTS * CTL.slotWords + worker;

const workerFile = fileURLToPath(new URL('./worker.js', import.meta.url));

export async function exploreParallel(ts: TransitionSystem, scenario: ScenarioSource, opts: ExploreOptions & { threads: number }): Promise<ExploreResult> {
  const workers = Math.max(1, opts.threads - 1);
  const control = new SharedArrayBuffer(doorbell(workers) * 4);
  const size = recordSize(ts, makePacker(ts.slotRange).words);
  const results = Array.from({ length: SLOTS }, () => new SharedArrayBuffer(BATCH * size * 4));
  const pool = new Pool({ max: workers });
  const ctl = new Int32Array(control);
  try {
    const started = await Promise.all(Array.from({ length: workers }, (_, worker) => new Promise<Worker>((resolve, reject) => {
      const workerData: WorkerSetup = { scenario, symmetry: opts.symmetry === true, por: opts.por === true, worker, workers, control, results };
      pool.acquire(workerFile, { workerData }, (err: Error | null, w: Worker) => (err ? reject(err) : resolve(w)));
    })));
    return await searchAsync(ts, opts, { shared: true, source: (states, writer) => parallelSource(states, writer, ts, ctl, results, started) });
  } finally {
    Atomics.store(ctl, CTL.stop, 1);
    // Workers leave their loop on `stop` and end by themselves.
    for (let w = 0; w < workers; w++) { Atomics.add(ctl, doorbell(w), 1); Atomics.notify(ctl, doorbell(w)); }
  }
}

function parallelSource(states: StateSet, writer: SuccessorWriter, ts: TransitionSystem, ctl: Int32Array, results: readonly SharedArrayBuffer[], workers: readonly Worker[]): RecordSource {
  const slots = results.map((b) => new Int32Array(b));
  const size = writer.recordSize;
  let sentChunks = 0;
  /** Batches handed to workers, oldest first. */
  const queue: { start: number; end: number; slot: number }[] = [];
  let nextStart = 0;
  let slotNo = 0;
  const local = new Int32Array(size);
  const state = new Int32Array(ts.stateSize);
  const own = { buf: local, at: 0 };
  const shared: { buf: Int32Array<ArrayBufferLike>; at: number } = { buf: local, at: 0 };

  const chunks = states.sharedChunks;
  if (!chunks) throw new Error('internal: a parallel search needs states in shared memory');
  const shareChunks = () => {
    for (; sentChunks < chunks.length; sentChunks++) {
      for (const w of workers) w.postMessage(chunks[sentChunks]!.buffer);
    }
  };
  const request = (count: number) => {
    while (queue.length < SLOTS && nextStart + BATCH <= count) {
      const start = nextStart;
      nextStart += BATCH;
      shareChunks();
      const slot = slotNo++ % SLOTS;
      const at = CTL.slots + slot * CTL.slotWords;
      ctl[at + 1] = start;
      ctl[at + 2] = start + BATCH;
      Atomics.store(ctl, at, SLOT.requested);
      const bell = doorbell(slot % workers.length);
      Atomics.add(ctl, bell, 1);
      Atomics.notify(ctl, bell);
      queue.push({ start, end: start + BATCH, slot });
    }
  };
  const awaitDone = (slot: number) => {
    const at = CTL.slots + slot * CTL.slotWords;
    const since = Date.now();
    while (Atomics.load(ctl, at) !== SLOT.done) {
      if (Atomics.load(ctl, CTL.error)) throw new Error('a search worker failed');
      if (Date.now() - since > WORKER_TIMEOUT_MS) throw new Error('a search worker stopped answering');
      Atomics.wait(ctl, at, SLOT.requested, 100);
    }
  };

  return {
    workerBatches: () => slotNo,
    record(cur, count) {
      const done = queue[0];
      if (done && cur >= done.end) {
        Atomics.store(ctl, CTL.slots + done.slot * CTL.slotWords, SLOT.idle);
        queue.shift();
      }
      request(count);
      const head = queue[0];
      if (head && cur >= head.start) {
        if (cur === head.start) awaitDone(head.slot);
        shared.buf = slots[head.slot]!;
        shared.at = (cur - head.start) * size;
        return shared;
      }
      // Not in a worker's batch: a frontier too short to share.
      if (cur >= nextStart) nextStart = cur + 1;
      states.load(cur, state);
      writer.write(state, local, 0);
      return own;
    },
  };
}
