// arm64's relaxed mode (docs/models/arm64.md "Relaxed mode", src/compile/relaxed.ts): pending
// hardware updates and early walks. Each scenario runs on both engines (same states, same
// verdicts) and under both memory modes, and asserts a verdict that differs between them or that
// a wrong rule would change.
import { describe, expect, it } from 'vitest';
import { traceOf, type RunOptions } from '../../src/index.js';
import { checked as checkedText, verdictOf, type Checked } from '../gen/checked.js';
import { exploreReference } from '../../src/reference/index.js';
import { describeState } from '../../src/report/decode.js';
import { exportRefusal } from '../../src/export/promela.js';
import { run as cli } from '../cli/harness.js';

async function run(text: string, memory: 'sc' | 'relaxed', opts: Partial<RunOptions> = {}): Promise<Checked> {
  const r = await checkedText(text, 'relaxed.race', { por: false, symmetry: false, memory, ...opts });
  expect(r.model.relaxed).toBe(memory === 'relaxed');
  const ref = exploreReference(r.model);
  expect(ref.states).toBe(r.result.states);
  expect(ref.transitions).toBe(r.result.transitions);
  for (const p of r.verdict.properties) {
    const mine = p.status === 'violated' || p.status === 'reached';
    expect(ref.properties.find((q) => q.name === p.property.name)!.violated, p.property.name).toBe(mine);
  }
  return r;
}

const status = (r: Checked, name: string) => verdictOf(r, name).status;

// MP+HD-DSB.LD (herd7 Allowed) and MP+HD-DSB.ISH (Forbidden): the dirty update of P0's write
// is ordered before its flag store only by a full DSB.
const mpHd = (barrier: string) => `use arm64(ha = true, hd = true);
frame F0, F1;
page X { valid: true, af: true, dbm: true, rdonly: true, pfn: F0 }
page Y { valid: true, af: true, dbm: true, rdonly: false, pfn: F1 }
int[0..1] seen;
bool clean;
cpu P0 { write X = 1; ${barrier}; write Y = 1; }
cpu P1 { seen = read Y; dmb(ld); clean = ptep_get(X).rdonly; }
final never: !(seen == 1 && clean);
`;

describe('pending hardware updates', () => {
  it('a dirty update is seen late unless a full DSB orders it (MP+HD-DSB.LD, MP+HD-DSB.ISH)', async () => {
    expect(status(await run(mpHd('dsb(ld)'), 'relaxed'), 'never')).toBe('violated');
    expect(status(await run(mpHd('dsb(ld)'), 'sc'), 'never')).toBe('holds');
    expect(status(await run(mpHd('dsb(ish)'), 'relaxed'), 'never')).toBe('holds');
    // DMB orders explicit accesses only.
    expect(status(await run(mpHd('dmb(sy)'), 'relaxed'), 'never')).toBe('violated');
  });

  it('the pending update is written before any other write to the PTE: an exchange never loses it', async () => {
    // P1 clears the PTE atomically while P0's dirtying write may be in flight: whenever the write
    // went through the old mapping, the value P1 got back is dirty (no lost dirty bit).
    const text = `use arm64;
frame F0;
page X { valid: true, af: true, dbm: true, rdonly: true, pfn: F0 }
disable fill;
bool got_dirty;
bool cleared;
cpu P0 { write X; }
cpu P1 { let old = ptep_get_and_clear(X); got_dirty = pte_dirty(old); cleared = true; }
fault write(p) { sigsegv; }
final not_lost: !(cleared && F0.version == 1 && !got_dirty);
reachable in_flight: F0.version == 1 && ptep_get(X).rdonly;
`;
    const r = await run(text, 'relaxed');
    expect(status(r, 'not_lost')).toBe('holds');
    // The window exists: the write is done and the PTE still reads clean.
    expect(status(r, 'in_flight')).toBe('reached');
    expect(status(await run(text, 'sc'), 'in_flight')).toBe('unreached');
  });

  it('a final state has every update written; the trace names the pending one', async () => {
    const text = `use arm64;
frame F0;
page X { valid: true, af: false, dbm: true, rdonly: true, pfn: F0 }
cpu P0 { read X; }
final young: ptep_get(X).af;
reachable pending: !ptep_get(X).af && tlb(P0, X).valid;
`;
    const r = await run(text, 'relaxed');
    expect(status(r, 'young')).toBe('holds');
    const v = verdictOf(r, 'pending');
    expect(v.status).toBe('reached');
    const trace = traceOf(r.ts, r.result, v.violation!);
    expect(describeState(r.ts, trace.final).get('hu_pending[P0][X]')).toMatch(/\baf\b/);
    expect(trace.steps.map((s) => r.ts.actions[s.action]!.name)).toContain('P0');
    expect(trace.steps.map((s) => r.ts.actions[s.action]!.name)).not.toContain('hu_commit X on P0');
  });
});

