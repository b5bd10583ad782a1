// The relaxed memory mode on random arm64 scenarios (test/gen/arm64.ts): the fast explorer
// (src/compile/relaxed.ts) against the reference interpreter, under --memory relaxed and sc. Both
// must agree on states, transitions and every property's verdict and shortest depth. The
// catalogue differential (relaxed-catalogue.test.ts) covers Arm's own test shapes; this one
// covers what litmus tests lack: fault handlers that fix the PTE and retry, atomics, flushes,
// TLB fills and evictions, invariants and cover goals. Bounded by work: a case over the cap is
// skipped (counted).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { modelOf } from '../../src/check/index.js';
import { Diagnostic, formatDiagnostic } from '../../src/lang/source.js';
import { runFast, runReference } from '../gen/engines.js';
import { exploreReference } from '../../src/reference/index.js';
import { arm64Arb, renderArm64 } from '../gen/arm64.js';

const MODELS = { modelDirs: [join('models')] };
const SEED = Number(process.env.DIFF_SEED ?? 20261203);
const RUNS = Number(process.env.DIFF_RUNS ?? 120);
const CAP = 4000;

describe('arm64 relaxed mode: fast explorer vs reference interpreter on generated scenarios', () => {
  it(`agree on ${RUNS} generated scenarios under both memory modes (seed ${SEED})`, () => {
    const stats = { compared: 0, capped: 0, relaxedOnly: 0, violated: 0, moreStates: 0 };
    fc.assert(fc.property(arm64Arb, (spec) => {
      const text = renderArm64(spec);
      const model = (memory: 'sc' | 'relaxed') => {
        try {
          return modelOf({ path: 'gen-arm64.race', text }, { ...MODELS, memory });
        } catch (e) {
          if (e instanceof Diagnostic) throw new Error(`generated scenario does not check:\n${formatDiagnostic(e)}\n${text}`);
          throw e;
        }
      };
      const results = (['relaxed', 'sc'] as const).map((memory) => {
        const m = model(memory);
        const fast = runFast(m, CAP);
        if (fast.limited) return undefined;
        const ref = runReference(m, CAP);
        const show = (v: typeof fast) => ({ states: v.states, transitions: v.transitions, properties: v.properties });
        expect(show(fast), `${memory}:\n${text}`).toEqual(show(ref));
        // read_early only where a load can use it (src/program/early-reads.ts) loses no violation.
        const every = exploreReference(m, { maxStates: 10 * CAP, everyEarlyRead: true });
        if (!every.limitHit) expect(every.properties.map((p) => p.violated), `everywhere:\n${text}`).toEqual(ref.properties.map((p) => p.violated));
        return fast;
      });
      if (!results[0] || !results[1]) { stats.capped++; return; }
      stats.compared++;
      if (results[0].properties.some((p) => p.violated)) stats.violated++;
      if (results[0].properties.some((p, i) => p.violated !== results[1]!.properties[i]!.violated)) stats.relaxedOnly++;
      // The relaxed steps ran: pending updates, early walks, early reads or pending stores made states sc does not have.
      if (results[0].states > results[1].states) stats.moreStates++;
    }), { seed: SEED, numRuns: RUNS });
    // eslint-disable-next-line no-console
    console.log(`arm64 differential: ${stats.compared} compared, ${stats.capped} over ${CAP} states, ${stats.violated} with a violation, ${stats.moreStates} with more states relaxed than sc, ${stats.relaxedOnly} whose verdicts differ between the modes`);
    expect(stats.compared).toBeGreaterThan(RUNS * 0.7);
    expect(stats.moreStates).toBeGreaterThan(stats.compared / 2);
    expect(stats.relaxedOnly).toBeGreaterThan(0);
  });
});
