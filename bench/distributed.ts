// Bench rows of the distributed search (issue 14 item 4): the workloads searched by 1 and 3 local
// `dirtyrace worker` processes through a NATS server started on a free loopback port, against one
// thread, with the load average. Skipped when nats-server is not on the PATH. Capped at
// BENCH_DIST_MAX_STATES (default 2 000 000) states: every level costs message round trips.
// Run alone: node dist/bench/distributed.js [workload-substring]; npm run bench runs it last.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect as tcpConnect } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileScenario } from '../src/compile/index.js';
import { explore } from '../src/explore/bfs.js';
import { closeDistributed, exploreDistributed } from '../src/explore/distributed/coordinator-process.js';
import { WORKLOADS } from './workloads.js';

const self = fileURLToPath(import.meta.url);
const MAIN = join(self, '..', '..', 'src', 'cli', 'main.js');
const MAX_STATES = Number(process.env.BENCH_DIST_MAX_STATES ?? 2e6);

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const port = (s.address() as { port: number }).port; s.close(() => resolve(port)); });
});
const reachable = (port: number) => new Promise<boolean>((resolve) => {
  const c = tcpConnect(port, '127.0.0.1', () => { c.end(); resolve(true); });
  c.on('error', () => resolve(false));
});

export async function distributedRows(only?: string): Promise<void> {
  if (spawnSync('nats-server', ['--version']).status !== 0) { console.log('\nDistributed: nats-server is not installed; skipped.'); return; }
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const workers: ChildProcess[] = [];
  try {
    for (let i = 0; i < 200 && !(await reachable(port)); i++) await new Promise((r) => setTimeout(r, 50));
    console.log(`\nDistributed (local worker processes over NATS on loopback; POR and symmetry on; at most ${MAX_STATES} states):`);
    console.log('| workload | states | transitions | processes | search s | states/s | vs 1 thread | load avg (1 min) |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const w of WORKLOADS) {
      if (only && !w.name.includes(only)) continue;
      const source = { path: `${w.name}.race`, text: w.text, check: {} };
      const ts = compileScenario(source);
      const opts = { symmetry: true, por: true, maxStates: MAX_STATES };
      const t0 = performance.now();
      const one = explore(ts, opts);
      const oneSeconds = (performance.now() - t0) / 1000;
      for (const n of [1, 3]) {
        const run = `bench${n}`;
        for (let i = 0; i < n; i++) workers.push(spawn(process.execPath, [MAIN, 'worker', '--distributed', url, '--partitions', String(n), '--partition', String(i), '--run', run], { stdio: 'ignore' }));
        const distributed = { url, run, partitions: n };
        // The workers join and build their transition systems before the clock starts.
        await exploreDistributed(ts, source, { ...opts, maxStates: 1, distributed });
        const load = loadavg()[0]!.toFixed(1);
        const t1 = performance.now();
        const r = await exploreDistributed(ts, source, { ...opts, distributed });
        const s = (performance.now() - t1) / 1000;
        console.log(`| ${w.name} | ${r.states}${r.limit ? ' (limit)' : ''} | ${r.transitions} | ${n} | ${s.toFixed(2)} | ${Math.round(r.states / s)} | x${(oneSeconds / s).toFixed(2)} (1 thread ${oneSeconds.toFixed(2)} s) | ${load} |`);
        if (r.states !== one.states) console.log(`|   | MISMATCH: one thread ${one.states} states | | | | | | |`);
        await closeDistributed();
      }
    }
  } finally {
    await closeDistributed();
    for (const w of workers) w.kill();
    server.kill();
  }
}

if (process.argv[1] === self) await distributedRows(process.argv[2]);