// D15347-store-DSB / I2V-UP-DSB (herd7 Allowed): a walk done before the CPU's own PTE store,
// not ordered by the DSB, faults the later access; an ISB after the DSB orders it.
const ownStore = (barriers: string) => `use arm64_nohafdbs;
frame F0;
page X { pfn: F0 }
cpu P0 { set_pte(X, pte { valid: true, af: true, rdonly: false, dbm: true, pfn: F0 }); ${barriers} write X; }
fault write(p) { sigsegv; }
final no_fault: !killed(P0);
`;

describe('early walks', () => {
  it('a walk may precede the CPU\'s own PTE store and DSB; an ISB orders it', async () => {
    expect(status(await run(ownStore('dsb(ish);'), 'relaxed'), 'no_fault')).toBe('violated');
    expect(status(await run(ownStore('dsb(ish);'), 'sc'), 'no_fault')).toBe('holds');
    expect(status(await run(ownStore('dsb(ish); isb();'), 'relaxed'), 'no_fault')).toBe('holds');
  });

  it('an exception entry drops the early walk: a handler that returns gets a fresh walk', async () => {
    const text = `use arm64_nohafdbs;
frame F0;
page X { pfn: F0 }
ghost int[0..3] faults;
cpu P0 { set_pte(X, pte { valid: true, af: true, rdonly: false, dbm: true, pfn: F0 }); dsb(ish); write X; }
fault write(p) { faults = faults + 1; }
final at_most_one: faults <= 1;
reachable spurious: faults == 1;
`;
    const r = await run(text, 'relaxed');
    expect(status(r, 'at_most_one')).toBe('holds');
    expect(status(r, 'spurious')).toBe('reached');
  });

  it('a walk held for a later access skips an earlier access of the page, which may see a newer PTE (J3)', async () => {
    // P0 maps X, then stores through it; P1 reads that store, then its second load of X faults:
    // the second load's walk was performed before P0's PTE store, the first load's after it.
    const text = (between: string) => `use arm64_nohafdbs;
frame F0;
page X { pfn: F0 }
int[0..1] first;
cpu P0 { set_pte(X, pte { valid: true, af: true, rdonly: false, dbm: true, pfn: F0 }); dsb(sy); isb(); write X = 1; }
cpu P1 { first = read X; ${between} read X; }
fault read(p) { sigsegv; }
fault write(p) { sigsegv; }
reachable newer_then_older: first == 1 && killed(P1);
`;
    const r = await run(text(''), 'relaxed');
    expect(status(r, 'newer_then_older')).toBe('reached');
    const trace = traceOf(r.ts, r.result, verdictOf(r, 'newer_then_older').violation!);
    // The walk is held for the second load (line 6, its column).
    const second = `6:${text('').split('\n')[5]!.lastIndexOf('read X') + 1}`;
    const walk = trace.steps.find((s) => r.ts.actions[s.action]!.name === `walk_early X on P1 for read at ${second}`)!;
    expect(describeState(r.ts, walk.after).get('walk_early[P1][X]')).toBe(`read at ${second} faults`);
    expect(status(await run(text(''), 'sc'), 'newer_then_older')).toBe('unreached');
    // An ISB between the loads drops the held walk.
    expect(status(await run(text('isb();'), 'relaxed'), 'newer_then_older')).toBe('unreached');
  });

  it('another CPU\'s completed TLBI ends the early walk; the issuer\'s own needs an ISB', async () => {
    // P0 maps X, shoots it down and raises a flag; P1 saw the flag and accesses X after a DMB.
    const remote = `use arm64_nohafdbs;
frame F0;
page X { pfn: F0 }
bool flag;
cpu P0 { set_pte(X, pte { valid: true, af: true, rdonly: false, dbm: true, pfn: F0 }); dsb(ish); tlbi(vale1is, X); dsb(ish); flag = true; }
cpu P1 { await(flag); dmb(ld); read X; }
fault read(p) { sigsegv; }
final no_fault: !killed(P1);
`;
    expect(status(await run(remote, 'relaxed'), 'no_fault')).toBe('holds');
    // Without the TLBI the early walk survives: the fault is allowed (D15347-M-load-DMBST+DMBLD).
    expect(status(await run(remote.replace(' tlbi(vale1is, X); dsb(ish);', ''), 'relaxed'), 'no_fault')).toBe('violated');
    // The issuer's own TLBI + DSB leave its early walk (MP+DSB.ST+DSB.LD-TLBI-DSB).
    const self = `use arm64_nohafdbs;
frame F0;
page X { pfn: F0 }
cpu P0 { set_pte(X, pte { valid: true, af: true, rdonly: false, dbm: true, pfn: F0 }); dsb(ish); tlbi(vale1is, X); dsb(ish); read X; }
fault read(p) { sigsegv; }
final no_fault: !killed(P0);
`;
    expect(status(await run(self, 'relaxed'), 'no_fault')).toBe('violated');
    expect(status(await run(self.replace('dsb(ish); read X;', 'dsb(ish); isb(); read X;'), 'relaxed'), 'no_fault')).toBe('holds');
  });

  it('x86 and RISC-V models have no relaxed mode', async () => {
    const r = await checkedText('use x86_64;\nframe F0;\npage P { present: true, pfn: F0 }\ncpu a { read P; }\n', 'x.race', { memory: 'relaxed' });
    expect(r.model.relaxed).toBe(false);
    expect(r.ts.hardware.some((h) => h.rule === 'walk_early' || h.rule === 'hu_commit')).toBe(false);
  });
});

