// Reference interpreter on hand-built CPU programs: interleavings, locks, deadlock, loops,
// locals, calls. Every count below is derived by hand in the comment next to it.
import { describe, expect, it } from 'vitest';
import { exploreReference, type ReferenceResult } from '../../src/reference/index.js';
import {
  assert_, assertProp, atomic, await_, bin, block, BOOL, call, final, g, global, int, invariant, l, let_, local,
  lock, lockOp, model, num, ret, set, skip, while_,
} from '../../test/gen/kit.js';

const verdict = (r: ReferenceResult, name: string) => r.properties.find((p) => p.name === name)!;
const clean = (r: ReferenceResult) => r.properties.filter((p) => p.violated).map((p) => p.name);

describe('interleaving', () => {
  it('two CPUs assigning distinct globals: 2x2 program points, 4 edges', () => {
    const x = global('x', BOOL), y = global('y', BOOL);
    const r = exploreReference(model({ cpus: [set(g(x), num(1, BOOL)), set(g(y), num(1, BOOL))], globals: [x, y] }));
    expect(r).toMatchObject({ states: 4, transitions: 4, limitHit: false });
    expect(clean(r)).toEqual([]);
  });

  it('maxStates stops the search only when a state has to be discarded', () => {
    const x = global('x', BOOL), y = global('y', BOOL);
    const m = model({ cpus: [set(g(x), num(1, BOOL)), set(g(y), num(1, BOOL))], globals: [x, y] });
    expect(exploreReference(m, { maxStates: 2 })).toMatchObject({ states: 2, limitHit: true });
    expect(exploreReference(m, { maxStates: 4 })).toMatchObject({ states: 4, limitHit: false });
  });

  it('every `any` initial value multiplies the initial states', () => {
    const x = global('x', int(0, 2), [undefined]);
    const ys = { ...global('ys', BOOL), indexBy: 'cpu' as const, init: [undefined, 0] };
    const r = exploreReference(model({ cpus: [block([]), block([])], globals: [x, ys] }));
    expect(r).toMatchObject({ states: 6, transitions: 0 });
  });

  it('an assignment that does not change the state is not a transition, but the pc still moves', () => {
    const x = global('x', BOOL);
    // x = 0 when x is already 0: the program point changes, so it is a transition: 2 states, 1.
    expect(exploreReference(model({ cpus: [set(g(x), num(0, BOOL))], globals: [x] }))).toMatchObject({ states: 2, transitions: 1 });
  });
});

