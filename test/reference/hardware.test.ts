// Reference interpreter with pages: hardware fill/evict, access rules, faults and handlers,
// flushes, access properties and hardware-rescued deadlocks. Counts derived by hand.
import { describe, expect, it } from 'vitest';
import { exploreReference, type ReferenceResult } from '../../src/reference/index.js';
import {
  access, await_, bin, block, BOOL, field, flush, if_, model, num, onAccess, record, set, setPte, skip, TLB, tlbOf,
  TRUE, version,
} from '../../test/gen/kit.js';

const verdict = (r: ReferenceResult, name: string) => r.properties.find((p) => p.name === name)!;
const violatedNames = (r: ReferenceResult) => r.properties.filter((p) => p.violated).map((p) => p.name);
// PTE values in `PTE` field order: present, write, dirty, accessed, pfn.
const present = [1, 1, 0, 1, 0];
const idle = () => block([]);

describe('hardware steps', () => {
  it('fill and evict toggle one entry: 2 states, 2 transitions', () => {
    expect(exploreReference(model({ cpus: [idle()], pages: [present] }))).toMatchObject({ states: 2, transitions: 2 });
  });

  it('fill sets accessed, so the first fill leads somewhere a later fill never returns to', () => {
    // (A=0, empty) -fill-> (A=1, valid) -evict-> (A=1, empty) -fill-> (A=1, valid): 3 states, 3.
    const r = exploreReference(model({ cpus: [idle()], pages: [[1, 1, 0, 0, 0]] }));
    expect(r).toMatchObject({ states: 3, transitions: 3 });
  });

  it('a non-present page is never cached, and disabled rules do not run', () => {
    expect(exploreReference(model({ cpus: [idle()], pages: [[0, 1, 0, 1, 0]] }))).toMatchObject({ states: 1, transitions: 0 });
    expect(exploreReference(model({ cpus: [idle()], pages: [present], disabled: ['evict'] })))
      .toMatchObject({ states: 2, transitions: 1 });
  });

  it('each CPU has its own entry: 2 CPUs give 4 states, each with 2 toggles', () => {
    expect(exploreReference(model({ cpus: [idle(), idle()], pages: [present] }))).toMatchObject({ states: 4, transitions: 8 });
  });

  it('an entry whose valid bit is cleared is stored as the empty entry', () => {
    // `tlb.valid = false` keeps the other fields in the rule, but an invalid entry is all zeros:
    // after fill + this evict the state equals the initial one (2 states, 2 transitions, not 3).
    const m = model({ cpus: [idle()], pages: [present] });
    const evictValidOnly = block([if_(field('tlbe', { k: 'ruleTlb' }, TLB.valid),
      set({ k: 'field', rec: 'tlbe', target: { k: 'ruleTlb' }, index: TLB.valid }, num(0, BOOL)))]);
    const arch = { ...m.arch, hardware: [m.arch.hardware[0]!, { name: 'evict', body: evictValidOnly, locals: [] }] };
    expect(exploreReference({ ...m, arch })).toMatchObject({ states: 2, transitions: 2 });
  });

  it('flush empties the entry in one step', () => {
    // (flush,empty) (flush,valid) (done,empty) (done,valid); fill 0->1, 2->3; flush 0->2, 1->2.
    const r = exploreReference(model({ cpus: [flush([0])], pages: [present], disabled: ['evict'] }));
    expect(r).toMatchObject({ states: 4, transitions: 4 });
  });

  it('a deadlock that a fill would unblock is not a deadlock', () => {
    const waitForTlb = () => await_(field('tlbe', tlbOf(0, 0), TLB.valid));
    const rescued = exploreReference(model({ cpus: [waitForTlb()], pages: [present], disabled: ['evict'] }));
    expect(verdict(rescued, 'deadlock').violated).toBe(false);
    const stuck = exploreReference(model({ cpus: [waitForTlb()], pages: [present], disabled: ['fill', 'evict'] }));
    expect(verdict(stuck, 'deadlock')).toEqual({ name: 'deadlock', violated: true, depth: 0 });
  });
});

