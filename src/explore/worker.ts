// A parallel-search worker: builds the same transition system from the scenario, then runs one
// partition of the search (partition/partition.ts), talking to the other workers through message
// ports and to the main thread through its parent port; a doorbell word wakes it.
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { compileScenario } from '../compile/index.js';
import { stateChecks } from './monitors.js';
import { makePacker } from './pack.js';
import { abortWord, type SearchStart, type WorkerSetup } from './parallel.js';
import { keyMasks, partitionOf } from './partition/key.js';
import { Partition, SearchAborted, type PeerMessage, type Peers } from './partition/partition.js';
import type { ToCoordinator, ToPartition } from './partition/protocol.js';
import { successorWriter } from './successors.js';
import { symmetryOf } from './symmetry.js';

const setup = workerData as WorkerSetup;
const ring = new Int32Array(setup.bells);
const { self, count } = setup;
const ports = setup.ports;
const reply = (m: ToCoordinator) => parentPort!.postMessage(m);

/** Waits on this worker's doorbell until `take` finds something (or the abort flag, when `abortable`). */
function waitFor<T>(take: () => T | undefined, abortable: boolean): T {
  for (;;) {
    const rung = Atomics.load(ring, self);
    const m = take();
    if (m !== undefined) return m;
    if (abortable && Atomics.load(ring, abortWord(count))) throw new SearchAborted();
    Atomics.wait(ring, self, rung, 50);
  }
}

let turn = 0;
const fromPeers = (): PeerMessage | undefined => {
  for (let i = 0; i < count; i++) {
    const port = ports[(turn + i) % count];
    if (!port) continue;
    const m = receiveMessageOnPort(port);
    if (m) { turn = (turn + i + 1) % count; return m.message as PeerMessage; }
  }
  return undefined;
};

const peers: Peers = {
  self, count,
  send(to, depth, round, data, n) {
    const m: PeerMessage = { from: self, depth, round, data, count: n };
    (ports[to] as MessagePort).postMessage(m, data ? [data.buffer as ArrayBuffer] : []);
    Atomics.add(ring, to, 1);
    Atomics.notify(ring, to);
  },
  receive: (wait) => (wait ? waitFor(fromPeers, true) : fromPeers()),
  aborted: () => Atomics.load(ring, abortWord(count)) !== 0,
};

/** One search: the transition system built from the scenario, then the partition protocol until `stop`. */
function search(start: SearchStart): void {
  const ts = compileScenario({ path: start.scenario.path, text: start.scenario.text }, start.scenario.check);
  const packer = makePacker(ts.slotRange);
  const checks = stateChecks(ts)!;
  const writer = successorWriter(ts, packer, checks, start.symmetry ? symmetryOf(ts) : undefined, start.por);
  const partition = new Partition(ts, writer, partitionOf(keyMasks(ts, packer), count), peers, start.por, true, checks.map((c) => c.prop));
  reply({ t: 'ready' });
  for (;;) {
    const m = control() as ToPartition;
    if (m.t === 'stop') return;
    if (m.t === 'seed') partition.seed(m.entries);
    else if (m.t === 'numbers') partition.numbers(m.numbers);
    else if (m.t === 'cut') reply(partition.cut(m.parent, m.lookups));
    else {
      try {
        reply(partition.level(m.depth, m.start, m.width));
      } catch (e) {
        if (!(e instanceof SearchAborted)) throw e;
        reply({ t: 'aborted' });
      }
    }
  }
}

const control = () => waitFor(() => receiveMessageOnPort(parentPort!)?.message as ToPartition | SearchStart | undefined, false);
for (;;) {
  const m = control();
  if (m.t !== 'start') throw new Error(`internal: a search worker was sent '${m.t}' between searches`);
  search(m);
}