describe('locks', () => {
  it('a spinlock excludes the two critical sections', () => {
    const L = lock('L'), x = global('x', BOOL), y = global('y', BOOL);
    const cs = (v: typeof x) => block([lockOp('lock', L), set(g(v), num(1, BOOL)), lockOp('unlock', L)]);
    const r = exploreReference(model({ cpus: [cs(x), cs(y)], globals: [x, y], locks: [L] }));
    // pcs 0..3 each, minus both inside (pc 1 or 2): 16 - 4 = 12. Each CPU moves 3 times, each
    // move possible only with the other at pc 0 or 3: 2 * 3 * 2 = 12.
    expect(r).toMatchObject({ states: 12, transitions: 12 });
    expect(clean(r)).toEqual([]);
  });

  it('rwsem readers share, a writer excludes them', () => {
    const S = lock('S', 'rwsem');
    const reader = block([lockOp('down_read', S), lockOp('up_read', S)]);
    const reader2 = block([lockOp('down_read', S), lockOp('up_read', S)]);
    expect(exploreReference(model({ cpus: [reader, reader2], locks: [S] }))).toMatchObject({ states: 9, transitions: 12 });
    const writer = block([lockOp('down_write', S), lockOp('up_write', S)]);
    const reader3 = block([lockOp('down_read', S), lockOp('up_read', S)]);
    // 9 combinations minus both holding; 12 edges minus the 2 into that state and the 2 out of it.
    expect(exploreReference(model({ cpus: [writer, reader3], locks: [S] }))).toMatchObject({ states: 8, transitions: 8 });
  });

  it('downgrade_write turns the writer into a reader in one step: readers enter, writers still wait', () => {
    const S = lock('S', 'rwsem');
    const downgrader = block([lockOp('down_write', S), lockOp('downgrade_write', S), lockOp('up_read', S)]);
    const reader = block([lockOp('down_read', S), lockOp('up_read', S)]);
    // pcs 0..3 x 0..2 minus the writer (pc 1) with the reader inside (pc 1): 11 states. Edges: the
    // downgrader's first two moves need the reader outside (2 + 2), its up_read never waits (3);
    // the reader's two moves need the downgrader not writing (3 + 3).
    const r = exploreReference(model({ cpus: [downgrader, reader], locks: [S] }));
    expect(r).toMatchObject({ states: 11, transitions: 13 });
    expect(clean(r)).toEqual([]);
    const writer = block([lockOp('down_write', S), lockOp('up_write', S)]);
    // Against a writer: the downgrader's read hold (pc 2) still excludes it (pc 1), so 12 - 2 = 10.
    expect(exploreReference(model({ cpus: [downgrader, writer], locks: [S] })).states).toBe(10);
    const misuse = exploreReference(model({ cpus: [lockOp('downgrade_write', S)], locks: [S] }));
    expect(verdict(misuse, 'lock_misuse')).toEqual({ name: 'lock_misuse', violated: true, depth: 1 });
  });

  it('unlocking a lock the CPU does not hold is lock_misuse on the first step', () => {
    const L = lock('L');
    const r = exploreReference(model({ cpus: [lockOp('unlock', L)], locks: [L] }));
    expect(r).toMatchObject({ states: 1, transitions: 0 });
    expect(verdict(r, 'lock_misuse')).toEqual({ name: 'lock_misuse', violated: true, depth: 1 });
    // The violating step counts as enabled: this is not a deadlock.
    expect(verdict(r, 'deadlock').violated).toBe(false);
  });

  it('two spinlocks taken in opposite order deadlock after two steps', () => {
    const A = lock('A'), B = lock('B');
    const path = (p: typeof A, q: typeof A) =>
      block([lockOp('lock', p), lockOp('lock', q), lockOp('unlock', q), lockOp('unlock', p)]);
    const r = exploreReference(model({ cpus: [path(A, B), path(B, A)], locks: [A, B] }));
    // pcs 0..4: 25 pairs, minus 5 where a lock would be held twice, minus (3,3) (each holds its
    // first lock after having held both, which needed the other's first lock free).
    expect(r.states).toBe(19);
    expect(verdict(r, 'deadlock')).toEqual({ name: 'deadlock', violated: true, depth: 2 });
  });

  it('await blocks until another CPU sets the flag; alone it deadlocks at once', () => {
    const x = global('x', BOOL);
    const wait = () => await_(bin('==', g(x), num(1, BOOL)));
    const r = exploreReference(model({ cpus: [wait(), set(g(x), num(1, BOOL))], globals: [x] }));
    expect(r).toMatchObject({ states: 3, transitions: 2 });
    expect(clean(r)).toEqual([]);
    const alone = exploreReference(model({ cpus: [wait()], globals: [x] }));
    expect(verdict(alone, 'deadlock')).toEqual({ name: 'deadlock', violated: true, depth: 0 });
  });
});