describe('--memory on the command line', () => {
  it('relaxed is the default; sc turns it off; anything else is a usage error (2)', async () => {
    const f = 'scenarios/arm64_barriers/kernel-map-no-barrier.race';
    const relaxed = await cli('check', '--no-trace', f);
    expect(relaxed.code).toBe(0); // its expectation (violated) is met
    expect(relaxed.stdout).toMatch(/^violated {2}no_kernel_fault/);
    const strip = (t: string) => t.replace(/\d+\.\d+ s\)/g, 's)');
    expect(strip((await cli('check', '--no-trace', '--memory', 'relaxed', f)).stdout)).toBe(strip(relaxed.stdout));
    const sc = await cli('check', '--no-trace', '--memory', 'sc', f);
    expect(sc.code).toBe(1); // the expectation is not met: no fault without the relaxed mode
    expect(sc.stdout).toMatch(/^holds/);
    const bad = await cli('check', '--memory', 'tso', f);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--memory is relaxed or sc, found 'tso'/);
    expect((await cli('check', '--help')).stdout).toMatch(/--memory M +arm64's memory model: relaxed \(default/);
  });

  it('the export and crosscheck are sequentially consistent; the export refuses a relaxed model', async () => {
    const m = (await checkedText(ownStore(''), 'r.race', { memory: 'relaxed' })).model;
    expect(exportRefusal(m)?.message).toMatch(/relaxed memory mode/);
    expect(exportRefusal((await checkedText(ownStore(''), 'r.race', { memory: 'sc' })).model)).toBeUndefined();
  });
});

