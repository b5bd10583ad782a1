// The compact (tree-compressed) store against the exact store: the same numbers for the same
// packed vectors, the same `find` answers, the same states read back; the same searches and the
// same JSON reports from the command line; and honest byte counts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelOf, modelOfFile } from '../../src/check/index.js';
import { compileModel } from '../../src/compile/index.js';
import { explore } from '../../src/explore/bfs.js';
import { stateSet, type StateSet } from '../../src/explore/states.js';
import { WORKLOADS } from '../../bench/workloads.js';
import { bundledFiles } from '../gen/bundled.js';
import { expectSame } from '../gen/same.js';
import { run } from '../cli/harness.js';

/** A set whose packed state is `words` whole 32-bit words (each slot takes a word). */
const setOf = (words: number, store: 'exact' | 'compact'): StateSet =>
  stateSet(Array.from({ length: words }, () => [0, 0xffffffff] as const), { store });

/** The packed words of stored state `index`, read back through `load` and packed again. */
function wordsOf(set: StateSet, index: number): number[] {
  const out = new Int32Array(set.words);
  expect(set.load(index, out)).toBe(true);
  const key = new Uint32Array(set.words);
  set.packer.pack(out, key);
  return [...key];
}

/** Words from a few values (much sharing, many duplicates) or any 32-bit value. */
const wordArb = fc.oneof(fc.constantFrom(0, 1, 2, 0xffffffff, 0x80000000), fc.nat({ max: 0xffffffff }));

/** Interns (or looks up, `false`) each vector in both stores and expects the same answers. */
function sameAnswers(words: number, ops: readonly (readonly [boolean, readonly number[]])[]): void {
  const exact = setOf(words, 'exact');
  const compact = setOf(words, 'compact');
  const key = Uint32Array.from({ length: words }, () => 0);
  const seen = new Map<string, number>();
  for (const [add, v] of ops) {
    key.set(v);
    // Some callers hand the words over signed (successor records are Int32Arrays).
    const signed = new Int32Array(key.buffer.slice(0));
    const hash = exact.packer.pack(new Int32Array(key.buffer.slice(0)), new Uint32Array(words));
    const text = v.join(',');
    if (add) {
      const r = exact.intern(key, 0, hash);
      expect(compact.intern(signed, 0, hash)).toBe(r);
      expect(r).toBe(seen.has(text) ? ~seen.get(text)! : seen.size);
      if (!seen.has(text)) seen.set(text, seen.size);
    } else {
      const r = exact.find(signed, 0, hash);
      expect(compact.find(key, 0, hash)).toBe(r);
      expect(r).toBe(seen.get(text) ?? -1);
    }
    expect(compact.count).toBe(exact.count);
  }
  for (let i = 0; i < exact.count; i++) expect(wordsOf(compact, i)).toEqual(wordsOf(exact, i));
  expect(compact.load(exact.count, new Int32Array(words))).toBe(false);
}

describe('compact store', () => {
  it('numbers, finds and reads back random packed vectors as the exact store does', () => {
    const caseArb = fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 11).chain((words) => fc.tuple(
      fc.constant(words),
      fc.array(fc.array(wordArb, { minLength: words, maxLength: words }), { minLength: 1, maxLength: 40 }).chain((pool) =>
        // Draw from a small pool so that duplicates, and vectors sharing halves, are common.
        fc.array(fc.tuple(fc.boolean(), fc.constantFrom(...pool), fc.array(wordArb, { minLength: words, maxLength: words }), fc.nat(3)), { minLength: 1, maxLength: 300 })
          .map((ops) => ops.map(([add, a, b, mix]) => [add, mix === 0 ? b : mix === 1 ? a.map((x, i) => (i % 2 ? b[i]! : x)) : a] as const)))));
    fc.assert(fc.property(caseArb, ([words, ops]) => sameAnswers(words, ops)), { numRuns: 300, seed: 14 });
  });

  it('keeps its answers through table growth and past a chunk of states', () => {
    // 40 000 distinct states: past a chunk (2^14) and several growths of both tables.
    for (const words of [1, 3, 6]) {
      const ops: [boolean, number[]][] = [];
      for (let i = 0; i < 40000; i++) {
        const v = Array.from({ length: words }, (_, w) => (w === words - 1 ? i * 2654435761 : (i >>> (3 * w)) & 7) >>> 0);
        ops.push([true, v]);
        if (i % 5 === 0) ops.push([true, ops[i >>> 1]![1]], [false, v.map((x) => x ^ 1)]);
      }
      sameAnswers(words, ops);
    }
  });

  it('is exact, on one thread only', () => {
    const s = setOf(3, 'compact');
    expect([s.exact, s.missProbability, s.capacity]).toEqual([true, 0, setOf(3, 'exact').capacity]);
    expect(() => stateSet([[0, 1]], { store: 'compact', shared: true })).toThrow(/one thread/);
    expect(() => stateSet([[0, 1]], { store: 'compact', fingerprints: true })).toThrow(/one thread/);
  });

  it('counts bytes that grow with distinct states, and fewer than the exact store where states share', () => {
    const words = 8;
    const compact = setOf(words, 'compact');
    const exact = setOf(words, 'exact');
    const key = new Uint32Array(words);
    let before = compact.bytes;
    expect(before).toBeGreaterThan(0);
    // Every word one of four values: 4^8 vectors over few distinct halves.
    for (let i = 0; i < 60000; i++) {
      for (let w = 0; w < words; w++) key[w] = (i >>> (2 * w)) & 3;
      compact.intern(key, 0, 0);
      exact.intern(key, 0, exact.packer.pack(Int32Array.from(key), new Uint32Array(words)));
      if ((i & 4095) === 4095) {
        expect(compact.bytes).toBeGreaterThanOrEqual(before);
        before = compact.bytes;
      }
    }
    expect(compact.count).toBe(60000);
    // Duplicates add nothing.
    const full = compact.bytes;
    for (let i = 0; i < 1000; i++) { key.fill(i & 3); compact.intern(key, 0, 0); }
    expect(compact.bytes).toBe(full);
    expect(compact.bytes).toBeGreaterThan(setOf(words, 'compact').bytes * 2);
    expect(compact.bytes).toBeLessThan(exact.bytes * 0.6);
  });
});