describe('properties', () => {
  it('an invariant is violated at the depth of the first bad state', () => {
    const x = global('x', int(0, 3));
    const r = exploreReference(model({
      cpus: [block([set(g(x), num(1)), set(g(x), num(2)), set(g(x), num(3))])],
      globals: [x], properties: [invariant('small', bin('<', g(x), num(3)))],
    }));
    expect(r).toMatchObject({ states: 4, transitions: 3 });
    expect(verdict(r, 'small')).toEqual({ name: 'small', violated: true, depth: 3 });
  });

  it('a value outside its int range is overflow, and the step has no successor', () => {
    const x = global('x', int(0, 1));
    const r = exploreReference(model({ cpus: [block([set(g(x), num(1)), set(g(x), bin('+', g(x), num(1)))])], globals: [x] }));
    expect(r).toMatchObject({ states: 2, transitions: 1 });
    expect(verdict(r, 'overflow')).toEqual({ name: 'overflow', violated: true, depth: 2 });
  });

  it('assert fails only in the interleaving where the other CPU ran first', () => {
    const x = global('x', BOOL);
    const r = exploreReference(model({
      cpus: [assert_('still0', bin('==', g(x), num(0, BOOL))), set(g(x), num(1, BOOL))],
      globals: [x], properties: [assertProp('still0')],
    }));
    expect(verdict(r, 'still0')).toEqual({ name: 'still0', violated: true, depth: 2 });
    // states: (assert,set) (done,set) (assert,done) (done,done); the failing assert is a check,
    // not a stop, so (assert,done) -> (done,done) is a transition too.
    expect(r).toMatchObject({ states: 4, transitions: 4 });
  });

  it('final is checked only where every CPU has finished', () => {
    const x = global('x', BOOL);
    const r = exploreReference(model({ cpus: [set(g(x), num(1, BOOL))], globals: [x], properties: [final('zero', bin('==', g(x), num(0, BOOL)))] }));
    expect(verdict(r, 'zero')).toEqual({ name: 'zero', violated: true, depth: 1 });
  });
});

describe('control flow and locals', () => {
  it('a bounded while loop counts its iterations and forgets the counter on exit', () => {
    const x = global('x', int(0, 2));
    const loop = (bound: number) => while_(bin('<', g(x), num(2)), bound, set(g(x), bin('+', g(x), num(1))));
    // test(x=0) body(c=1) test(x=1,c=1) body(c=2) test(x=2,c=2) done: 6 states, 5 steps.
    const ok = exploreReference(model({ cpus: [loop(3)], globals: [x] }));
    expect(ok).toMatchObject({ states: 6, transitions: 5 });
    expect(clean(ok)).toEqual([]);
    // With bound 1 the second true test (from depth 2) violates.
    const bad = exploreReference(model({ cpus: [loop(1)], globals: [x] }));
    expect(verdict(bad, 'loop_bound')).toEqual({ name: 'loop_bound', violated: true, depth: 3 });
  });

  it('a local dropped at the end of its block does not distinguish states', () => {
    const y = global('y', BOOL), t = local('t', BOOL);
    // A reads y into t, which dies at once. (let,set) (let,done) (skip,set) (skip,done) (done,set)
    // (done,done): 6 states (7 if t survived); edges 2+1+2+1+1 = 7.
    const a = block([block([let_(t, g(y))], [t]), skip()]);
    const r = exploreReference(model({ cpus: [a, set(g(y), num(1, BOOL))], globals: [y] }));
    expect(r).toMatchObject({ states: 6, transitions: 7 });
  });

  it('return assigns the call target; a return inside atomic leaves the call at once', () => {
    const r1 = global('r1', int(0, 7)), r2 = global('r2', int(0, 7)), x = global('x', BOOL), v = local('v', BOOL);
    const body = block([atomic([let_(v, num(1, BOOL)), set(g(x), l(v)), ret(9, l(v))], [v]), set(g(r2), num(5))]);
    const cpu = block([call(8, block([ret(8, num(7))]), g(r1)), call(9, body, g(r2)), skip()]);
    const res = exploreReference(model({
      cpus: [cpu], globals: [r1, r2, x],
      properties: [final('returned', bin('&&', bin('==', g(r1), num(7)), bin('==', g(r2), num(1))))],
    }));
    // return 7; atomic; skip: 4 states, 3 steps; r2 = 5 is never reached.
    expect(res).toMatchObject({ states: 4, transitions: 3 });
    expect(clean(res)).toEqual([]);
  });

  it('a false atomic guard disables the step', () => {
    const x = global('x', BOOL);
    const r = exploreReference(model({ cpus: [atomic([set(g(x), num(1, BOOL))], [], g(x))], globals: [x] }));
    expect(r).toMatchObject({ states: 1, transitions: 0 });
    expect(verdict(r, 'deadlock')).toEqual({ name: 'deadlock', violated: true, depth: 0 });
  });
});
