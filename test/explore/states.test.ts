// State sets: the generated bit packer, exact interning, and hash compaction against exact
// storage on the same searches.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundledFiles } from '../gen/bundled.js';
import { modelOfFile, modelOf } from '../../src/check/index.js';
import { compileModel } from '../../src/compile/index.js';
import { explore, type ExploreResult } from '../../src/explore/bfs.js';
import { makePacker } from '../../src/explore/pack.js';
import { stateSet } from '../../src/explore/states.js';
import { rebuildTrace } from '../../src/report/trace.js';
import { WORKLOADS } from '../../bench/workloads.js';
import { scenarioArb } from '../gen/scenario.js';


/** Slot ranges (some constant, some negative, some wide) with a state drawn inside them. */
const layoutArb = fc.array(fc.tuple(fc.integer({ min: -70000, max: 70000 }), fc.integer({ min: 0, max: 70000 })), { minLength: 1, maxLength: 40 })
  .map((rs) => rs.map(([lo, span]) => [lo, lo + (span % 7 === 0 ? 0 : span % 3 === 0 ? 1 : span)] as const));
const stateIn = (ranges: readonly (readonly [number, number])[]) =>
  fc.tuple(...ranges.map(([lo, hi]) => fc.integer({ min: lo, max: hi }))).map((v) => Int32Array.from(v));

describe('bit packer', () => {
  it('unpacks what it packed, and packs different states differently', () => {
    fc.assert(fc.property(layoutArb.chain((ranges) => fc.tuple(fc.constant(ranges), stateIn(ranges), stateIn(ranges))), ([ranges, a, b]) => {
      const p = makePacker(ranges);
      const ka = new Uint32Array(p.words);
      const kb = new Uint32Array(p.words);
      const ha = p.pack(a, ka);
      p.pack(b, kb);
      const back = new Int32Array(ranges.length);
      p.unpack(ka, 0, back);
      expect([...back]).toEqual([...a]);
      const sameState = a.every((x, i) => x === b[i]);
      expect(ka.every((x, i) => x === kb[i])).toBe(sameState);
      expect(p.pack(a, kb)).toBe(ha);
    }), { numRuns: 300, seed: 5 });
  });

  it('gives a slot exactly the bits its range needs', () => {
    expect(makePacker([[0, 1], [0, 1], [3, 3], [0, 255], [0, 65535]]).words).toBe(1); // 1+1+0+8+16 bits
    expect(makePacker([[0, 65535], [0, 65535], [0, 1]]).words).toBe(2); // 32 bits, then one more
    expect(makePacker(Array.from({ length: 32 }, () => [0, 1] as const)).words).toBe(1);
    expect(makePacker(Array.from({ length: 33 }, () => [0, 1] as const)).words).toBe(2);
  });
});

describe('exact state set', () => {
  it('interns each distinct state once, through table growth', () => {
    const ranges = [[0, 3], [0, 200], [-5, 5]] as const;
    const set = stateSet(ranges);
    const key = new Uint32Array(set.words);
    const back = new Int32Array(ranges.length);
    const seen = new Map<string, number>();
    fc.assert(fc.property(fc.array(stateIn(ranges), { minLength: 1, maxLength: 3000 }), (states) => {
      for (const s of states) {
        const r = set.intern(key, 0, set.packer.pack(s, key));
        const index = r < 0 ? ~r : r;
        const text = s.join(',');
        if (seen.has(text)) expect(r).toBe(~seen.get(text)!);
        else { expect(r).toBe(seen.size); seen.set(text, index); }
        expect(set.load(index, back)).toBe(true);
        expect([...back]).toEqual([...s]);
      }
      expect(set.count).toBe(seen.size);
    }), { numRuns: 20, seed: 6 });
  });

  it('touching the entries of states about to be interned changes no number', () => {
    const ranges = [[0, 3], [0, 200], [-5, 5]] as const;
    const plain = stateSet(ranges);
    const touched = stateSet(ranges);
    const key = new Uint32Array(plain.words);
    fc.assert(fc.property(fc.array(stateIn(ranges), { minLength: 1, maxLength: 2000 }), (states) => {
      const hashes = states.map((s) => plain.packer.pack(s, key));
      hashes.forEach((h) => touched.touch(h));
      states.forEach((s, i) => {
        plain.packer.pack(s, key);
        expect(touched.intern(key, 0, hashes[i]!)).toBe(plain.intern(key, 0, hashes[i]!));
      });
    }), { numRuns: 10, seed: 7 });
  });

  it('numbers no more states than its 32-bit table and parent column can hold', () => {
    // The table holds number + 1 in an Int32: the last number must leave room for it.
    expect(stateSet([[0, 1]]).capacity).toBe(2 ** 31 - 2);
    expect(stateSet([[0, 1]], { fingerprints: true }).capacity + 1).toBeLessThanOrEqual(2 ** 31 - 1);
  });
});

describe('hash compaction', () => {
  const same = (m: { properties: readonly { name: string }[] }, a: ExploreResult, b: ExploreResult) => {
    expect(b.states).toBe(a.states);
    expect(b.transitions).toBe(a.transitions);
    expect(b.violations.map((v) => v?.depth)).toEqual(a.violations.map((v) => v?.depth));
    m.properties.forEach((_, i) => { if (b.violations[i]) expect(rebuildTrace(compileOf.get(m)!, b, b.violations[i]!).steps.length).toBe(b.violations[i]!.depth); });
  };
  const compileOf = new Map<object, ReturnType<typeof compileModel>>();
  const run = (m: Parameters<typeof compileModel>[0], opts: object) => {
    const ts = compileOf.get(m) ?? compileModel(m);
    compileOf.set(m, ts);
    return { exact: explore(ts, opts), compact: explore(ts, { ...opts, hashCompact: true }) };
  };

  it('finds what exact storage finds on every bundled scenario, with replayable traces', () => {
    for (const f of bundledFiles()) {
      const m = modelOfFile(f);
      const r = run(m, { symmetry: true });
      same(m, r.exact, r.compact);
    }
  });

  it('finds what exact storage finds on generated scenarios', () => {
    fc.assert(fc.property(scenarioArb, ({ text }) => {
      const m = modelOf({ path: 'generated.race', text });
      const r = run(m, { maxStates: 20000 });
      same(m, r.exact, r.compact);
    }), { numRuns: 100, seed: 8 });
  });

  it('drops expanded states, using less memory, and states the miss probability', () => {
    // A complete search: BFS keeps the frontier, so only expanded states can go.
    // writers-cleaner n=2 m=2 k=1: 625 k states over 31 levels, so the expanded ones dominate.
    const w = WORKLOADS[3]!;
    const m = modelOf({ path: 'w.race', text: w.text });
    const r = run(m, {});
    expect(r.exact.limit).toBeUndefined();
    same(m, r.exact, r.compact);
    expect(r.compact.storage.stateBytes).toBeLessThan(r.exact.storage.stateBytes * 0.75);
    // Packed states live in chunks of 2^14; all but the initial chunk and the last frontier go.
    expect(r.exact.states).toBeGreaterThan(5 << 14);
    for (const i of [1 << 14, 3 << 14]) {
      expect(r.compact.stateAt(i)).toBeUndefined();
      expect(r.exact.stateAt(i)).toBeDefined();
    }
    expect(r.compact.stateAt(0)).toBeDefined();
    expect(r.compact.storage.missProbability).toBeCloseTo((r.compact.states ** 2) / 2 ** 65, 20);
    expect(r.exact.storage.missProbability).toBe(0);
  });
});
