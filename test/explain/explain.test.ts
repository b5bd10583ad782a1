// The explanation of a race (src/explain) against windows worked out by hand on bundled
// scenarios, and against brute force — every ordering of the counterexample's steps replayed one
// by one — on bundled and generated scenarios.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelOf, modelOfFile } from '../../src/check/index.js';
import { compileModel, DISABLED, OK, type TransitionSystem } from '../../src/compile/index.js';
import { explainViolation, type Explanation } from '../../src/explain/index.js';
import { deadlocked } from '../../src/explain/judge.js';
import { stepped } from '../../src/compile/index.js';
import { formatExplanation } from '../../src/explain/text.js';
import { explore, type ExploreResult } from '../../src/explore/bfs.js';
import { verdictOf, type PropertyVerdict } from '../../src/explore/verdict.js';
import type { Model } from '../../src/ir/model.js';
import { rebuildTrace } from '../../src/report/trace.js';
import { bundledFiles, ROOT } from '../gen/bundled.js';
import { scenarioArb } from '../gen/scenario.js';
import { TEMPLATES } from '../../src/init/templates.js';

const MODELS = { modelDirs: [join(ROOT, 'models')] };

function violations(model: Model): { ts: TransitionSystem; r: ExploreResult; pvs: PropertyVerdict[] } {
  const ts = compileModel(model);
  const r = explore(ts, { symmetry: true, maxStates: 200_000 });
  return { ts, r, pvs: verdictOf(model, r).properties.filter((p) => p.status === 'violated') };
}

function explained(file: string): Explanation[] {
  const { ts, r, pvs } = violations(modelOfFile(join(ROOT, file), MODELS));
  return pvs.map((p) => explainViolation(ts, r, p));
}

const windows = (x: Explanation) => x.windows.map((w) => [w.earliest, w.latest]);
const orderings = (x: Explanation) => x.orderings.map((o) => [o.first, o.then]);
const forced = (x: Explanation) => x.orderings.filter((o) => o.forced).map((o) => [o.first, o.then]);

describe('windows checked by hand', () => {
  it('apply_as_clean, harvest before flush: the first write before the PTE is read, the second between the harvest and the flush', () => {
    const [x] = explained('scenarios/apply_as_clean/harvest-before-flush.race');
    // 1 pre_vma, 2 lock, 3 write, 4 read PTE, 5 get-and-clear, 6 commit clean, 7 unlock,
    // 8 harvest, 9 post_vma test, 10 write, 11 flush, 12 dec pending. The first write may go
    // anywhere before step 4 (3 places), the second just before or after step 9 (2 places).
    expect(x!.violating).toBe(3 * 2);
    expect(windows(x!)).toEqual([[1, 2], [2, 3], [1, 3], [4, 4], [5, 5], [6, 6], [7, 7], [8, 8], [9, 10], [9, 10], [11, 11], [12, 12]]);
    expect(orderings(x!)).toEqual([[3, 4], [8, 10], [10, 11]]);
    expect(forced(x!)).toEqual([]);
    expect(x!.windows[9]).toMatchObject({ actor: 'writer', text: 'write P;', after: [8], before: [11] });
  });

  it('the tutorial apply_as_clean: the same shape with the library opened up', () => {
    const [x] = explained('scenarios/tutorial/apply_as_clean.race');
    expect(x!.violating).toBe(2 * 2);
    expect(orderings(x!)).toEqual([[2, 3], [9, 11], [11, 12]]);
    expect(windows(x!)[10]).toEqual([10, 11]);
  });

  it('apply_as_wrprotect, flush after done: the second write after done is recorded', () => {
    const [x] = explained('scenarios/apply_as_wrprotect/flush-after-done.race');
    expect(x!.violating).toBe(3);
    expect(windows(x!)).toEqual([[1, 2], [2, 3], [1, 3], [4, 4], [5, 5], [6, 6], [7, 7]]);
    expect(orderings(x!)).toEqual([[3, 4], [6, 7]]);
  });

  it('criu pre-dump while running: a write between the saved copy and the flush; the final dump waits for the task', () => {
    const [x] = explained('scenarios/soft_dirty/criu-predump-running.race');
    // 2 saved = version, 7 write, 8 get-and-clear, 13 write, 14 flush, 16 stopped = true, 17 await(stopped)
    // (clear_refs' mmu_notifier range and the clear_refs_flush_tlb test are steps 4, 11 and 12).
    expect(orderings(x!)).toEqual([[2, 13], [7, 8], [13, 14], [16, 17]]);
    // The task's `stopped = true` before the dump's await is the await's doing, in every run.
    expect(forced(x!)).toEqual([[16, 17]]);
  });

  it('a deadlock needs no ordering: either lock first', () => {
    const [x] = explained('scenarios/tutorial/deadlock.race');
    expect(x!.violating).toBe(2);
    expect(windows(x!)).toEqual([[1, 2], [1, 2]]);
    expect(x!.orderings).toEqual([]);
  });
});

