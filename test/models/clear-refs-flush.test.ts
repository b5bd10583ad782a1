// clear_refs soft-dirty and its TLB flush (fs/proc/task_mmu.c; 912efa17e512): the bundled pair
// differs only in `clear_refs_flush_tlb`, the buggy one loses a write through the stale entry,
// and the parameter removes exactly the flush (the fixed kernel with a task that wrote before
// clear_refs has no stale writable entry once clear_refs returns).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';
import { expectOnlyParameterDiffers } from '../gen/pair.js';

const BUG = readFileSync('scenarios/bugs/912efa17e512-clear-refs-no-flush.race', 'utf8');
const FIXED = readFileSync('scenarios/bugs/912efa17e512-clear-refs-flushed.race', 'utf8');

describe('clear_refs_flush_tlb', () => {
  it('before 912efa17e512 the write after clear_refs is missed by the pre-dump; after it, it is seen', async () => {
    const bug = await checked(BUG, 'bug.race');
    expect(verdictOf(bug, 'write_seen').status).toBe('violated');
    const fixed = await checked(FIXED, 'fixed.race', { strict: true });
    expect(verdictOf(fixed, 'write_seen').status).toBe('holds');
    expect(verdictOf(fixed, 'write_after_clear').status).toBe('reached');
  });

  it('the pair differs only in the parameter', () => {
    expectOnlyParameterDiffers(BUG, FIXED, 'use linux(clear_refs_flush_tlb = false);');
  });

  it.each([[true, 'holds'], [false, 'violated']] as const)('clear_refs_flush_tlb = %s: no writable entry survives clear_refs: %s', async (flag, want) => {
    const text = `use x86_64;\nuse linux(clear_refs_flush_tlb = ${flag});\npage P { present: true, write: true, dirty: true, accessed: true, pfn: F0 }\nframe F0;\nbool cleared = false;\n`
      + 'cpu criu { clear_refs_write_soft_dirty(P); cleared = true; }\ncpu task { read P; }\n'
      + 'invariant no_stale_writable: !cleared || !tlb(task, P).write;\n';
    expect(verdictOf(await checked(text, 'w.race'), 'no_stale_writable').status).toBe(want);
  });
});