describe('compact store in the search', () => {
  it('gives the exact store\'s search on every bundled scenario and proof', () => {
    for (const f of bundledFiles()) {
      const ts = compileModel(modelOfFile(f));
      for (const opts of [{ symmetry: true, por: true }, {}]) {
        expectSame(explore(ts, opts), explore(ts, { ...opts, store: 'compact' }), `${f} ${JSON.stringify(opts)}`);
      }
    }
  });

  it('uses fewer bytes than the exact store on a workload (writers-cleaner n=2 m=2 k=1)', () => {
    const ts = compileModel(modelOf({ path: 'w.race', text: WORKLOADS[3]!.text }));
    const exact = explore(ts, { maxStates: 200000 });
    const compact = explore(ts, { maxStates: 200000, store: 'compact' });
    expectSame(exact, compact, 'writers-cleaner');
    expect(compact.storage.exact).toBe(true);
    expect(compact.storage.missProbability).toBe(0);
    expect(compact.storage.stateBytes).toBeLessThan(exact.storage.stateBytes);
  });
});

describe('--store', () => {
  // Of varied size: 85 (violated), 247 (two violations), 2014 (violated) and 5055 states (holds).
  const FILES = [
    'scenarios/tutorial/peterson-broken.race',
    'scenarios/bugs/cve-2024-36943-pagemap-scan-stale-ptent.race',
    'scenarios/bugs/60bae7370896-migrate-vma-flush-after-unlock.race',
    'scenarios/bugs/1cf35d47712d-zap-flush-under-ptl.race',
  ];
  const json = (stdout: string) => JSON.parse(stdout, (k, v) => (k === 'ms' ? undefined : v)) as { results: { stats: { states: number }; properties: { trace?: unknown[] }[] }[] };

  it('compact prints the JSON report exact prints: verdicts, state counts and traces', async () => {
    for (const f of FILES) {
      const exact = await run('check', '--format', 'json', f);
      const compact = await run('check', '--format', 'json', '--store', 'compact', f);
      expect(compact.code, f).toBe(exact.code);
      expect(exact.code, f).toBe(0);
      expect(json(compact.stdout), f).toEqual(json(exact.stdout));
      expect(json(exact.stdout).results[0]!.stats.states, f).toBeGreaterThan(50);
    }
    const traced = await run('check', '--format', 'json', '--store', 'compact', FILES[2]!);
    expect(json(traced.stdout).results[0]!.properties.some((p) => (p.trace?.length ?? 0) > 0)).toBe(true);
  });

  it('--store exact is the default; anything else, or compact with threads, is a usage error (2)', async () => {
    const f = FILES[0]!;
    expect(json((await run('check', '--format', 'json', '--store', 'exact', f)).stdout)).toEqual(json((await run('check', '--format', 'json', f)).stdout));
    const cases: [string[], RegExp][] = [
      [['--store', 'tree'], /--store is exact or compact, found 'tree'/],
      [['--store', 'compact', '--threads', '2'], /--store compact runs on one thread: leave out --threads/],
      [['--store', 'compact', '--hash-compact'], /--store compact is an exact store: leave out --hash-compact/],
      [['--store', 'compact', '--distributed', 'nats://127.0.0.1:4222', '--partitions', '2'], /--store compact runs on one thread: leave out --distributed/],
    ];
    for (const [flags, message] of cases) {
      const r = await run('check', ...flags, f);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr, flags.join(' ')).toMatch(message);
    }
    expect((await run('check', '--store', 'compact', '--threads', '1', f)).code).toBe(0);
    expect((await run('check', '--help')).stdout).toMatch(/--store S +how states are stored: exact \(default/);
  });
});
