// npm run bench: states, transitions, states/s, peak RSS, bytes per state and time to verdict on
// a fixed family of workloads, with and without symmetry reduction, and the same workloads
// exported to Promela and run under SPIN (when installed) for the ratios, and the minimal
// successor-hash-insert loop (loop.c, loop.ts) at the same state count, word count and actions.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelOf } from '../src/check/index.js';
import { toPromela } from '../src/export/promela.js';
import { programGraph } from '../src/program/graph.js';
import { runSpin, spinAvailable } from '../src/export/spin.js';
import { WORKLOADS } from './workloads.js';
import { threadRows } from './threads.js';
import { distributedRows } from './distributed.js';

interface Measure { states: number; transitions: number; seconds: number; verdictSeconds: number; limit: string | null; packedBytes: number; actions: number; bytesPerState: number; peakRssMb: number }

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
/** SPIN is run up to this many states (its exported state vector is about 10x ours). */
const SPIN_MAX = Number(process.env.BENCH_SPIN_MAX ?? 5e6);
const MAX_STATES = Number(process.env.BENCH_MAX_STATES ?? 6e7);

function measure(index: number, mode: 'plain' | 'sym' | 'par' | 'par-sym' | 'compact' | 'sc'): Measure {
  const out = execFileSync(process.execPath, ['--max-old-space-size=20000', join(here, 'one.js'), String(index), mode, String(MAX_STATES)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Measure;
}

/** The C loop, built here with gcc -O2; undefined when there is no gcc. */
function buildLoop(): string | undefined {
  const exe = join(mkdtempSync(join(tmpdir(), 'dirtyrace-bench-')), 'loop');
  try {
    execFileSync('gcc', ['-O2', '-o', exe, join(here, '..', '..', 'bench', 'loop.c')], { stdio: 'ignore' });
    return exe;
  } catch {
    return undefined;
  }
}

/** The minimal loop's states/s at the size of measurement `m`, in C (`exe`) or in JavaScript. */
function loopRate(m: Measure, exe: string | undefined): number {
  const size = [String(m.states), String(Math.max(1, m.packedBytes / 4)), String(m.actions)];
  const out = exe ? execFileSync(exe, size, { encoding: 'utf8' }) : execFileSync(process.execPath, [join(here, 'loop.js'), ...size], { encoding: 'utf8' });
  const r = JSON.parse(out) as { states: number; seconds: number };
  return r.states / r.seconds;
}

/** arm64 workloads: one thread under --memory sc and under the relaxed mode, and the cost ratio. */
function memoryRows(name: string, i: number): void {
  const sc = measure(i, 'sc');
  const relaxed = measure(i, 'plain');
  const line = (m: Measure, mode: string, note: string) =>
    console.log(`| ${name} | ${fmt(m.states)}${m.limit ? ' (limit)' : ''} | ${fmt(m.transitions)} | ${mode} | ${m.seconds.toFixed(2)} | ${m.verdictSeconds.toFixed(2)} | ${fmt(m.states / m.seconds)} | ${m.peakRssMb.toFixed(0)} | ${m.packedBytes} | ${m.bytesPerState.toFixed(1)} | - | - | - | ${note} | - | - |`);
  line(sc, '1 thread, --memory sc', '-');
  line(relaxed, '1 thread, --memory relaxed', `x${(relaxed.states / sc.states).toFixed(2)} states, x${(relaxed.seconds / sc.seconds).toFixed(2)} search time vs sc`);
}

const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n)));
const spin = spinAvailable();
const cLoop = buildLoop();
console.log(cLoop ? 'loop: bench/loop.c (gcc -O2) and bench/loop.ts at each workload\'s states, words and actions; "of C/JS loop" is our states/s over theirs.'
  : 'loop: NO gcc - the C loop column is empty; bench/loop.ts runs.');
console.log(spin ? 'SPIN: installed; ratios compare like for like (same exported model, reductions off on both sides, gcc -O2).'
  : 'SPIN: NOT INSTALLED (apt-get install spin) - the SPIN columns are empty, not skipped silently.');
console.log('search s / states/s: the search alone (as SPIN reports its rate); verdict s: parse, check, compile and search.');
console.log('| workload | states | transitions | mode | search s | verdict s | states/s | peak RSS MB | packed B | store B/state | SPIN states/s | SPIN compile+search s | rate ratio | verdict-time ratio | of C loop | of JS loop |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
WORKLOADS.forEach((w, i) => {
  if (only && !w.name.includes(only)) return;
  if (w.name.startsWith('arm64')) { memoryRows(w.name, i); return; }
  const plain = measure(i, 'plain');
  let spinCols = ['-', '-', '-', '-'];
  if (spin && plain.states <= SPIN_MAX && !plain.limit) {
    const r = runSpin(toPromela(programGraph(modelOf({ path: `${w.name}.race`, text: w.text }))), { opt: '-O2' });
    const rate = r.states / (r.ms.pan / 1000);
    const total = (r.ms.spin + r.ms.gcc + r.ms.pan) / 1000;
    spinCols = [fmt(rate), total.toFixed(2), (plain.states / plain.seconds / rate).toFixed(2), (total / plain.verdictSeconds).toFixed(1)];
  }
  const row = (m: Measure, mode: string, extra: string[]) =>
    console.log(`| ${w.name} | ${fmt(m.states)}${m.limit ? ' (limit)' : ''} | ${fmt(m.transitions)} | ${mode} | ${m.seconds.toFixed(2)} | ${m.verdictSeconds.toFixed(2)} | ${fmt(m.states / m.seconds)} | ${m.peakRssMb.toFixed(0)} | ${m.packedBytes} | ${m.bytesPerState.toFixed(1)} | ${extra.join(' | ')} |`);
  const ours = plain.states / plain.seconds;
  const loops = [cLoop ? `${(100 * ours / loopRate(plain, cLoop)).toFixed(0)} %` : '-', `${(100 * ours / loopRate(plain, undefined)).toFixed(0)} %`];
  row(plain, '1 thread', [...spinCols, ...loops]);
  const none = ['-', '-', '-', '-', '-', '-'];
  const compact = measure(i, 'compact');
  row(compact, '1 thread, --store compact', [...none.slice(0, 3), `x${(compact.bytesPerState / plain.bytesPerState).toFixed(2)} B/state, x${(plain.seconds / compact.seconds).toFixed(2)} rate vs exact`, '-', '-']);
  const par = measure(i, 'par');
  row(par, '2 threads', [...none.slice(0, 3), `x${(plain.seconds / par.seconds).toFixed(2)} search vs 1 thread`, '-', '-']);
  if (/writer|madv/.test(w.name)) row(measure(i, 'sym'), '1 thread, symmetry', none);
});
threadRows(only);
await distributedRows(only);
