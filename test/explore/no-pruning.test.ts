// A step that breaks an assert or an access property completes, and the search goes on from its
// result: a property violated only further along that path still gets its verdict and its own
// shortest trace (issue 15 §1). Each case puts a second violation of another kind behind the
// first; the engine (every reduction) and the reference interpreter must both find it.
import { describe, expect, it } from 'vitest';
import { checkText, traceOf, type CheckedFile } from '../../src/index.js';
import { exploreReference } from '../../src/reference/index.js';

const head = `use x86_64;
page P { present: true, write: true, accessed: true, dirty: true, pfn: F0 }
frame F0;
disable evict;
bool b = false;
`;

interface Case { name: string; text: string; first: string; second: string }

const cases: Case[] = [
  {
    name: 'assert, then an invariant',
    text: `${head}cpu a { assert first: b; b = true; }\ninvariant second: !b;\n`,
    first: 'first', second: 'second',
  },
  {
    name: 'on write, then an invariant',
    text: `${head}cpu a { write P; b = true; }\non write first(c, p, f): false;\ninvariant second: !b;\n`,
    first: 'first', second: 'second',
  },
  {
    name: 'on read, then a final property',
    text: `${head}cpu a { read P; b = true; }\non read first(c, p, f): false;\nfinal second: !b;\n`,
    first: 'first', second: 'second',
  },
  {
    name: 'on write, then an assert',
    text: `${head}cpu a { write P; assert second: false; }\non write first(c, p, f): false;\n`,
    first: 'first', second: 'second',
  },
  {
    name: 'assert, then a deadlock',
    text: `${head}spinlock l;\ncpu a { lock(l); assert first: false; lock(l); }\n`,
    first: 'first', second: 'deadlock',
  },
  {
    name: 'on write, then lock misuse',
    text: `${head}spinlock l;\ncpu a { write P; unlock(l); }\non write first(c, p, f): false;\n`,
    first: 'first', second: 'lock_misuse',
  },
];

const OPTIONS = [
  { name: 'default reductions', opts: {} },
  { name: 'no reductions', opts: { por: false, symmetry: false } },
  { name: 'hash compaction', opts: { hashCompact: true } },
  { name: 'two threads', opts: { threads: 2 } },
];

type Checked = Extract<CheckedFile, { kind: 'checked' }>;
const depthOf = (r: Checked, name: string) => r.verdict.properties.find((p) => p.property.name === name)?.violation?.depth;

describe('a violation does not prune the search', () => {
  for (const c of cases) {
    for (const o of OPTIONS) {
      it(`${c.name} (${o.name})`, async () => {
        const r = await checkText(c.text, { path: 'second.race', ...o.opts });
        if (r.kind !== 'checked') throw new Error(`not checked: ${r.kind}`);
        const violated = r.verdict.properties.filter((p) => p.status === 'violated').map((p) => p.property.name);
        expect(violated).toEqual(expect.arrayContaining([c.first, c.second]));
        // The second is found behind the first (a deadlock is the state the failing step led to).
        expect(depthOf(r, c.second)!).toBeGreaterThanOrEqual(depthOf(r, c.first)!);
        // The reference interpreter agrees on every property and its shortest depth.
        const ref = exploreReference(r.model);
        for (const p of r.verdict.properties) {
          expect(ref.properties.find((q) => q.name === p.property.name), p.property.name)
            .toEqual(p.status === 'violated' ? { name: p.property.name, violated: true, depth: p.violation!.depth } : { name: p.property.name, violated: false });
        }
      });
    }
  }

  it('`expect violated X` is missed when another property is violated behind X (exit 1)', async () => {
    const text = `${head}cpu a { write P; b = true; }\non write w(c, p, f): false;\ninvariant later: !b;\nexpect violated w;\n`;
    const r = await checkText(text, { path: 'expect.race' });
    expect(r.kind).toBe('checked');
    expect(r.exit).toBe(1);
  });

  it('the trace of a broken on-write property ends in the state after the write', async () => {
    const text = `${head}cpu a { write P; }\non write w(c, p, f): false;\n`;
    const r = await checkText(text, { path: 'after.race', reports: true });
    if (r.kind !== 'checked') throw new Error(r.kind);
    const w = r.verdict.properties.find((p) => p.property.name === 'w')!;
    const trace = traceOf(r.ts, r.result, w.violation!);
    const last = trace.steps.at(-1)!;
    expect(last.failing).toBe(true);
    // Judged after the write: the frame's version (the count of completed writes) is 1.
    const version = r.ts.layout.versionBase;
    expect(trace.final[version]).toBe(1);
    expect(last.after[version]).toBe(1);
  });
});

describe('simulation and explanation see a step that broke a property and completed', () => {
  it('simulate stops at a failing assert, with the state after it', async () => {
    const { simulate } = await import('../../src/simulate/index.js');
    const r = await checkText(`${head}cpu a { b = true; assert first: !b; }\n`, { path: 'sim.race' });
    if (r.kind !== 'checked') throw new Error(r.kind);
    const sim = simulate(r.ts, { seed: 1, steps: 100 });
    expect(sim.end).toBe('violated');
    expect(r.model.properties[sim.property!]!.name).toBe('first');
    expect(sim.trace.steps.at(-1)!.failing).toBe(true);
  });
});