describe('through the library API', () => {
  it('checkFile with explain: the explanation of each violation in the report, with its text', async () => {
    const { checkFile } = await import('../../src/index.js');
    const c = await checkFile(join(ROOT, 'scenarios/apply_as_clean/harvest-before-flush.race'), { explain: true });
    if (c.kind !== 'checked') throw new Error(c.kind);
    expect(c.analysis.explanations.map((x) => [x.property, x.violating])).toEqual([['no_lost_dirty', 6]]);
    expect(c.analysis.explanations[0]!.text).toBe(formatExplanation(c.analysis.explanations[0]!));
    expect(c.report.explanations).toBe(c.analysis.explanations);
    expect((await checkFile(join(ROOT, 'scenarios/apply_as_clean/harvest-after-flush.race'), { explain: true })).report.explanations).toEqual([]);
    expect((await checkFile(join(ROOT, 'scenarios/apply_as_clean/harvest-before-flush.race'))).report.explanations).toBeUndefined();
  });
});

describe('a failing step', () => {
  it('has its own window and orderings: the write that fails comes after the free', () => {
    const model = modelOf({ path: 'mmu.race', text: TEMPLATES.find((t) => t.name === 'mmu-gather')!.text
      .replace('  tlb_finish_mmu(P, pte_present(old));   // the batched flush\n  F0.freed = true;', '  F0.freed = true;\n  tlb_finish_mmu(P, pte_present(old));') }, MODELS);
    const { ts, r, pvs } = violations(model);
    const [x] = pvs.map((p) => explainViolation(ts, r, p));
    // 1 gather, 2 lock, 3 write, 4 zap, 5 unlock, 6 return, 7 free, 8 write (fails). The first write
    // goes before the zap (3 places), the failing one after the free and nowhere else.
    expect(x!.property).toBe('no_write_after_free');
    expect(x!.windows.map((w) => w.failing)).toEqual([false, false, false, false, false, false, false, true]);
    expect(orderings(x!)).toEqual([[3, 4], [7, 8]]);
    expect(windows(x!)[7]).toEqual([8, 8]);
    expect(x!.violating).toBe(3);
  });
});

describe('limits', () => {
  it('a constrained search cut short says so and claims no window', () => {
    const model = modelOfFile(join(ROOT, 'scenarios/apply_as_clean/harvest-before-flush.race'), MODELS);
    const { ts, r, pvs } = violations(model);
    const x = explainViolation(ts, r, pvs[0]!, { maxStates: 10 });
    expect(x).toMatchObject({ complete: false, states: 10, windows: [], orderings: [] });
    expect(formatExplanation(x)).toBe('explain no_lost_dirty: stopped at 10 states of the constrained search; no window computed');
  });
});

/**
 * Every ordering of the steps (steps of one action in their own order), replayed one by one: each
 * step must run as in the trace (OK, the same program counter after it); a failing step must be
 * enabled, and the steps after it are not run (the run ended there).
 */
function bruteForce(ts: TransitionSystem, r: ExploreResult, pv: PropertyVerdict, cap: number) {
  const trace = rebuildTrace(ts, r, pv.violation!);
  const steps = trace.steps;
  const n = steps.length;
  const failing = steps.at(-1)?.failing ? n - 1 : -1;
  const prop = ts.model.properties[pv.index]!;
  const violated = (s: Int32Array): boolean => {
    if (prop.kind === 'builtin' && prop.name === 'deadlock') return deadlocked(ts, s);
    const inv = ts.invariants.find((t) => t.prop === pv.index);
    if (inv) return !inv.test(s);
    return ts.finished(s) && !ts.finals.find((t) => t.prop === pv.index)!.test(s);
  };
  const orders: number[][] = [];
  const pick = (order: number[], used: boolean[]) => {
    if (orders.length > cap) return;
    if (order.length === n) { orders.push(order.slice()); return; }
    const taken = new Set<number>();
    for (let i = 0; i < n; i++) {
      if (used[i] || taken.has(steps[i]!.action)) continue;
      taken.add(steps[i]!.action); // the first unused step of this action
      used[i] = true; order.push(i); pick(order, used); order.pop(); used[i] = false;
    }
  };
  pick([], []);
  if (orders.length > cap) return undefined;
  let runs = 0;
  const good: number[][] = [];
  // 'j i': step j is enabled in some state a replayed prefix reaches before step i has run.
  const canRunBefore = new Set<string>();
  for (const order of orders) {
    let s: Int32Array = trace.initial.slice();
    let failed: boolean | undefined;
    const ok = order.every((i, at) => {
      if (failed !== undefined) return true; // after the failing step: not run
      const rest = order.slice(at);
      for (const j of rest) {
        if (rest.some((k) => k < j && steps[k]!.action === steps[j]!.action)) continue; // not next of its action
        if (ts.step(steps[j]!.action, s.slice()) !== DISABLED) for (const k of rest) if (k !== j) canRunBefore.add(`${j} ${k}`);
      }
      const step = steps[i]!;
      const { code, after, broke } = stepped(ts, step.action, s);
      if (i === failing) {
        // Stopped with the property's status, or completed breaking it (an assert or access property).
        failed = code === pv.index + 1 || (code === OK && broke.includes(pv.index));
        return code !== DISABLED;
      }
      if (code !== OK) return false;
      if (step.actor.kind === 'cpu' && ts.pcOf(step.actor.cpu, after) !== ts.pcOf(step.actor.cpu, step.after)) return false;
      s = after;
      return true;
    });
    if (!ok) continue;
    runs++;
    if (failing >= 0 ? failed : violated(s)) good.push(order);
  }
  const pos = good.map((o) => { const p: number[] = []; o.forEach((i, at) => { p[i] = at + 1; }); return p; });
  const windows = steps.map((_, i) => [Math.min(...pos.map((p) => p[i]!)), Math.max(...pos.map((p) => p[i]!))]);
  const must = (i: number, j: number) => pos.every((p) => p[i]! < p[j]!);
  const waits = (i: number, j: number) => !canRunBefore.has(`${j} ${i}`);
  return { runs, violating: good.length, windows, must, waits, steps, n };
}

