// Old build against new build, interleaved in one run: for each workload, runs of the two
// builds' bench/one.js alternate (old first on even rounds, new first on odd ones) so that a
// drift in machine load hits both alike; prints the median single-thread search rate of each,
// in states per second of CPU time (wall time on a shared machine mostly measures the others).
// argv: OLD_CHECKOUT NEW_CHECKOUT [runs per build (5)] [state cap (5e6)] [workload name part]; both checkouts built.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { WORKLOADS } from './workloads.js';

const [oldDir, newDir, runsArg, capArg, only] = process.argv.slice(2);
if (!oldDir || !newDir) {
  console.error('usage: node dist/bench/compare.js OLD_CHECKOUT NEW_CHECKOUT [runs] [state-cap]');
  process.exit(2);
}
const runs = Number(runsArg ?? 5);
const cap = Number(capArg ?? 5e6);

/** One search in a fresh process of the given build: its states and states per second of CPU time. */
function rate(checkout: string, workload: number): { states: number; perSecond: number } {
  const out = execFileSync(process.execPath, ['--max-old-space-size=20000', join(checkout, 'dist/bench/one.js'), String(workload), 'plain', String(cap)], { encoding: 'utf8' });
  const m = JSON.parse(out.trim().split('\n').pop()!) as { states: number; seconds: number; cpuSeconds?: number };
  if (m.cpuSeconds === undefined) throw new Error(`${checkout}: its bench/one.ts reports no cpuSeconds; copy this one.ts into it and rebuild`);
  return { states: m.states, perSecond: m.states / m.cpuSeconds };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const whole = (x: number) => Math.round(x).toLocaleString('en');

console.log(`| workload | states (cap ${cap}) | old states/CPU s | new states/CPU s | new/old |`);
console.log('|---|---|---|---|---|');
WORKLOADS.forEach((w, i) => {
  if (only && !w.name.includes(only)) return;
  const old: number[] = [], now: number[] = [];
  let states = 0;
  for (let r = 0; r < runs; r++) {
    const order: [string, number[]][] = r % 2 === 0 ? [[oldDir, old], [newDir, now]] : [[newDir, now], [oldDir, old]];
    for (const [dir, into] of order) {
      const m = rate(dir, i);
      states = m.states;
      into.push(m.perSecond);
    }
  }
  console.log(`| ${w.name} | ${whole(states)} | ${whole(median(old))} | ${whole(median(now))} | ${(median(now) / median(old)).toFixed(3)} |`);
});
