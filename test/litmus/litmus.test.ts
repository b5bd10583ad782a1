// The litmus front end on real catalogue files (herdtools7 aarch64-VMSA, CeCILL-B, in the
// repository's sibling shared/) and on small tests written here: parsing, located
// "unsupported" errors, and verdicts that a wrong translation or semantics would change.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/lang/source.js';
import { checkLitmus } from '../../src/litmus/check.js';
import { parseKinds } from '../../src/litmus/kinds.js';
import { parseLitmus } from '../../src/litmus/parse.js';

// Copies of the catalogue files these tests read (with the catalogue's CeCILL-B licence), so the
// suite does not depend on where the checkout sits relative to shared/.
const root = join('test', 'fixtures', 'litmus');
const catalogue = (name: string) => { const path = join(root, name); return { path, text: readFileSync(path, 'utf8') }; };

describe('parser on catalogue files', () => {
  it('reads coWR-pte: init, one thread of two instructions, the exists condition', () => {
    const t = parseLitmus(catalogue('coWR-pte.litmus'));
    expect(t.name).toBe('coWR-pte');
    expect(t.threads.map((th) => th.cells.map((c) => c.instr?.op))).toEqual([['STR', 'LDR']]);
    expect(t.final.quant).toBe('exists');
    expect(t.init.map((i) => i.loc.k)).toEqual(['mem', 'mem', 'pte', 'reg', 'reg']);
  });
  it('reads headers, a two-thread table and barrier operands (MP+HD-DSB.LD)', () => {
    const t = parseLitmus(catalogue('MP+HD-DSB.LD.litmus'));
    expect(t.headers.find((h) => h.key === 'TTHM')?.value).toBe('HD');
    expect(t.threads.length).toBe(2);
    expect(t.threads[0]!.cells[1]!.instr?.args[0]).toMatchObject({ k: 'sym', text: 'LD' });
  });
  it('skips comments that span lines (the forall kept in a comment is not the condition)', () => {
    expect(parseLitmus(catalogue('LDRx-ctrl-DSB-ISB-STRptex-RO.litmus')).final.quant).toBe('exists');
  });
});

describe('unsupported constructs are located errors in the .litmus file', () => {
  it('a pointer stored in memory (A031)', async () => {
    const r = await checkLitmus(catalogue('A031.litmus'));
    expect(r.kind).toBe('unsupported');
    if (r.kind !== 'unsupported') return;
    expect(formatDiagnostic(r.diagnostic)).toMatch(/A031\.litmus:10:12: error: unsupported: a pointer/);
  });
  it('fault-handler threads (CASAL+FAIL+FH)', async () => {
    const r = await checkLitmus(catalogue('CASAL+FAIL+FH.litmus'));
    expect(r.kind === 'unsupported' && formatDiagnostic(r.diagnostic)).toMatch(/:11:35: error: unsupported: fault handler threads/);
  });
});

const mp = (cond: string) => `AArch64 MP-test
TTHM=HA HD
{ 0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y; }
P0          | P1          ;
MOV W0,#1   | LDR W2,[X3] ;
STR W0,[X1] | LDR W4,[X1] ;
STR W0,[X3] |             ;
${cond}
`;

describe('verdicts', () => {
  it('coWR-pte (catalogue): Forbidden, as herd7 says', async () => {
    const r = await checkLitmus(catalogue('coWR-pte.litmus'));
    expect(r.kind === 'decided' && r.verdict).toBe('Forbidden');
  });
  it('message passing: the stale read is Forbidden under SC, Allowed relaxed; the fresh one Allowed with a witness', async () => {
    const stale = await checkLitmus({ path: 'mp.litmus', text: mp('exists (1:X2=1 /\\ 1:X4=0)') }, { memory: 'sc' });
    expect(stale.kind === 'decided' && stale.verdict).toBe('Forbidden');
    // Relaxed (the default): P1's load of x may be satisfied before its load of y, or P0's store
    // of x seen after its store of y (herd7 MP: Allowed).
    const relaxed = await checkLitmus({ path: 'mp.litmus', text: mp('exists (1:X2=1 /\\ 1:X4=0)') });
    expect(relaxed.kind === 'decided' && relaxed.verdict).toBe('Allowed');
    expect(relaxed.kind === 'decided' && relaxed.witness).toMatch(/\[hw\] (read_early|store_commit) [xy]/);
    const fresh = await checkLitmus({ path: 'mp.litmus', text: mp('exists (1:X2=1 /\\ 1:X4=1)') });
    expect(fresh.kind === 'decided' && fresh.verdict).toBe('Allowed');
    expect(fresh.kind === 'decided' && fresh.witness).toMatch(/write x/);
  });
  it('forall: Required when every final state satisfies it, Allowed when only some do', async () => {
    const all = await checkLitmus({ path: 'mp.litmus', text: mp('forall (x=1 /\\ y=1)') });
    expect(all.kind === 'decided' && all.verdict).toBe('Required');
    const some = await checkLitmus({ path: 'mp.litmus', text: mp('forall (1:X2=1)') });
    expect(some.kind === 'decided' && some.verdict).toBe('Allowed');
  });
});