/** Brute force and the explanation agree: counts, windows, and the order the orderings generate. */
function compare(ts: TransitionSystem, r: ExploreResult, pv: PropertyVerdict, cap: number): Explanation | undefined {
  const brute = bruteForce(ts, r, pv, cap);
  if (!brute) return undefined;
  const x = explainViolation(ts, r, pv);
  expect(x.complete).toBe(true);
  expect(x.interleavings).toBe(brute.runs);
  expect(x.violating).toBe(brute.violating);
  expect(windows(x)).toEqual(brute.windows);
  const { n, steps } = brute;
  // The orderings plus each CPU's program order must generate exactly the order brute force sees,
  // and none of them may follow from the others.
  const closure = (edges: number[][]) => {
    const c = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
    for (const [a, b] of edges) c[a! - 1]![b! - 1] = true;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      const a = steps[i]!.actor, b = steps[j]!.actor;
      if (a.kind === 'cpu' && b.kind === 'cpu' && a.cpu === b.cpu) c[i]![j] = true;
    }
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (c[i]![k] && c[k]![j]) c[i]![j] = true;
    return c;
  };
  const all = closure(orderings(x));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) expect(all[i]![j], `step ${i + 1} before ${j + 1}`).toBe(brute.must(i, j));
  for (const o of x.orderings) expect(o.forced, `ordering ${o.first} < ${o.then} forced`).toBe(brute.waits(o.first - 1, o.then - 1));
  orderings(x).forEach(([a, b], k) => {
    expect(closure(orderings(x).filter((_, l) => l !== k))[a! - 1]![b! - 1], `ordering ${a} < ${b} follows from the others`).toBe(false);
  });
  return x;
}

describe('against brute force', () => {
  it('every bundled violation whose steps have few enough orderings', () => {
    let compared = 0;
    for (const file of bundledFiles()) {
      const { ts, r, pvs } = violations(modelOfFile(file, MODELS));
      for (const pv of pvs) if (compare(ts, r, pv, 20_000)) compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(6);
  });

  it('generated scenarios', () => {
    // Most generated violations are one CPU's alone; the bounds below make sure enough are not.
    const seen = { compared: 0, several: 0, ordered: 0, partial: 0, forced: 0 };
    fc.assert(fc.property(scenarioArb, ({ text }) => {
      const { ts, r, pvs } = violations(modelOf({ path: 'generated.race', text }, MODELS));
      if (r.limit) return;
      for (const pv of pvs) {
        const x = compare(ts, r, pv, 5_000);
        if (!x) continue;
        seen.compared++;
        if (x.interleavings > 1) seen.several++;
        if (x.orderings.length) seen.ordered++;
        if (x.violating < x.interleavings) seen.partial++;
        if (x.orderings.some((o) => o.forced)) seen.forced++;
      }
    }), { seed: 1313, numRuns: 300 });
    console.log(`explain vs brute force on generated violations: ${JSON.stringify(seen)}`);
    expect(seen.compared).toBeGreaterThanOrEqual(200);
    expect(seen.several).toBeGreaterThanOrEqual(20);
    expect(seen.ordered).toBeGreaterThanOrEqual(8);
    expect(seen.partial).toBeGreaterThanOrEqual(3);
    expect(seen.forced).toBeGreaterThanOrEqual(1);
  });
});
