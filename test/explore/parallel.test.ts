// The parallel search against the sequential one: the same states in the same order, the same
// parent links and actions (hence the same traces), transitions and violations, whatever the
// thread count. Workers load compiled code, so this test uses the build in dist/ (npm test builds).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExploreOptions, ExploreResult } from '../../src/index.js';
import { bundledFiles } from '../gen/bundled.js';
import { scenarioArb } from '../gen/scenario.js';

const ROOT = join(import.meta.dirname, '..', '..');
// The library API as built, typed by its source.
const api = (await import(join(ROOT, 'dist', 'src', 'index.js'))) as typeof import('../../src/index.js');
const { WORKLOADS } = (await import(join(ROOT, 'dist', 'bench', 'workloads.js'))) as typeof import('../../bench/workloads.js');

function expectSame(a: ExploreResult, b: ExploreResult) {
  expect(b.states).toBe(a.states);
  expect(b.transitions).toBe(a.transitions);
  expect(b.depth).toBe(a.depth);
  expect(b.limit).toBe(a.limit);
  expect(b.violations).toEqual(a.violations);
  for (let i = 0; i < a.states; i++) {
    if (b.parentOf(i) !== a.parentOf(i) || b.actionOf(i) !== a.actionOf(i)) {
      expect([i, b.parentOf(i), b.actionOf(i)]).toEqual([i, a.parentOf(i), a.actionOf(i)]);
    }
  }
}

async function compare(path: string, text: string, opts: ExploreOptions, threads: number): Promise<ExploreResult> {
  const source = { path, text, check: {} };
  const ts = api.compileScenario(source);
  const a = api.explore(ts, opts);
  const b = await api.exploreParallel(ts, source, { ...opts, threads });
  expectSame(a, b);
  return b;
}

describe('parallel search', () => {
  it('matches the sequential search on workloads large enough to share, with every reduction', async () => {
    for (const w of [WORKLOADS[2]!, WORKLOADS[5]!, WORKLOADS[8]!]) {
      for (const opts of [{}, { symmetry: true }, { por: true }, { symmetry: true, por: true }]) {
        const r = await compare(`${w.name}.race`, w.text, { maxStates: 60000, ...opts }, 2);
        expect(r.workerBatches, w.name).toBeGreaterThan(5);
      }
    }
  });

  it('gives the same result with three threads', async () => {
    const w = WORKLOADS[5]!;
    const r = await compare(`${w.name}.race`, w.text, { maxStates: 60000, symmetry: true }, 3);
    expect(r.workerBatches).toBeGreaterThan(5);
  });

  it('matches on every bundled scenario', async () => {
    for (const f of bundledFiles()) await compare(f, readFileSync(f, 'utf8'), { symmetry: true, por: true }, 2);
  });

  it('matches on generated scenarios', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb, async ({ text }) => {
      await compare('generated.race', text, { maxStates: 20000, symmetry: true }, 2);
    }), { numRuns: 25, seed: 99 });
  });
});