describe('accesses', () => {
  it('a write walks, sets dirty, caches the entry and bumps the frame version', () => {
    const r = exploreReference(model({
      cpus: [access('write', 0)], pages: [present], disabled: ['fill', 'evict'], maxVersion: 1,
      properties: [onAccess('wrote', 'write', bin('==', version(0), num(1)))],
    }));
    expect(r).toMatchObject({ states: 2, transitions: 1 });
    expect(violatedNames(r)).toEqual([]);
  });

  it('an access property sees the binders and fails on the step, which still completes', () => {
    const r = exploreReference(model({
      cpus: [access('write', 0)], pages: [present], disabled: ['fill', 'evict'],
      properties: [onAccess('never', 'write', bin('!=', { k: 'accessFrame' }, num(0, { k: 'frame' })))],
    }));
    // The write happened: its result (the CPU finished, version 1) is a state of its own.
    expect(r).toMatchObject({ states: 2, transitions: 1 });
    expect(verdict(r, 'never')).toEqual({ name: 'never', violated: true, depth: 1 });
  });

  it('a second write beyond maxVersion is overflow', () => {
    const r = exploreReference(model({
      cpus: [block([access('write', 0), access('write', 0)])], pages: [present], disabled: ['fill', 'evict'], maxVersion: 1,
    }));
    expect(verdict(r, 'overflow')).toEqual({ name: 'overflow', violated: true, depth: 2 });
  });

  it('a fault without a handler is unhandled_fault', () => {
    const r = exploreReference(model({ cpus: [access('read', 0)], pages: [[0, 0, 0, 0, 0]], disabled: ['fill', 'evict'] }));
    expect(verdict(r, 'unhandled_fault')).toEqual({ name: 'unhandled_fault', violated: true, depth: 1 });
    expect(r.states).toBe(1);
  });

  it('a handler runs, then the access is retried', () => {
    const handler = block([setPte(0, record('pte', [TRUE, TRUE, num(0, BOOL), num(0, BOOL), num(0, { k: 'frame' })]))]);
    // (access, not present) -fault-> (set_pte) -> (access, present) -write-> done: 4 states, 3.
    const r = exploreReference(model({ cpus: [access('write', 0, handler)], pages: [[0, 0, 0, 0, 0]], disabled: ['fill', 'evict'] }));
    expect(r).toMatchObject({ states: 4, transitions: 3 });
    expect(violatedNames(r)).toEqual([]);
  });

  it('a fault whose handler changes nothing returns to the same state: no transition, and a livelock', () => {
    // The read faults forever; the step is enabled (no deadlock) but is not a transition. The
    // self-loop is a cycle the CPU runs for ever without completing the access: livelock at depth 0.
    const r = exploreReference(model({ cpus: [access('read', 0, block([]))], pages: [[0, 0, 0, 0, 0]], disabled: ['fill', 'evict'] }));
    expect(r).toMatchObject({ states: 1, transitions: 0 });
    expect(violatedNames(r)).toEqual(['livelock']);
    expect(verdict(r, 'livelock')).toEqual({ name: 'livelock', violated: true, depth: 0 });
  });

  it('a write through a read-only cached entry faults even after the PTE became writable', () => {
    // Read caches W=0; then the PTE is made writable; the write still faults (no handler).
    const writable = record('pte', [TRUE, TRUE, num(0, BOOL), TRUE, num(0, { k: 'frame' })]);
    const r = exploreReference(model({
      cpus: [block([access('read', 0), setPte(0, writable), access('write', 0), skip()])],
      pages: [[1, 0, 0, 1, 0]], disabled: ['fill', 'evict'],
    }));
    expect(verdict(r, 'unhandled_fault')).toEqual({ name: 'unhandled_fault', violated: true, depth: 3 });
    expect(r).toMatchObject({ states: 3, transitions: 2 });
  });

  it('the stale entry is usable until evicted: with evict, the write may succeed', () => {
    const writable = record('pte', [TRUE, TRUE, num(0, BOOL), TRUE, num(0, { k: 'frame' })]);
    const r = exploreReference(model({
      cpus: [block([access('read', 0), setPte(0, writable), access('write', 0)])],
      pages: [[1, 0, 0, 1, 0]], disabled: ['fill'],
    }));
    // s0 read-> s1(ro entry) ; s1 evict-> s2, s1 set_pte-> s3(write, ro entry) ; s2 set_pte-> s4
    // (write, empty) ; s3 faults (depth 3), s3 evict-> s4 ; s4 write-> s5 (v=1) evict-> s6: 7, 7.
    expect(verdict(r, 'unhandled_fault')).toEqual({ name: 'unhandled_fault', violated: true, depth: 3 });
    expect(r).toMatchObject({ states: 7, transitions: 7 });
  });
});
