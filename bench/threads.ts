// Bench rows of the partitioned parallel search (issue 14): the search time with 1 thread (the
// sequential search), 2 threads and one per core, each in a fresh process, with the machine's
// load average printed next to the figures (the speed-up means little on a loaded machine).
// Run alone: node dist/bench/threads.js [workload-substring]; npm run bench runs it after its table.
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { compileScenario } from '../src/compile/index.js';
import { explore } from '../src/explore/bfs.js';
import { exploreParallel } from '../src/explore/parallel.js';
import { WORKLOADS } from './workloads.js';

interface ThreadMeasure { states: number; transitions: number; seconds: number; cpuSeconds: number; limit: string | null }

const self = fileURLToPath(import.meta.url);
const MAX_STATES = Number(process.env.BENCH_MAX_STATES ?? 6e7);

async function measureHere(index: number, threads: number): Promise<ThreadMeasure> {
  const w = WORKLOADS[index]!;
  const source = { path: `${w.name}.race`, text: w.text, check: {} };
  const ts = compileScenario(source);
  const opts = { symmetry: true, por: true, maxStates: MAX_STATES };
  // Workers are started (and build their transition systems) before the clock starts: a small
  // search with the same workers, as the worker set is kept between searches.
  if (threads > 1) await exploreParallel(ts, source, { ...opts, maxStates: 1, threads });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const r = threads > 1 ? await exploreParallel(ts, source, { ...opts, threads }) : explore(ts, opts);
  // CPU time of every thread of the process: on a shared machine the wall time mostly measures the others.
  const used = process.cpuUsage(cpu0);
  return { states: r.states, transitions: r.transitions, seconds: (performance.now() - t0) / 1000, cpuSeconds: (used.user + used.system) / 1e6, limit: r.limit ?? null };
}

function measure(index: number, threads: number): ThreadMeasure {
  const out = execFileSync(process.execPath, ['--max-old-space-size=20000', self, 'measure', String(index), String(threads)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as ThreadMeasure;
}

export function threadRows(only?: string): void {
  const cores = availableParallelism();
  const counts = [...new Set([1, 2, cores])];
  console.log(`\nThreads (POR and symmetry on; search time, workers started beforehand; ${cores} cores):`);
  console.log('| workload | states | transitions | threads | search s | CPU s | states/s | speed-up | load avg (1 min) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  WORKLOADS.forEach((w, i) => {
    if (only && !w.name.includes(only)) return;
    let base: number | undefined;
    for (const t of counts) {
      const load = loadavg()[0]!.toFixed(1);
      const m = measure(i, t);
      base ??= m.seconds;
      console.log(`| ${w.name} | ${m.states}${m.limit ? ' (limit)' : ''} | ${m.transitions} | ${t} | ${m.seconds.toFixed(2)} | ${m.cpuSeconds.toFixed(2)} | ${Math.round(m.states / m.seconds)} | x${(base / m.seconds).toFixed(2)} | ${load} |`);
    }
  });
}

if (process.argv[1] === self) {
  if (process.argv[2] === 'measure') console.log(JSON.stringify(await measureHere(Number(process.argv[3]), Number(process.argv[4]))));
  else threadRows(process.argv[2]);
}
