// One benchmark measurement in a fresh process, so peak RSS belongs to that workload alone.
// argv: workload index, "sym" or "plain". Prints one JSON line.
import { checkSource } from '../src/check/index.js';
import { compile } from '../src/compile/index.js';
import { explore } from '../src/explore/bfs.js';
import { WORKLOADS } from './workloads.js';

const w = WORKLOADS[Number(process.argv[2])]!;
const symmetry = process.argv[3] === 'sym';
const maxStates = Number(process.argv[4] ?? Infinity);
const model = checkSource({ path: `${w.name}.race`, text: w.text });
const t0 = performance.now();
const ts = compile(model);
const r = explore(ts, { symmetry, maxStates });
const seconds = (performance.now() - t0) / 1000;
const storeBytes = r.store.bytes + r.parent.bytes + r.action.bytes;
console.log(JSON.stringify({
  states: r.states, transitions: r.transitions, seconds, limit: r.limit ?? null,
  packedBytes: r.store.words * 4, bytesPerState: storeBytes / r.states,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
}));