// P0 unmaps x and invalidates it, then sets the flag y; P1 reads the flag, then (after a DMB LD,
// so the load of x is not satisfied first) x. Whether the TLBI is completed before the flag is
// written decides whether P1 can still read x; so does whether the PTE store is visible to the
// walkers before the TLBI (`pre`: the DSB ST Linux issues first).
const unmap = (sync: string, pre = 'DSB ST') => `AArch64 unmap-${sync || 'nosync'}
TTHM=HA HD
{ int x=1; 0:X0=pte_x; 0:X1=(oa:phy_x, valid:0); 0:X2=x; 0:X3=y; 0:X5=1; 1:X2=x; 1:X3=y; }
P0              | P1          ;
STR X1,[X0]     | LDR W4,[X3] ;
${pre.padEnd(15)} |             ;
LSR X6,X2,#12   | DMB LD      ;
TLBI VAAE1IS,X6 | LDR W5,[X2] ;
${sync.padEnd(15)} |             ;
STR W5,[X3]     |             ;
exists (1:X4=1 /\\ 1:X5=1)
`;

const perThread = (cond: string) => `AArch64 HD-P0
TTHM=P0:HD
{ int x=0; pte_x=(db:0, dbm:1); 0:X2=x; 1:X2=x; 0:X0=1; 1:X0=2; }
P0          | P1          ;
STR W0,[X2] | STR W0,[X2] ;
exists (${cond})
`;

describe('the arm64 forms: TLBI pending until a DSB, per-thread TTHM, barriers as steps', () => {
  it('a TLBI without its DSB leaves the other CPU its old entry (Allowed); with DSB ISH it is gone (Forbidden)', async () => {
    const nosync = await checkLitmus({ path: 'u.litmus', text: unmap('') });
    expect(nosync.kind === 'decided' && nosync.verdict).toBe('Allowed');
    expect(nosync.kind === 'decided' && nosync.scenario).toMatch(/tlbi\(vaae1is, x\);/);
    const sync = await checkLitmus({ path: 'u.litmus', text: unmap('DSB ISH') });
    expect(sync.kind === 'decided' && sync.verdict).toBe('Forbidden');
    expect(sync.kind === 'decided' && sync.scenario).toMatch(/dsb\(ish\);/);
    // DSB ST does not complete TLB maintenance (Arm ARM D8.13).
    const st = await checkLitmus({ path: 'u.litmus', text: unmap('DSB ST') });
    expect(st.kind === 'decided' && st.verdict).toBe('Allowed');
    // Without the DSB ST before it the TLBI may precede the PTE store: P1 walks the old PTE again
    // after its invalidation (aarch64.cat DSB-ob: only a DSB orders a store before a TLBI).
    const early = await checkLitmus({ path: 'u.litmus', text: unmap('DSB ISH', 'NOP') });
    expect(early.kind === 'decided' && early.verdict).toBe('Allowed');
    expect(early.kind === 'decided' && early.witness).toMatch(/pte_pending\[P0\]\[x\]=\{af,pfn=phy_x\}/);
  });
  it('TTHM=P0:HD: P0 dirties the clean DBM page in hardware, P1 (no HD) takes a Permission fault', async () => {
    const p1 = await checkLitmus({ path: 'h.litmus', text: perThread('fault(P1,x)') });
    expect(p1.kind === 'decided' && p1.verdict).toBe('Allowed');
    expect(p1.kind === 'decided' && p1.scenario).toMatch(/use arm64\(ha = false, hd = false, ha\[P0\] = true, hd\[P0\] = true\);/);
    const p0 = await checkLitmus({ path: 'h.litmus', text: perThread('fault(P0,x)') });
    expect(p0.kind === 'decided' && p0.verdict).toBe('Forbidden');
  });
  it('data is the frame data: a CAS of memory, and x=v reads phy_x.data', async () => {
    const text = `AArch64 cas
{ int x=1; 0:X1=1; 0:X2=2; 0:X3=x; }
P0                 ;
CASAL W1,W2,[X3]   ;
forall (x=2 /\\ 0:X1=1)
`;
    const r = await checkLitmus({ path: 'c.litmus', text });
    expect(r.kind === 'decided' && r.verdict).toBe('Required');
    expect(r.kind === 'decided' && r.scenario).toMatch(/P0_X1 = cas acq_rel\(x, 1, 2\);/);
  });
});

describe('kinds files', () => {
  it('reads entries, abbreviations and comments, and reports odd lines', () => {
    const k = parseKinds('A  Allowed\nB Forbid # note\n# comment\nC-poAllow\nD New tests here\n');
    expect([...k.entries]).toEqual([['A', 'Allowed'], ['B', 'Forbidden']]);
    expect(k.odd.map((o) => o.line)).toEqual([2, 4, 5]);
  });
});
