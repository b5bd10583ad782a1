// The partitioned parallel search against the sequential one: the same states in the same order,
// the same parent links and actions (hence the same traces), transitions, final states and
// violations, for 2 and 3 partitions, with partial-order reduction and symmetry on and off, also
// when the state limit cuts a level. Workers load compiled code, so this test uses the build in
// dist/ (npm test builds).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExploreOptions, ExploreResult } from '../../src/index.js';
import { bundledFiles } from '../gen/bundled.js';
import { expectSame } from '../gen/same.js';
import { scenarioArb } from '../gen/scenario.js';

const ROOT = join(import.meta.dirname, '..', '..');
// The library API as built, typed by its source.
const api = (await import(join(ROOT, 'dist', 'src', 'index.js'))) as typeof import('../../src/index.js');
const { WORKLOADS } = (await import(join(ROOT, 'dist', 'bench', 'workloads.js'))) as typeof import('../../bench/workloads.js');

const REDUCTIONS: ExploreOptions[] = [{}, { symmetry: true }, { por: true }, { symmetry: true, por: true }];

async function compare(path: string, text: string, opts: ExploreOptions, threads: readonly number[]): Promise<ExploreResult> {
  const source = { path, text, check: {} };
  const ts = api.compileScenario(source);
  const a = api.explore(ts, opts);
  let b = a;
  for (const t of threads) {
    b = await api.exploreParallel(ts, source, { ...opts, threads: t });
    expectSame(a, b, `${path} ${JSON.stringify(opts)} threads ${t}`);
  }
  return b;
}

describe('partitioned parallel search', () => {
  it('matches the sequential search on workloads, with every reduction, for 2 and 3 threads', async () => {
    for (const w of [WORKLOADS[2]!, WORKLOADS[5]!, WORKLOADS[8]!]) {
      for (const opts of REDUCTIONS) {
        const r = await compare(`${w.name}.race`, w.text, opts, [2, 3]);
        expect(r.workerBatches, w.name).toBeGreaterThan(5);
        expect(r.states, w.name).toBeGreaterThan(5000);
      }
    }
  });

  it('cuts a level at the state limit exactly where the sequential search stops', async () => {
    const w = WORKLOADS[5]!;
    for (const opts of REDUCTIONS) {
      for (const maxStates of [1, 3, 777, 20000]) {
        const r = await compare(`${w.name}.race`, w.text, { ...opts, maxStates }, [2, 3]);
        expect(r.limit).toBe('states');
        expect(r.states).toBe(maxStates);
      }
    }
  });

  it('matches on every bundled scenario and proof, reductions on and off', async () => {
    for (const f of bundledFiles()) {
      for (const opts of [{}, { symmetry: true, por: true }]) await compare(f, readFileSync(f, 'utf8'), opts, [2, 3]);
    }
  });

  it('matches on generated scenarios', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb, fc.constantFrom(...REDUCTIONS), async ({ text }, opts) => {
      await compare('generated.race', text, { maxStates: 20000, ...opts }, [2, 3]);
    }), { numRuns: 25, seed: 99 });
  });

  it('counts the final states of a level the state limit cuts (found by the generator)', async () => {
    // The cut level's finished states were read from the frontier after it had become the next
    // level's: 224 final states instead of 344.
    const text = 'use riscv_svade(cache_invalid = true);\npage P0 { present: false, write: any, dirty: false, accessed: false, pfn: F0 }\n'
      + 'page P1 { present: false, write: false, dirty: any, accessed: any, pfn: F0 }\nframe F0;\nrwsem S;\npage n0[cpu] = any;\n'
      + 'bool g1 = false;\ndisable evict;\ncpu w0[2] {\n  g1 = true;\n}\ncpu c1 {\n  ptep_set_wrprotect(P0);\n}\n';
    const r = await compare('cut.race', text, { maxStates: 20000 }, [2, 3]);
    expect(r.limit).toBe('states');
    expect(r.finalStates).toBeGreaterThan(0);
  });

  it('stops cleanly when interrupted, keeping only whole levels', async () => {
    const w = WORKLOADS[5]!;
    const source = { path: `${w.name}.race`, text: w.text, check: {} };
    const ts = api.compileScenario(source);
    const full = api.explore(ts, {});
    const stop = new AbortController();
    let levels = 0;
    // Interrupted at the first progress report (after the first level): the result is whole levels of the full search.
    const r = await api.exploreParallel(ts, source, { threads: 2, signal: stop.signal, onProgress: () => { if (++levels === 1) stop.abort(); } });
    expect(r.limit).toBe('interrupted');
    expect(r.states).toBeGreaterThan(0);
    expect(r.states).toBeLessThan(full.states);
    for (let i = 0; i < r.states; i++) expect([r.parentOf(i), r.actionOf(i)]).toEqual([full.parentOf(i), full.actionOf(i)]);
    // The workers of an interrupted search are not reused; a new search starts new ones and matches.
    expectSame(full, await api.exploreParallel(ts, source, { threads: 2 }), 'after an interruption');
  });
});

describe('dirtyrace check --threads', () => {
  it('ends a run the state limit stops with exit 3 and the figures of one thread', async () => {
    const { spawnSync } = await import('node:child_process');
    const file = bundledFiles().find((f) => f.includes('soft_dirty'))!;
    const run = (threads: string) => spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'check', '-q', '--format', 'json', '--max-states', '40', '--threads', threads, file], { encoding: 'utf8' });
    const one = run('1');
    const two = run('2');
    expect(one.status).toBe(3);
    expect(two.status).toBe(3);
    const figures = (out: string) => (JSON.parse(out) as { results: { stats: { states: number; transitions: number } }[] }).results.map((r) => [r.stats.states, r.stats.transitions]);
    expect(figures(two.stdout)).toEqual(figures(one.stdout));
  });
});
