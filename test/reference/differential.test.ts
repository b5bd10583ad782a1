// Differential tests: the fast engine (src/compile + src/explore) against the reference
// interpreter (src/reference) on randomly generated scenario *texts* (test/gen/scenario.ts), run
// through the whole pipeline (parse, check, compile/explore vs. interpret). Both must agree on
// the number of states, the number of transitions, and for every property whether it is violated
// and the depth of its shortest violation. The bundled scenarios and proofs are compared too.
//
// Knobs (environment): DIFF_SEED (default below), DIFF_RUNS (default 300). A failure prints the
// seed and path; replay just that case with
//   fc.assert(differentialProperty(), { seed: <seed>, path: '<path>', endOnFailure: true })
// or DIFF_SEED=<seed> DIFF_PATH=<path> npx vitest run test/differential.test.ts
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelOfFile, modelOf } from '../../src/check/index.js';
import type { Model } from '../../src/ir/model.js';
import { Diagnostic, formatDiagnostic } from '../../src/lang/source.js';
import { runFast, runReference, type Verdicts } from '../gen/engines.js';
import { GENERATED_ARCHS, scenarioArb } from '../gen/scenario.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MODELS = { modelDirs: [join(ROOT, 'models')] };
const SEED = Number(process.env.DIFF_SEED ?? 13372025);
const RUNS = Number(process.env.DIFF_RUNS ?? 300);
const PATH = process.env.DIFF_PATH;
/** Both engines stop here; a case that reaches it is skipped (fc.pre), not compared. */
const CAP = 5000;

function check(text: string): Model {
  try {
    return modelOf({ path: 'generated.race', text }, MODELS);
  } catch (e) {
    // The generator must only produce valid scenarios.
    if (e instanceof Diagnostic) throw new Error(`generated scenario does not check:\n${formatDiagnostic(e)}\n${text}`);
    throw e;
  }
}

const stats = { compared: 0, capped: 0, states: 0, interrupts: 0, uses: new Set<string>(), violated: new Map<string, number>(), ms: { check: 0, fast: 0, reference: 0 } };

/** The property: exported so a failing case can be replayed from a REPL or another test. */
export function differentialProperty() {
  return fc.property(scenarioArb, ({ text }) => {
    let t = performance.now();
    const model = check(text);
    stats.ms.check += performance.now() - t; t = performance.now();
    const fast = runFast(model, CAP);
    stats.ms.fast += performance.now() - t; t = performance.now();
    // Too big to compare: skip it before paying for the (much slower) reference run.
    if (fast.limited) {
      stats.capped++;
      fc.pre(false);
    }
    const ref = runReference(model, CAP);
    stats.ms.reference += performance.now() - t;
    // The fast explorer finished under the cap, so the reference must too.
    expect(ref.limited, `reference hit the ${CAP}-state cap, fast explorer found ${fast.states} states:\n${text}`).toBe(false);
    stats.compared++;
    stats.states += fast.states;
    if (model.interrupts.length && text.includes('send_ipi')) stats.interrupts++;
    stats.uses.add(text.slice(0, text.indexOf('\n')));
    for (const p of fast.properties) if (p.violated) stats.violated.set(p.name.replace(/\d+$/, ''), (stats.violated.get(p.name.replace(/\d+$/, '')) ?? 0) + 1);
    const show = (v: Verdicts) => ({ states: v.states, transitions: v.transitions, properties: v.properties });
    // toEqual gives a readable diff; the scenario text goes along in the message.
    expect(show(fast), `fast explorer vs reference on:\n${text}`).toEqual(show(ref));
  });
}

describe('differential: fast explorer vs reference interpreter', () => {
  it(`agree on ${RUNS} generated scenarios (seed ${SEED})`, () => {
    // eslint-disable-next-line no-console
    console.log(`differential: seed ${SEED}, ${RUNS} runs${PATH ? `, path ${PATH}` : ''}`);
    const t0 = Date.now();
    try {
      fc.assert(differentialProperty(), {
        seed: SEED, numRuns: RUNS, maxSkipsPerRun: 1, ...(PATH ? { path: PATH, endOnFailure: true } : {}),
      });
    } catch (e) {
      const m = /seed: (-?\d+), path: "([^"]*)"/.exec(String(e));
      // eslint-disable-next-line no-console
      if (m) console.log(`replay: fc.assert(differentialProperty(), { seed: ${m[1]}, path: '${m[2]}', endOnFailure: true })\n`
        + `    or: DIFF_SEED=${m[1]} DIFF_PATH=${m[2]} npx vitest run test/differential.test.ts`);
      throw e;
    }
    const total = stats.compared + stats.capped;
    // eslint-disable-next-line no-console
    console.log(`differential: ${stats.compared} compared, ${stats.capped} of ${total} generated `
      + `(${((100 * stats.capped) / Math.max(1, total)).toFixed(1)}%) skipped at the ${CAP}-state cap; `
      + `${stats.interrupts} sending interrupts; mean ${(stats.states / Math.max(1, stats.compared)).toFixed(0)} states; ${Date.now() - t0} ms (check `
      + `${stats.ms.check.toFixed(0)}, fast ${stats.ms.fast.toFixed(0)}, reference ${stats.ms.reference.toFixed(0)}); violated: `
      + [...stats.violated].map(([k, n]) => `${k} ${n}`).join(', '));
    if (!PATH) {
      expect(stats.compared).toBeGreaterThanOrEqual(RUNS);
      // Most generated scenarios must fit under the cap, or the test compares too little.
      expect(stats.capped).toBeLessThan(total / 4);
      // The interrupt delivery steps are compared too (send_ipi, ipi_pending, guarded handlers).
      expect(stats.interrupts).toBeGreaterThan(RUNS / 20);
      // Every generated model and parameter set is compared (GENERATED_ARCHS).
      expect([...stats.uses].sort()).toEqual(GENERATED_ARCHS.map((a) => `use ${a};`).sort());
    }
  });
});

function raceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return raceFiles(path);
    return name.endsWith('.race') ? [path] : [];
  });
}

describe('differential: bundled scenarios and proofs', () => {
  const files = [...raceFiles(join(ROOT, 'scenarios')), ...raceFiles(join(ROOT, 'proofs'))];
  it('there are bundled scenarios', () => expect(files.length).toBeGreaterThan(0));
  for (const file of files) {
    it(file.slice(ROOT.length + 1), () => {
      const model = modelOfFile(file, MODELS);
      const fast = runFast(model, 300_000);
      const ref = runReference(model, 300_000);
      expect(fast.limited).toBe(false);
      expect(ref.limited).toBe(false);
      expect({ states: fast.states, transitions: fast.transitions, properties: fast.properties })
        .toEqual({ states: ref.states, transitions: ref.transitions, properties: ref.properties });
    });
  }
});