// MP with the reader's loads reordered (herd7 MP+shoot+po, and the MP+dmb.st+po shape): a plain
// load of X may be satisfied before the earlier load of the flag; a DMB LD, an acquire or a
// lock acquisition orders it, a DMB ST does not.
const mp = (writer: string, reader: string, extra = '') => `use arm64_nohafdbs;
frame F0, F1;
page X { valid: true, af: true, dbm: true, rdonly: false, pfn: F0 }
page Y { valid: true, af: true, dbm: true, rdonly: false, pfn: F1 }
int[0..1] seen;
int[0..1] got;
spinlock l;
cpu P0 { ${writer} }
cpu P1 { ${reader} }
final never: !(seen == 1 && got == 0);
${extra}`;
const mpReader = (between: string, first = 'read Y') => mp('write X = 1; dmb(st); write Y = 1;', `seen = ${first}; ${between} got = read X;`);

describe('early reads', () => {
  it('a later load of a page may be satisfied before an earlier one through another translation (R3+W); a TLBI between keeps them apart (coRR-pte9)', async () => {
    const remap = (p1: string) => `use arm64_nohafdbs;
frame F0 { data: 1 }, F1 { data: 2 };
page X { valid: true, af: true, pfn: F0 }
int[0..2] a;
int[0..2] b;
int[0..2] c;
cpu P0 { a = read X; b = read X; c = read X; }
cpu P1 { ${p1} }
fault read(p) { sigsegv; }
reachable old_new_old: a == 1 && b == 2 && c == 1;
reachable new_old: a == 2 && b == 1;
`;
    const direct = remap('set_pte(X, pte { valid: true, af: true, pfn: F1 });');
    const r = await run(direct, 'relaxed');
    expect(status(r, 'old_new_old')).toBe('reached');
    const trace = traceOf(r.ts, r.result, verdictOf(r, 'old_new_old').violation!);
    // The third load's read is held while the second walks the new PTE.
    const third = `7:${direct.split('\n')[6]!.lastIndexOf('c = read X') + 1}`;
    expect(trace.steps.some((s) => r.ts.actions[s.action]!.name === `read_early X on P0 for read at ${third}`)).toBe(true);
    expect(status(await run(direct, 'sc'), 'old_new_old')).toBe('unreached');
    // Break, TLBI, DSB, make: a read held from before the invalidation is not used after a load
    // that saw the new PTE (aarch64.cat TLBI-ob; herd7 coRR-pte9: Forbidden).
    const bbm = remap('set_pte(X, pte {}); dsb(ish); tlbi(vaae1is, X); dsb(ish); set_pte(X, pte { valid: true, af: true, pfn: F1 });');
    const broken = await run(bbm, 'relaxed');
    expect(status(broken, 'new_old')).toBe('unreached');
    expect(status(await run(direct, 'relaxed'), 'new_old')).toBe('reached');
  });

  it('a later plain load may be satisfied before an earlier one (load-load reordering)', async () => {
    const r = await run(mpReader(''), 'relaxed');
    expect(status(r, 'never')).toBe('violated');
    const trace = traceOf(r.ts, r.result, verdictOf(r, 'never').violation!);
    const names = trace.steps.map((s) => r.ts.actions[s.action]!.name);
    const early = names.findIndex((n) => n.startsWith('read_early X on P1 for read at '));
    expect(early).toBeGreaterThanOrEqual(0);
    // Before P0's store of X reached memory: the early read holds the old value.
    const visible = trace.steps.findIndex((s) => describeState(r.ts, s.after).get('F0.data') === '1');
    expect(early).toBeLessThan(visible);
    expect(status(await run(mpReader(''), 'sc'), 'never')).toBe('holds');
  });

  it('DMB LD, DSB, ISB, an acquire or a lock acquisition orders the later load; DMB ST does not', async () => {
    for (const b of ['dmb(ld);', 'dmb(ish);', 'dsb(st);', 'isb();', 'lock(l);']) expect(status(await run(mpReader(b), 'relaxed'), 'never'), b).toBe('holds');
    expect(status(await run(mpReader('', 'read acquire Y'), 'relaxed'), 'never')).toBe('holds');
    expect(status(await run(mpReader('dmb(st);'), 'relaxed'), 'never')).toBe('violated');
    // A release store does not keep later loads after it.
    expect(status(await run(mpReader('write release Y = 1;'), 'relaxed'), 'never')).toBe('violated');
  });

  it('a load may pass the CPU\'s earlier store (SB), and coherence holds for one location (CoRR)', async () => {
    const sb = (b: string) => `use arm64_nohafdbs;
frame F0, F1;
page X { valid: true, af: true, dbm: true, rdonly: false, pfn: F0 }
page Y { valid: true, af: true, dbm: true, rdonly: false, pfn: F1 }
int[0..1] a;
int[0..1] b;
cpu P0 { write X = 1; ${b} a = read Y; }
cpu P1 { write Y = 1; ${b} b = read X; }
final never: !(a == 0 && b == 0);
`;
    expect(status(await run(sb(''), 'relaxed'), 'never')).toBe('violated');
    expect(status(await run(sb('dmb(sy);'), 'relaxed'), 'never')).toBe('holds');
    expect(status(await run(sb(''), 'sc'), 'never')).toBe('holds');
    // A later load may pass a store-release, not a load-acquire (RCsc: release then acquire is ordered).
    const released = (load: string) => sb('').replace(/write ([XY]) = 1;/g, 'write release $1 = 1;').replace(/= read ([XY]);/g, `= read ${load}$1;`);
    expect(status(await run(released(''), 'relaxed'), 'never')).toBe('violated');
    expect(status(await run(released('acquire '), 'relaxed'), 'never')).toBe('holds');
    // CoRR through two pages mapping one frame: the second load never reads older than the first.
    const corr = `use arm64_nohafdbs;
frame F0;
page X { valid: true, af: true, dbm: true, rdonly: false, pfn: F0 }
page Z { valid: true, af: true, dbm: true, rdonly: false, pfn: F0 }
int[0..1] first;
int[0..1] second;
cpu P0 { write X = 1; }
cpu P1 { first = read X; second = read Z; }
final never: !(first == 1 && second == 0);
reachable reordered_elsewhere: first == 0 && second == 1;
`;
    const r = await run(corr, 'relaxed');
    expect(status(r, 'never')).toBe('holds');
    expect(status(r, 'reordered_elsewhere')).toBe('reached');
  });

  it('the trace shows the held read', async () => {
    const r = await run(mpReader(''), 'relaxed');
    const trace = traceOf(r.ts, r.result, verdictOf(r, 'never').violation!);
    const step = trace.steps.find((s) => r.ts.actions[s.action]!.name.startsWith('read_early X on P1 for read at '))!;
    expect(describeState(r.ts, step.after).get('read_early[P1][X]')).toMatch(/^F0.data 0 for \d+:\d+$/);
    // The load that used it leaves nothing held.
    expect(describeState(r.ts, trace.final).get('read_early[P1][X]')).toBe('-');
  });
});

