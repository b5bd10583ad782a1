// tlb_finish_mmu's nested flush (mm/mmu_gather.c; 99baac21e458): a gather that changed nothing
// flushes the whole mm when another gather is in progress (mm_tlb_flush_nested), so a CPU that
// skipped a PTE another CPU had just changed does not return with that CPU's stale entry alive.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';
import { expectOnlyParameterDiffers } from '../gen/pair.js';

const BUG = readFileSync('scenarios/bugs/99baac21e458-parallel-madv-free.race', 'utf8');
const FIXED = readFileSync('scenarios/bugs/99baac21e458-parallel-madv-free-fixed.race', 'utf8');

// Two gathers: g0 changes P and owes the flush; g1 changes nothing. After g1 finishes, while g0
// still owes its flush, may a CPU still hold the old entry?
const nested = (param: string) => `use x86_64;
use linux${param};
page P { present: true, write: true, dirty: true, accessed: true, pfn: F0 }
frame F0;
bool g1_done = false;
disable evict;
cpu g0 { tlb_gather_mmu(); ptep_set_wrprotect(P); await(g1_done); tlb_finish_mmu(P, true); }
cpu g1 { read P; await(!pte_write(ptep_get(P))); tlb_gather_mmu(); tlb_finish_mmu(P, false); g1_done = true; }
invariant g1_left_no_stale_entry: !g1_done || !tlb(g1, P).valid || !tlb(g1, P).write;
`;

describe('mmu_gather nested flush', () => {
  it('the second gather flushes the whole mm while the first is pending; before 99baac21e458 it did not', async () => {
    const fixed = await checked(nested(''), 'nested.race');
    expect(verdictOf(fixed, 'g1_left_no_stale_entry').status).toBe('holds');
    const old = await checked(nested('(mmu_gather_nested_flush = false)'), 'nested.race');
    expect(verdictOf(old, 'g1_left_no_stale_entry').status).toBe('violated');
  });

  it('parallel MADV_FREE: the write after t1 returned is lost before the fix, recorded after it', async () => {
    expect(verdictOf(await checked(BUG, 'bug.race'), 'recorded').status).toBe('violated');
    expect(verdictOf(await checked(FIXED, 'fixed.race'), 'recorded').status).toBe('holds');
  });

  it('the pair differs only in the parameter', () => {
    expectOnlyParameterDiffers(BUG, FIXED, 'use linux(mmu_gather_nested_flush = false);');
  });
});
