// The distributed search (npm run test:distributed; needs Debian's nats-server): a local NATS
// server on loopback and three `dirtyrace worker` processes give results identical to one thread
// on every bundled scenario and proof and on generated scenarios; a worker that dies fails the
// run clearly (exit 3, no verdict); a run whose workers never come says which are missing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExploreOptions } from '../src/index.js';
import { expectSame } from '../test/gen/same.js';
import { scenarioArb } from '../test/gen/scenario.js';

const ROOT = join(import.meta.dirname, '..');
const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const api = (await import(join(ROOT, 'dist', 'src', 'index.js'))) as typeof import('../src/index.js');
const { WORKLOADS } = (await import(join(ROOT, 'dist', 'bench', 'workloads.js'))) as typeof import('../bench/workloads.js');

let server: ChildProcess;
let url: string;
const children: ChildProcess[] = [];

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const port = (s.address() as { port: number }).port; s.close(() => resolve(port)); });
});
const reachable = (port: number) => new Promise<boolean>((resolve) => {
  const c = tcpConnect(port, '127.0.0.1', () => { c.end(); resolve(true); });
  c.on('error', () => resolve(false));
});

/** Three (or `n`) partition processes serving run `run`. */
function workers(run: string, n = 3, env: NodeJS.ProcessEnv = {}): ChildProcess[] {
  return Array.from({ length: n }, (_, i) => {
    const w = spawn(process.execPath, [MAIN, 'worker', '--distributed', url, '--partitions', String(n), '--partition', String(i), '--run', run], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'ignore'] });
    children.push(w);
    return w;
  });
}
const exited = (w: ChildProcess) => new Promise<number | null>((resolve) => { if (w.exitCode !== null) resolve(w.exitCode); else w.on('exit', (code) => resolve(code)); });

function check(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [MAIN, 'check', '-q', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
}
/** A JSON report without what differs between runs: times, the command line. */
function comparable(stdout: string): unknown {
  const strip = (x: unknown): unknown => Array.isArray(x) ? x.map(strip)
    : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).filter(([k]) => !['ms', 'elapsedMs', 'run'].includes(k)).map(([k, v]) => [k, strip(v)])) : x;
  return strip(JSON.parse(stdout));
}

beforeAll(async () => {
  const port = await freePort();
  url = `nats://127.0.0.1:${port}`;
  server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !(await reachable(port)); i++) await new Promise((r) => setTimeout(r, 50));
  expect(await reachable(port)).toBe(true);
});

afterAll(async () => {
  await api.closeDistributed();
  for (const c of children) c.kill('SIGKILL');
  server?.kill();
});

describe('dirtyrace check --distributed', () => {
  it('three worker processes: every bundled scenario and proof, identical to one thread', async () => {
    const ws = workers('bundled');
    const files = ['scenarios', 'proofs'];
    const one = check(['--format', 'json', ...files]);
    const dist = check(['--format', 'json', '--distributed', url, '--partitions', '3', '--run', 'bundled', ...files]);
    expect(dist.stderr).toBe('');
    expect(dist.status).toBe(one.status);
    expect(comparable(dist.stdout)).toEqual(comparable(one.stdout));
    // The run's end tells the workers to exit.
    expect(await Promise.all(ws.map(exited))).toEqual([0, 0, 0]);
  });

  it('identical to one thread on generated scenarios, with every reduction (library API)', async () => {
    workers('generated');
    const distributed = { url, run: 'generated', partitions: 3 };
    const REDUCTIONS: ExploreOptions[] = [{}, { symmetry: true }, { por: true }, { symmetry: true, por: true }];
    await fc.assert(fc.asyncProperty(scenarioArb, fc.constantFrom(...REDUCTIONS), async ({ text }, opts) => {
      const source = { path: 'generated.race', text, check: {} };
      const ts = api.compileScenario(source);
      const o = { maxStates: 20000, ...opts };
      expectSame(api.explore(ts, o), await api.exploreDistributed(ts, source, { ...o, distributed }), `generated ${JSON.stringify(opts)}`);
    }), { numRuns: 25, seed: 77 });
    await api.closeDistributed();
  });

  it('a worker that dies fails the run: exit 3, the partition named, no verdict', async () => {
    const env = { DIRTYRACE_WORKER_TIMEOUT_MS: '1500' };
    const ws = workers('dies', 3, env);
    const dir = mkdtempSync(join(tmpdir(), 'dirtyrace-dist-'));
    const big = WORKLOADS.find((w) => w.name === 'writers-cleaner n=3 m=2 k=1')!;
    const file = join(dir, 'big.race');
    writeFileSync(file, big.text);
    const sarif = join(dir, 'out.sarif');
    const run = spawn(process.execPath, [MAIN, 'check', '--progress', '--no-trace', '--sarif', sarif, '--distributed', url, '--partitions', '3', '--run', 'dies', file], { env: { ...process.env, ...env } });
    let out = '';
    run.stdout.on('data', (d) => { out += String(d); });
    // At the first progress line the search is under way: then partition 1's process is killed.
    await new Promise<void>((resolve) => run.stderr.on('data', () => resolve()));
    ws[1]!.kill('SIGKILL');
    expect(await exited(run)).toBe(3);
    expect(out).toMatch(/search failed: partition 1 of run 'dies' sent no heartbeat for 1\.5 s: its process stopped/);
    expect(out).not.toMatch(/^(holds|violated) /m);
    const log = JSON.parse(readFileSync(sarif, 'utf8')) as { runs: { results: { ruleId: string }[] }[] };
    expect(log.runs[0]!.results.map((r) => r.ruleId)).toEqual(['search-failed']);
    // The others are told to exit.
    expect(await Promise.all([exited(ws[0]!), exited(ws[2]!)])).toEqual([0, 0]);
  });

  it('workers that join after the coordinator started are waited for', async () => {
    const run = spawn(process.execPath, [MAIN, 'check', '-q', '--format', 'json', '--distributed', url, '--partitions', '2', '--run', 'late', 'scenarios/tutorial/peterson.race'], { cwd: ROOT });
    let out = '';
    run.stdout.on('data', (d) => { out += String(d); });
    // The coordinator is up (and beating) before any worker exists.
    await new Promise((r) => setTimeout(r, 1500));
    const ws = workers('late', 2);
    expect(await exited(run)).toBe(0);
    expect(comparable(out)).toEqual(comparable(check(['--format', 'json', 'scenarios/tutorial/peterson.race']).stdout));
    expect(await Promise.all(ws.map(exited))).toEqual([0, 0]);
  });

  it('a run whose workers never come says which partitions are missing', () => {
    const r = check(['--distributed', url, '--partitions', '2', '--run', 'nobody', 'scenarios/tutorial/peterson.race'], { DIRTYRACE_WORKER_JOIN_MS: '500' });
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/no partition process answered for partitions 0, 1 of run 'nobody'.*dirtyrace worker --distributed/s);
  });
});