// MP with the writer's stores reordered (herd7 MP+po+dmb.ld: Allowed): a plain store stays
// pending until store_commit, a DMB/DSB that orders stores, a release or an unlock.
const mpWriter = (between: string, second = 'write Y = 1') =>
  mp(`lock(l); write X = 1; ${between} ${second}; unlock(l);`, 'seen = read Y; dmb(ld); got = read X;', 'final written: F0.data == 1 && F1.data == 1;\n');

describe('pending stores', () => {
  it('a plain store may become visible after a later one; DMB ST, DSB or a release orders them', async () => {
    const r = await run(mpWriter(''), 'relaxed');
    expect(status(r, 'never')).toBe('violated');
    const trace = traceOf(r.ts, r.result, verdictOf(r, 'never').violation!);
    expect(trace.steps.map((s) => r.ts.actions[s.action]!.name)).toContain('store_commit Y on P0');
    // A final state has every store written.
    expect(status(r, 'written')).toBe('holds');
    for (const b of ['dmb(st);', 'dmb(ish);', 'dsb(st);']) expect(status(await run(mpWriter(b), 'relaxed'), 'never'), b).toBe('holds');
    expect(status(await run(mpWriter('', 'write release Y = 1'), 'relaxed'), 'never')).toBe('holds');
    // DMB LD and ISB order no stores.
    for (const b of ['dmb(ld);', 'isb();']) expect(status(await run(mpWriter(b), 'relaxed'), 'never'), b).toBe('violated');
    expect(status(await run(mpWriter(''), 'sc'), 'never')).toBe('holds');
  });

  it('the CPU reads its own pending store; an unlock writes it', async () => {
    const text = `use arm64_nohafdbs;
frame F0;
page X { valid: true, af: true, dbm: true, rdonly: false, pfn: F0 }
int[0..1] mine;
spinlock l;
int[0..1] saw_mine;
int[0..1] saw_data;
cpu P0 { lock(l); write X = 1; mine = read X; unlock(l); }
cpu P1 { lock(l); saw_mine = mine; saw_data = F0.data; unlock(l); }
final own: mine == 1;
reachable unseen: mine == 1 && F0.data == 0;
final released: !(saw_mine == 1 && saw_data == 0);
`;
    const r = await run(text, 'relaxed');
    expect(status(r, 'own')).toBe('holds');
    expect(status(r, 'unseen')).toBe('reached');
    expect(status(r, 'released')).toBe('holds');
  });

  it('a completed TLBI of the page writes the stores made through it (the DSB waits for them)', async () => {
    const shoot = (sync: string) => `use arm64_nohafdbs;
frame F0;
page X { valid: true, af: true, dbm: true, rdonly: false, pfn: F0 }
bool stored;
int[0..1] after;
cpu P0 { write X = 1; stored = true; }
cpu P1 { await(stored); set_pte(X, pte { valid: false, pfn: F0 }); ${sync} after = F0.data; }
final seen: after == 1;
`;
    expect(status(await run(shoot('dsb(ish); tlbi(vale1is, X); dsb(ish);'), 'relaxed'), 'seen')).toBe('holds');
    expect(status(await run(shoot('flush(X);'), 'relaxed'), 'seen')).toBe('holds');
    // Without the shootdown the store may still be in flight.
    expect(status(await run(shoot(''), 'relaxed'), 'seen')).toBe('violated');
  });
});

