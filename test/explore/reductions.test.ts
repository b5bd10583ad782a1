// Reductions against the unreduced search. Symmetry: same verdict and same shortest depth for
// every property, fewer states, and traces that replay in the user's own CPU names. Partial-order
// reduction: same verdict for every property (its counterexamples may be longer), never more states.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundledFiles } from '../gen/bundled.js';
import { modelOfFile, modelOf } from '../../src/check/index.js';
import type { Model } from '../../src/ir/model.js';
import { compileModel } from '../../src/compile/index.js';
import { explore, type ExploreResult } from '../../src/explore/bfs.js';
import { rebuildTrace } from '../../src/report/trace.js';
import { scenarioArb } from '../gen/scenario.js';

const CAP = 20000;

function verdicts(m: Model, r: ExploreResult) {
  return m.properties.map((p, i) => `${p.name}:${r.violations[i] ? r.violations[i]!.depth : 'holds'}`);
}

function both(m: Model, maxStates = CAP) {
  const ts = compileModel(m);
  return { ts, plain: explore(ts, { maxStates }), reduced: explore(ts, { maxStates, symmetry: true }) };
}

/** Every violation's trace replays to the recorded length, ending where the property fails. */
function tracesReplay(m: Model, run: ReturnType<typeof both>) {
  m.properties.forEach((_, i) => {
    const v = run.reduced.violations[i];
    if (!v) return;
    const trace = rebuildTrace(run.ts, run.reduced, v);
    expect(trace.steps.length).toBe(v.depth);
  });
}

function writers(n: number): string {
  return `use x86_64;
page P { present: true, write: true, accessed: true, pfn: F0 }
frame F0;
spinlock ptl;
bool bitmap = false;
ghost int[0..${2 * n}] saved = 0;
cpu cleaner {
  lock(ptl);
  let v = ptep_modify_prot_start(P);
  if (pte_dirty(v)) { bitmap = true; }
  ptep_modify_prot_commit(P, pte_mkclean(v));
  unlock(ptl);
  if (bitmap) { saved = F0.version; bitmap = false; }
  flush(P);
}
cpu writer[${n}] { write P; write P; }
fault write(p) { lock(ptl); unlock(ptl); }
final no_lost_dirty: F0.version == saved || pte_dirty(ptep_get(P)) || bitmap;
`;
}

describe('symmetry reduction', () => {
  it('N identical writers explore close to 1/N! of the states, with the same verdicts', () => {
    for (const n of [2, 3]) {
      const m = modelOf({ path: `writers${n}.race`, text: writers(n) });
      const run = both(m, 1e6);
      expect(run.plain.limit).toBeUndefined();
      expect(verdicts(m, run.reduced)).toEqual(verdicts(m, run.plain));
      const factorial = n === 2 ? 2 : 6;
      // Orbits of states where writers coincide are smaller than N!, so the ratio is a bit above 1/N!.
      expect(run.reduced.states).toBeLessThan(run.plain.states / factorial * 1.25);
      expect(run.reduced.states).toBeGreaterThanOrEqual(Math.ceil(run.plain.states / factorial));
      tracesReplay(m, run);
    }
  });

  it('is left off for a group one of whose CPUs a property names', () => {
    const text = writers(2).replace('final no_lost_dirty:', 'invariant one: !tlb(writer[0], P).valid || true;\nfinal no_lost_dirty:');
    const m = modelOf({ path: 'named.race', text });
    const run = both(m);
    expect(run.reduced.symmetry?.groups).toEqual([]);
    expect(run.reduced.symmetry?.skipped[0]).toMatch(/names one of writer's CPUs/);
    expect(run.reduced.states).toBe(run.plain.states);
  });

  it('agrees with the unreduced search on every bundled scenario', () => {
    for (const f of bundledFiles()) {
      const m = modelOfFile(f);
      const run = both(m);
      expect(verdicts(m, run.reduced), f).toEqual(verdicts(m, run.plain));
      expect(run.reduced.states, f).toBeLessThanOrEqual(run.plain.states);
    }
  });

  it('agrees with the unreduced search on generated scenarios', () => {
    let grouped = 0;
    fc.assert(fc.property(scenarioArb, ({ text }) => {
      const m = modelOf({ path: 'generated.race', text });
      const run = both(m);
      fc.pre(!run.plain.limit && !run.reduced.limit);
      if (run.reduced.symmetry?.groups.length) grouped++;
      expect(verdicts(m, run.reduced)).toEqual(verdicts(m, run.plain));
      tracesReplay(m, run);
    }), { numRuns: 200, seed: 4242 });
    expect(grouped).toBeGreaterThan(20);
  });
});

describe('partial-order reduction', () => {
  const violatedSet = (m: Model, r: ExploreResult) => m.properties.filter((_, i) => r.violations[i]).map((p) => p.name);

  it('counts the effects of an if nested in an atomic step (a flush there is not independent)', () => {
    // The atomic step only reads a local, but its branch flushes b's TLB entry: taken alone
    // before b's write, it would hide the run where the flush comes after the write.
    const m = modelOf({ path: 'nested.race', text: `use x86_64;
page P { present: true, write: true, accessed: true, pfn: F0 }
frame F0;
disable fill;
disable evict;
cpu a { let x = true; atomic { if (x) { flush(P); } } }
cpu b { write P; }
final still_cached: tlb(b, P).valid;
` });
    const ts = compileModel(m);
    expect(violatedSet(m, explore(ts))).toEqual(['still_cached']);
    expect(violatedSet(m, explore(ts, { por: true }))).toEqual(['still_cached']);
  });

  it('agrees with the unreduced search on every bundled scenario', () => {
    for (const f of bundledFiles()) {
      const m = modelOfFile(f);
      const ts = compileModel(m);
      const plain = explore(ts);
      const por = explore(ts, { por: true });
      expect(violatedSet(m, por), f).toEqual(violatedSet(m, plain));
      expect(por.states, f).toBeLessThanOrEqual(plain.states);
    }
  });

  it('agrees with the unreduced search on generated scenarios, alone and with symmetry', () => {
    let reduced = 0;
    fc.assert(fc.property(scenarioArb, ({ text }) => {
      const m = modelOf({ path: 'generated.race', text });
      const ts = compileModel(m);
      const plain = explore(ts, { maxStates: CAP });
      fc.pre(!plain.limit);
      const por = explore(ts, { maxStates: CAP, por: true });
      const both = explore(ts, { maxStates: CAP, por: true, symmetry: true });
      expect(violatedSet(m, por)).toEqual(violatedSet(m, plain));
      expect(violatedSet(m, both)).toEqual(violatedSet(m, plain));
      if (por.states < plain.states) reduced++;
      for (const r of [por, both]) m.properties.forEach((_, i) => {
        const v = r.violations[i];
        if (v) expect(rebuildTrace(ts, r, v).steps.length).toBe(v.depth);
      });
    }), { numRuns: 200, seed: 777 });
    expect(reduced).toBeGreaterThan(20);
  });
});
