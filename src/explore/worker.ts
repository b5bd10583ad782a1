// A parallel-search worker: builds the same transition system from the scenario, then computes
// successor records for the batches the main thread hands it (parallel.ts).
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { compileScenario } from '../compile/index.js';
import { stateChecks } from './monitors.js';
import { makePacker } from './pack.js';
import { CTL, doorbell, SLOT, SLOTS, type WorkerSetup } from './parallel.js';
import { chunkOf, loadFrom } from './states.js';
import { successorWriter } from './successors.js';
import { symmetryOf } from './symmetry.js';

const setup = workerData as WorkerSetup;
const ctl = new Int32Array(setup.control);
try {
  const ts = compileScenario({ path: setup.scenario.path, text: setup.scenario.text }, setup.scenario.check);
  const packer = makePacker(ts.slotRange);
  const writer = successorWriter(ts, packer, stateChecks(ts)!, setup.symmetry ? symmetryOf(ts) : undefined, setup.por);
  const results = setup.results.map((b) => new Int32Array(b));
  const chunks: Uint32Array[] = [];
  const state = new Int32Array(ts.stateSize);
  const mine = Array.from({ length: SLOTS }, (_, s) => s).filter((s) => s % setup.workers === setup.worker);
  const bell = doorbell(setup.worker);
  const haveChunk = (index: number) => {
    while (chunks.length <= chunkOf(index)) {
      const m = receiveMessageOnPort(parentPort!);
      if (m) chunks.push(new Uint32Array(m.message as SharedArrayBuffer));
    }
  };
  while (!Atomics.load(ctl, CTL.stop)) {
    const rung = Atomics.load(ctl, bell);
    let worked = false;
    for (const slot of mine) {
      const at = CTL.slots + slot * CTL.slotWords;
      if (Atomics.load(ctl, at) !== SLOT.requested) continue;
      const start = ctl[at + 1]!;
      const end = ctl[at + 2]!;
      const out = results[slot]!;
      haveChunk(end - 1);
      for (let i = start; i < end; i++) {
        loadFrom(chunks, packer, i, state);
        writer.write(state, out, (i - start) * writer.recordSize);
      }
      Atomics.store(ctl, at, SLOT.done);
      Atomics.notify(ctl, at);
      worked = true;
    }
    if (!worked) Atomics.wait(ctl, bell, rung);
  }
} catch (e) {
  Atomics.store(ctl, CTL.error, 1);
  for (let s = 0; s < SLOTS; s++) Atomics.notify(ctl, CTL.slots + s * CTL.slotWords);
  throw e;
}