// A plain PTE store (`set_pte` as a step of its own) is pending: its own CPU's software reads see
// it, no walk does (its own CPU's included) until a barrier that orders stores, a release or an
// unlock writes it, or `pte_commit` does.
const ownMap = (between: string) => `use arm64_nohafdbs;
frame F0;
page X { pfn: F0 }
bool mapped;
cpu P0 { set_pte(X, pte { valid: true, af: true, rdonly: false, dbm: true, pfn: F0 }); mapped = ptep_get(X).valid; ${between} write X; }
fault write(p) { sigsegv; }
final no_fault: !killed(P0);
final sees_own: mapped;
`;

describe('pending PTE stores', () => {
  it('a walk misses the CPU\'s own PTE store after DSB LD + ISB (I2V-W-DSB.LD-ISB-R); DSB ST + ISB orders it; ptep_get sees it at once', async () => {
    const loose = await run(ownMap('dsb(ld); isb();'), 'relaxed');
    expect(status(loose, 'no_fault')).toBe('violated');
    expect(status(loose, 'sees_own')).toBe('holds');
    // The witness faults with the store still pending, and writes it afterwards.
    const trace = traceOf(loose.ts, loose.result, verdictOf(loose, 'no_fault').violation!);
    const fault = trace.steps.findIndex((s) => loose.ts.actions[s.action]!.name.startsWith('P0') && describeState(loose.ts, s.after).get('P0.status') === 'killed');
    const commit = trace.steps.findIndex((s) => loose.ts.actions[s.action]!.name === 'pte_commit X on P0');
    expect(describeState(loose.ts, trace.steps[0]!.after).get('pte_pending[P0][X]')).toMatch(/^\{valid/);
    expect(fault).toBeGreaterThan(0);
    expect(commit).toBeGreaterThan(fault);
    expect(status(await run(ownMap('dsb(ld); isb();'), 'sc'), 'no_fault')).toBe('holds');
    expect(status(await run(ownMap('dsb(ishst); isb();'), 'relaxed'), 'no_fault')).toBe('holds');
    expect(status(await run(ownMap('dmb(ish); isb();'), 'relaxed'), 'no_fault')).toBe('holds');
  });

  it('another CPU sees the store only once written; an unlock writes it', async () => {
    const text = (unlockFirst: boolean) => `use arm64_nohafdbs;
frame F0;
page X { pfn: F0 }
spinlock l;
bool saw;
bool raised;
cpu P0 { lock(l); set_pte(X, pte { valid: true, pfn: F0 }); ${unlockFirst ? 'unlock(l); raised = true;' : 'raised = true; unlock(l);'} }
cpu P1 { await(raised); saw = ptep_get(X).valid; }
final seen: saw;
`;
    expect(status(await run(text(true), 'relaxed'), 'seen')).toBe('holds');
    expect(status(await run(text(false), 'relaxed'), 'seen')).toBe('violated');
    expect(status(await run(text(false), 'sc'), 'seen')).toBe('holds');
  });

  it('a TLBI does not wait for the PTE store; the dsb(ishst) of flush_tlb_page does', async () => {
    const unmap = (flush: string) => `use arm64_nohafdbs;
frame F0;
page X { valid: true, af: true, dbm: true, rdonly: false, pfn: F0 }
disable evict;
cpu P0 { set_pte(X, pte {}); ${flush} F0.freed = true; }
cpu P1 { read X; write X; }
fault read(p) { sigsegv; }
fault write(p) { sigsegv; }
on write no_write_after_free(c, p, f): !f.freed;
`;
    expect(status(await run(unmap('tlbi(vale1is, X); dsb(ish);'), 'relaxed'), 'no_write_after_free')).toBe('violated');
    expect(status(await run(unmap('tlbi(vale1is, X); dsb(ish);'), 'sc'), 'no_write_after_free')).toBe('holds');
    expect(status(await run(unmap('dsb(ishst); tlbi(vale1is, X); dsb(ish);'), 'relaxed'), 'no_write_after_free')).toBe('holds');
    expect(status(await run(unmap('flush(X);'), 'relaxed'), 'no_write_after_free')).toBe('holds');
  });

  it('a PTE store written while a hardware update is pending on the PTE comes after the update', async () => {
    const text = `use arm64(ha = true, hd = false);
frame F0;
page X { valid: true, af: false, dbm: true, rdonly: false, pfn: F0 }
cpu P0 { set_pte(X, pte {}); }
cpu P1 { read X; }
fault read(p) { sigsegv; }
final cleared: !ptep_get(X).valid;
reachable young_first: ptep_get(X).af;
`;
    const r = await run(text, 'relaxed');
    expect(status(r, 'cleared')).toBe('holds');
    expect(status(r, 'young_first')).toBe('reached');
  });
});
