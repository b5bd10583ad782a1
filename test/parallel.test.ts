// The parallel search against the sequential one: the same states in the same order, the same
// parent links and actions (hence the same traces), transitions and violations, whatever the
// thread count. Workers load compiled code, so this test uses the build in dist/ (npm test builds).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledFiles } from './gen/bundled.js';

const ROOT = join(import.meta.dirname, '..');
const dist = (p: string) => import(join(ROOT, 'dist', p));
const { checkSource } = await dist('src/check/index.js');
const { compile } = await dist('src/compile/index.js');
const { explore } = await dist('src/explore/bfs.js');
const { exploreParallel } = await dist('src/explore/parallel.js');
const { WORKLOADS } = await dist('bench/workloads.js');
const { scenarioArb } = await import('./gen/scenario.js');
const fc = (await import('fast-check')).default;

interface Result {
  states: number; transitions: number; depth: number; limit?: string; workerBatches: number;
  violations: unknown[]; parent: { get(i: number): number }; action: { get(i: number): number };
}

function expectSame(a: Result, b: Result) {
  expect(b.states).toBe(a.states);
  expect(b.transitions).toBe(a.transitions);
  expect(b.depth).toBe(a.depth);
  expect(b.limit).toBe(a.limit);
  expect(b.violations).toEqual(a.violations);
  for (let i = 0; i < a.states; i++) {
    if (b.parent.get(i) !== a.parent.get(i) || b.action.get(i) !== a.action.get(i)) {
      expect([i, b.parent.get(i), b.action.get(i)]).toEqual([i, a.parent.get(i), a.action.get(i)]);
    }
  }
}

async function compare(path: string, text: string, opts: object, threads: number): Promise<Result> {
  const source = { path, text, check: {} };
  const ts = compile(checkSource(source));
  const a = explore(ts, opts) as Result;
  const b = (await exploreParallel(ts, source, { ...opts, threads })) as Result;
  expectSame(a, b);
  return b;
}

describe('parallel search', () => {
  it('matches the sequential search on workloads large enough to share, with every reduction', async () => {
    for (const w of [WORKLOADS[2], WORKLOADS[5], WORKLOADS[8]]) {
      for (const opts of [{}, { symmetry: true }, { por: true }, { symmetry: true, por: true }]) {
        const r = await compare(`${w.name}.race`, w.text, { maxStates: 60000, ...opts }, 2);
        expect(r.workerBatches, w.name).toBeGreaterThan(5);
      }
    }
  });

  it('gives the same result with three threads', async () => {
    const w = WORKLOADS[5];
    const r = await compare(`${w.name}.race`, w.text, { maxStates: 60000, symmetry: true }, 3);
    expect(r.workerBatches).toBeGreaterThan(5);
  });

  it('matches on every bundled scenario', async () => {
    for (const f of bundledFiles()) await compare(f, readFileSync(f, 'utf8'), { symmetry: true, por: true }, 2);
  });

  it('matches on generated scenarios', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb, async ({ text }: { text: string }) => {
      await compare('generated.race', text, { maxStates: 20000, symmetry: true }, 2);
    }), { numRuns: 25, seed: 99 });
  });
});
