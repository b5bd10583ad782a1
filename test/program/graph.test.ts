// The program graph: one point per step, control-only statements gone, successors and live
// locals as the language defines them (docs/LANGUAGE.md "Statements and steps").
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelOf, modelOfFile } from '../../src/check/index.js';
import { FINISHED, pointText, programGraph, targets, type CpuProgram, type ProgramPoint } from '../../src/program/graph.js';
import { bundledFiles } from '../gen/bundled.js';
import { scenarioArb } from '../gen/scenario.js';

function graphOf(text: string) {
  return programGraph(modelOf({ path: 'g.race', text }));
}

/** Points in pc order, as `text -> successors`. */
function shape(p: CpuProgram): string[] {
  return p.points.flatMap((n) => (n ? [`${n.pc}: ${pointText(n)} -> ${JSON.stringify(n.next)}`] : []));
}

function wellFormed(p: CpuProgram) {
  expect(p.points[FINISHED]).toBeUndefined();
  expect(p.entry === FINISHED || p.points[p.entry] !== undefined).toBe(true);
  p.points.forEach((n, pc) => {
    if (!n) return;
    expect(n.pc).toBe(pc);
    for (const t of targets(n.next)) expect(t === FINISHED || p.points[t] !== undefined).toBe(true);
  });
}

describe('program graph', () => {
  it('flattens blocks, calls and loops into steps with their successors', () => {
    const g = graphOf(`use x86_64;
page P { present: true, write: true, pfn: F0 }
frame F0;
bool flag = false;
proc twice() -> bool { flag = true; return flag; }
cpu c {
  let ok = twice();
  if (ok) { write P; } else { skip; }
  while (flag) bound 2 { flag = false; }
}
`);
    const p = g.cpus[0]!;
    wellFormed(p);
    // A block takes no step; its statements are numbered last first, a branch before its else.
    expect(shape(p)).toEqual([
      '1: while (flag) bound 2 -> {"k":"loop","body":2,"exit":0}',
      '2: flag = false; -> {"k":"step","next":1}',
      '3: if (ok) -> {"k":"branch","then":4,"else":5}',
      '4: write P; -> {"k":"access","done":1,"fault":4,"handled":false}',
      '5: skip; -> {"k":"step","next":1}',
      '6: twice() > return flag; -> {"k":"step","next":3}',
      '7: twice() > flag = true; -> {"k":"step","next":6}',
    ]);
    expect(p.entry).toBe(7);
    const at = (pc: number) => p.points[pc]!.scope.map((l) => l.name);
    expect(at(7)).toEqual(['ok']);
    expect(at(3)).toEqual(['ok']);
    expect(at(2)).toEqual(['ok', '#iterations']);
  });

  it('sends a fault to the handler, or back to the access when the handler takes no step', () => {
    const withHandler = graphOf(`use x86_64;
page P { present: false, pfn: F0 }
frame F0;
spinlock ptl;
cpu c { write P; }
fault write(p) { lock(ptl); unlock(ptl); }
`).cpus[0]!;
    wellFormed(withHandler);
    const access = withHandler.points.find((n): n is ProgramPoint => n?.stmt.k === 'access')!;
    expect(access.next).toMatchObject({ k: 'access', done: FINISHED, handled: true });
    const handlerEntry = withHandler.points[(access.next as { fault: number }).fault]!;
    expect(pointText(handlerEntry)).toBe('lock(ptl);');
    expect(handlerEntry.next).toEqual({ k: 'step', next: handlerEntry.pc - 1 });
    expect(withHandler.points[handlerEntry.pc - 1]!.next).toEqual({ k: 'step', next: access.pc });

    const empty = graphOf(`use x86_64;
page P { present: false, pfn: F0 }
frame F0;
cpu c { write P; }
fault write(p) { }
`).cpus[0]!;
    expect(empty.points[1]!.next).toEqual({ k: 'access', done: FINISHED, fault: 1, handled: true });
  });

  it('labels the steps of nested inlined calls with the calls as written', () => {
    const p = graphOf(`use x86_64;
page P { present: true, pfn: F0 }
frame F0;
bool a = false;
proc inner() { a = true; a = false; }
proc one() { a = true; }
proc outer() { inner(); one(); }
cpu c { outer(); }
`).cpus[0]!;
    expect(p.points.flatMap((n) => (n ? [pointText(n)] : [])).sort()).toEqual([
      'outer() > inner() > a = false;', 'outer() > inner() > a = true;', 'outer() > one()',
    ]);
  });

  it('is well formed for every bundled and generated scenario', () => {
    for (const f of bundledFiles()) programGraph(modelOfFile(f)).cpus.forEach(wellFormed);
    fc.assert(fc.property(scenarioArb, ({ text }) => { graphOf(text).cpus.forEach(wellFormed); }), { numRuns: 150, seed: 41 });
  });
});
