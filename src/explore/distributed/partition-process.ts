// One partition of a distributed search as its own process (`dirtyrace worker`): the partition
// runs in a worker thread exactly as in a threaded search (explore/worker.ts), and this process's
// main thread relays between that thread's message ports and NATS: peer batches to and from the
// other partition processes, the coordinator's commands in, the level reports out (with the new
// states' packed words, which the coordinator keeps for traces, instead of shared chunks).
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { PeerMessage } from '../partition/partition.js';
import type { ToCoordinator } from '../partition/protocol.js';
import { abortWord, type WorkerSetup } from '../parallel.js';
import { CHUNK } from '../states.js';
import { Bus } from './bus.js';
import { COORDINATOR, DEAD_AFTER_MS, HEARTBEAT_MS, SUBJECT, type FromProcess, type LevelShipped, type ToProcess } from './protocol.js';

const workerFile = fileURLToPath(new URL('../worker.js', import.meta.url));

export interface PartitionProcess {
  readonly url: string;
  readonly run: string;
  readonly self: number;
  readonly count: number;
  /** Progress and failures, one line each. */
  readonly log: (line: string) => void;
}

/** Serves partition `self` until the coordinator says shutdown (0) or something fails (1). */
export async function servePartition(p: PartitionProcess): Promise<number> {
  const { self, count } = p;
  const bus = await Bus.open(p.url, p.run);
  const ring = new Int32Array(new SharedArrayBuffer((count + 1) * 4));
  const ringOf = (i: number) => { Atomics.add(ring, i, 1); Atomics.notify(ring, i); };
  const peerPorts: (MessagePort | undefined)[] = new Array(count).fill(undefined);
  const mine: (MessagePort | undefined)[] = new Array(count).fill(undefined);
  for (let j = 0; j < count; j++) {
    if (j === self) continue;
    const ch = new MessageChannel();
    mine[j] = ch.port1;
    peerPorts[j] = ch.port2;
    ch.port2.on('message', (m: PeerMessage) => bus.send(SUBJECT.peer(j), self, m));
  }
  const setup: WorkerSetup = { self, count, bells: ring.buffer as SharedArrayBuffer, ports: mine };
  const thread = new Worker(workerFile, { workerData: setup, transferList: mine.filter((x): x is MessagePort => x !== undefined) });
  const chunks: Uint32Array[] = [];
  // Watched once the coordinator has been heard from: workers may start long before it.
  let coordinatorSeen: number | undefined;
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => { finish = resolve; });
  let stopping = false;
  const fail = (message: string) => {
    if (stopping) return;
    p.log(`partition ${self}: ${message}`);
    bus.send(SUBJECT.report(self), self, { t: 'failed', message } satisfies FromProcess);
    finish(1);
  };

  thread.on('message', (m: ToCoordinator) => {
    if (m.t !== 'done') { bus.send(SUBJECT.report(self), self, m); return; }
    for (const c of m.chunks) chunks.push(new Uint32Array(c));
    // The level's new states are the local indices candStart ... candStart + keys.length - 1.
    const words = chunks.length ? chunks[0]!.length / CHUNK : 0;
    const states = new Uint32Array(m.keys.length * words);
    for (let i = 0; i < m.keys.length; i++) {
      const local = m.candStart + i;
      const base = (local % CHUNK) * words;
      states.set(chunks[Math.floor(local / CHUNK)]!.subarray(base, base + words), i * words);
    }
    const shipped: LevelShipped = { ...m, chunks: [], states, words };
    bus.send(SUBJECT.report(self), self, shipped);
  });
  thread.on('error', (e) => fail(`the search thread failed: ${e.message}`));
  thread.on('exit', (code) => { if (code !== 0) fail(`the search thread exited (status ${code})`); });

  await bus.on(SUBJECT.peer(self), (from, m: PeerMessage) => { peerPorts[from]!.postMessage(m); ringOf(self); });
  await bus.on(SUBJECT.control(self), (_, m: ToProcess) => {
    if (m.t === 'shutdown') { finish(0); return; }
    if (m.t === 'abort') { Atomics.store(ring, abortWord(count), 1); for (let i = 0; i < count; i++) ringOf(i); return; }
    if (m.t === 'start') { Atomics.store(ring, abortWord(count), 0); chunks.length = 0; }
    thread.postMessage(m);
    ringOf(self);
  });
  await bus.on(SUBJECT.alive, (from) => { if (from === COORDINATOR) coordinatorSeen = Date.now(); });
  const beat = setInterval(() => {
    bus.send(SUBJECT.alive, self, { t: 'alive' });
    if (coordinatorSeen !== undefined && Date.now() - coordinatorSeen > DEAD_AFTER_MS) fail(`the coordinator sent no heartbeat for ${DEAD_AFTER_MS / 1000} s: it stopped`);
  }, HEARTBEAT_MS);
  p.log(`partition ${self} of ${count}: serving run '${p.run}' on ${p.url}`);
  const code = await done;
  stopping = true;
  clearInterval(beat);
  await thread.terminate();
  await bus.flush().catch(() => {});
  await bus.close().catch(() => {});
  return code;
}
