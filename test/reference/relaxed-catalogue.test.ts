// The relaxed memory mode (arm64, src/compile/relaxed.ts) against the reference interpreter
// (src/reference), on every test of herdtools7's aarch64-VMSA catalogue the litmus front end
// translates (the copy vendored in test/litmus-catalogue, CeCILL-B): pending hardware updates,
// early walks, TLBIs, DSBs and ISBs in the shapes Arm's own tests use. Both engines must agree
// on states, transitions and every property's verdict and shortest depth. The reference with
// read_early enabled everywhere (no pruning) must find the same violations, and so must the
// fast explorer with partial-order reduction. Tests over the cap are skipped (counted), so the
// run is bounded by work.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { Diagnostic } from '../../src/lang/source.js';
import { parseLitmus } from '../../src/litmus/parse.js';
import { translate } from '../../src/litmus/translate.js';
import { runFast, runReference } from '../gen/engines.js';
import { compileModel } from '../../src/compile/index.js';
import { explore } from '../../src/explore/bfs.js';
import { exploreReference } from '../../src/reference/index.js';
import { earlyReadTargets } from '../../src/program/early-reads.js';
import { programGraph } from '../../src/program/graph.js';

const TESTS = join('test', 'litmus-catalogue', 'aarch64-VMSA', 'tests');
const MODELS = { modelDirs: [join('models')] };
const CAP = 700;

function litmusFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? litmusFiles(p) : e.endsWith('.litmus') ? [p] : [];
  });
}

/** The scenario text of a catalogue test, or undefined when the front end does not support it. */
function scenarioOf(path: string): string | undefined {
  try {
    return translate(parseLitmus({ path, text: readFileSync(path, 'utf8') })).text;
  } catch (e) {
    if (e instanceof Diagnostic) return undefined;
    throw e;
  }
}

describe('relaxed mode: fast explorer vs reference interpreter on the aarch64-VMSA catalogue', () => {
  it('agree on every translated test under the cap, and the relaxed steps are exercised', () => {
    let compared = 0;
    let capped = 0;
    let relaxedOnly = 0;
    let pruned = 0;
    let reduced = 0;
    for (const path of litmusFiles(TESTS)) {
      const text = scenarioOf(path);
      if (text === undefined) continue;
      const model = modelOf({ path: `${path}.race`, text }, { ...MODELS, memory: 'relaxed' });
      expect(model.relaxed).toBe(true);
      const fast = runFast(model, CAP);
      if (fast.limited) { capped++; continue; }
      const ref = runReference(model, CAP);
      expect({ states: fast.states, transitions: fast.transitions, properties: fast.properties }, path)
        .toEqual({ states: ref.states, transitions: ref.transitions, properties: ref.properties });
      // POR's independence covers the relaxed state (src/compile/independence.ts): same violations.
      const por = explore(compileModel(model), { maxStates: CAP, por: true });
      expect(model.properties.map((_, i) => por.violations[i] !== undefined), path).toEqual(ref.properties.map((p) => p.violated));
      if (por.states < fast.states) reduced++;
      // A verdict the sequentially consistent mode cannot reach shows the relaxed steps ran.
      const sc = runFast(modelOf({ path: `${path}.race`, text }, { ...MODELS, memory: 'sc' }), CAP);
      if (fast.properties.some((p, i) => p.violated && !sc.properties[i]!.violated)) relaxedOnly++;
      // read_early only where its load is ahead (src/program/early-reads.ts), which both
      // engines share: with it anywhere, the reference finds the same violations.
      const loads = earlyReadTargets(programGraph(model)).some((targets) => targets.length > 0);
      const every = loads ? exploreReference(model, { maxStates: 2 * CAP, everyEarlyRead: true }) : undefined;
      if (every && !every.limitHit) {
        expect(every.properties.map((p) => p.violated), path).toEqual(ref.properties.map((p) => p.violated));
        expect(every.states, path).toBeGreaterThanOrEqual(ref.states);
        if (every.states > ref.states) pruned++;
      }
      compared++;
    }
    // eslint-disable-next-line no-console
    console.log(`relaxed catalogue differential: ${compared} compared, ${capped} over ${CAP} states, ${relaxedOnly} with a violation only the relaxed mode reaches, ${pruned} where the early-read pruning removed states, ${reduced} where POR did`);
    expect(compared).toBeGreaterThan(300);
    expect(relaxedOnly).toBeGreaterThan(45);
    expect(pruned).toBeGreaterThan(20);
    expect(reduced).toBeGreaterThan(0);
  });
});
