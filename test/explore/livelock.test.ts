// The built-in property livelock (src/explore/livelock.ts): a fair cycle in which a CPU keeps
// retrying a faulting access. Each case is checked against the reference interpreter's own,
// independently written check (src/reference/livelock.ts) as well.
import { describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { compileModel } from '../../src/compile/index.js';
import { findLivelock, retryLoops } from '../../src/explore/livelock.js';
import { formatResult } from '../../src/report/text.js';
import { rebuildTrace } from '../../src/report/trace.js';
import { checked, verdictOf } from '../gen/checked.js';
import { runFast, runReference } from '../gen/engines.js';

const scenario = (handler: string, access = 'write P;', other = 'read P;') => `use x86_64;
page P { present: true, write: false, pfn: F0 }
frame F0;
cpu a { ${access} }
cpu b { ${other} }
fault write(p) { ${handler} }
`;

const livelockOf = (text: string) => {
  const m = modelOf({ path: 'l.race', text });
  const fast = runFast(m, 10_000);
  expect(fast).toEqual(runReference(m, 10_000));
  return fast.properties.find((p) => p.name === 'livelock')!;
};

describe('livelock', () => {
  it('a handler that never fixes the fault livelocks; the shortest prefix lets the other CPU finish first', async () => {
    expect(livelockOf(scenario('skip;'))).toEqual({ name: 'livelock', violated: true, depth: 1 });
    const r = await checked(scenario('skip;'), 'l.race');
    const v = verdictOf(r, 'livelock');
    expect(v.status).toBe('violated');
    const lasso = v.violation!.lasso!;
    expect(lasso.cpu).toBe(0);
    const trace = rebuildTrace(r.ts, r.result, v.violation!);
    expect(trace.cycleFrom).toBe(1);
    // The cycle: the write faults, the handler runs, and the state is where the cycle began.
    expect(trace.steps.slice(1).map((s) => (s.actor.kind === 'cpu' ? `${s.actor.cpu}${s.actor.fault ? ' fault' : ''}` : 'hw'))).toEqual(['0 fault', '0']);
    expect(trace.final).toEqual(trace.steps[0]!.after);
    const text = formatResult(r.ts, r.result, r.verdict, { traces: true });
    expect(text).toContain('end the handler with `sigsegv;`');
    expect(text).toContain('----- the cycle: steps 2-3 repeat for ever -----');
    expect(text).toContain('violated livelock: after 1 step (the shortest), a cycle of 2 steps in which a never completes its access:');
  });

  it('sigsegv ends the loop; an expect-fault access that never completes is the claim; a fixed fault completes', () => {
    expect(livelockOf(scenario('sigsegv;')).violated).toBe(false);
    expect(livelockOf(scenario('skip;', 'write P expect fault;')).violated).toBe(false);
    expect(livelockOf(scenario('let e = ptep_get(p); set_pte(p, e with { write: true });')).violated).toBe(false);
  });

  it('fairness: a loop that only lasts while another CPU is able to step and never does is not a livelock', () => {
    // b can never step (it waits for ever), so a's loop is fair from the start: depth 0. (With a
    // b that can read, the loop is fair only once b has read: depth 1, the first case.)
    const waits = scenario('skip;', 'write P;', 'await(false);');
    expect(livelockOf(waits)).toEqual({ name: 'livelock', violated: true, depth: 0 });
  });

  it('fairness: a loop that lasts only while another CPU could step, and whose step ends it, is not a livelock', () => {
    // a faults until b makes the PTE writable; a run in which b never steps is not fair to b.
    expect(livelockOf(scenario('skip;', 'write P;', 'let e = ptep_get(P); set_pte(P, e with { write: true });')).violated).toBe(false);
  });

  it('a second CPU\'s own retry loop makes the cycle fair when both keep faulting', () => {
    const both = scenario('skip;', 'write P;', 'write P;');
    expect(livelockOf(both)).toEqual({ name: 'livelock', violated: true, depth: 0 });
  });

  it('retry loops: the access and its handler, outermost first; expect fault and unhandled accesses have none', () => {
    const m = modelOf({ path: 'l.race', text: scenario('skip;', 'write P; write P expect fault;') });
    const ts = compileModel(m);
    const loops = retryLoops(ts.graph)[0]!;
    const points = ts.graph.cpus[0]!.points;
    const pcOf = (expectFault: boolean) => points.find((p) => p?.stmt.k === 'access' && (p.stmt.expectFault !== undefined) === expectFault)!;
    const plain = pcOf(false);
    expect(loops[plain.pc]).toBe(plain.pc);
    expect(plain.next.k === 'access' && loops[plain.next.fault]).toBe(plain.pc);
    const claimed = pcOf(true);
    expect(loops[claimed.pc]).toBe(-1);
    expect(claimed.next.k === 'access' && loops[claimed.next.fault]).toBe(-1);
  });

  it('a search stopped by a limit leaves livelock undecided, never "holds"', () => {
    const ts = compileModel(modelOf({ path: 'l.race', text: scenario('skip;') }));
    const full = findLivelock(ts);
    expect(full.violation).toBeDefined();
    expect(findLivelock(ts, { maxStates: Math.max(1, full.states - 1) }).limit).toBe('states');
    expect(findLivelock(ts, { maxStates: full.states })).toEqual(full);
  });
});
