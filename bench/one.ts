// One benchmark measurement in a fresh process, so peak RSS belongs to that workload alone.
// argv: workload index, mode (plain, sym, par, par-sym, compact: one thread, --store compact; sc:
// one thread, --memory sc), state cap. Prints one JSON line.
import { compileScenario } from '../src/compile/index.js';
import { explore } from '../src/explore/bfs.js';
import { exploreParallel } from '../src/explore/parallel.js';
import { WORKLOADS } from './workloads.js';

const w = WORKLOADS[Number(process.argv[2])]!;
const mode = process.argv[3] ?? 'plain';
const symmetry = mode.endsWith('sym');
const maxStates = Number(process.argv[4] ?? Infinity);
const source = { path: `${w.name}.race`, text: w.text, check: mode === 'sc' ? { memory: 'sc' as const } : {} };
const begin = performance.now();
const ts = compileScenario(source, source.check);
// SPIN's rate is of its search alone, so ours is too; time to verdict counts everything.
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const r = mode.startsWith('par') ? await exploreParallel(ts, source, { symmetry, maxStates, threads: 2 }) : explore(ts, { symmetry, maxStates, store: mode === 'compact' ? 'compact' : 'exact' });
const seconds = (performance.now() - t0) / 1000;
// CPU time of the search (all threads of the process): on a loaded machine it varies far less than `seconds`.
const used = process.cpuUsage(cpu0);
const cpuSeconds = (used.user + used.system) / 1e6;
const verdictSeconds = (performance.now() - begin) / 1000;
console.log(JSON.stringify({
  states: r.states, transitions: r.transitions, seconds, cpuSeconds, verdictSeconds, limit: r.limit ?? null,
  packedBytes: r.storage.packedBytes, actions: ts.actions.length, bytesPerState: r.storage.bytes / r.states,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
}));
