// mmap_lock (models/linux/mm.lib) and the entry points that take it where the kernel does:
// do_user_addr_fault (read), do_mprotect_readonly, do_mremap, clear_refs_write_soft_dirty (write),
// do_madvise_free / do_madvise_dontneed, do_pagemap_scan_wp (read).
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';

const scenario = (programs: string, handler: string, props: string) => `use x86_64;
use linux;
page P = pte_none();
page Q = pte_none();
frame F0, F1;
ghost frame fault_folio[page] = F1;
${programs}
fault read(p) { ${handler.replace('IS_WRITE', 'false')} }
fault write(p) { ${handler.replace('IS_WRITE', 'true')} }
${props}
`;
const status = async (text: string, name: string) => verdictOf(await checked(text, 'lock.race'), name).status;

describe('mmap_lock', () => {
  const mprotect = 'cpu changer { do_mprotect_readonly(P); }\ncpu task { write P; }';
  const props = 'final ro_vma_ro_pte: vma_writable[P] || !pte_write(ptep_get(P));\nreachable killed_after_mprotect: killed(task);';

  it('mprotect and a write fault are serialized: a read-only VMA never ends with a writable PTE', async () => {
    const text = scenario(mprotect, 'do_user_addr_fault(p, IS_WRITE);', props);
    expect(await status(text, 'ro_vma_ro_pte')).toBe('holds');
    // the fault after mprotect is a SIGSEGV that releases the lock (no deadlock)
    expect(await status(text, 'killed_after_mprotect')).toBe('reached');
    expect(await status(text, 'deadlock')).toBe('holds');
  });

  it('without the fault taking mmap_lock (handle_mm_fault alone) the fault checks VM_WRITE before mprotect and maps writable after it', async () => {
    expect(await status(scenario(mprotect, 'handle_mm_fault(p, IS_WRITE);', props), 'ro_vma_ro_pte')).toBe('violated');
  });

  it('readers do not exclude each other: a fault runs inside madvise(MADV_DONTNEED)', async () => {
    const text = scenario('cpu advisor { let old = do_madvise_dontneed(P); }\ncpu task { write P; }', 'do_user_addr_fault(p, IS_WRITE);',
      'reachable fault_inside_madvise: tlb_flush_pending > 0 && pte_present(ptep_get(P));');
    expect(await status(text, 'fault_inside_madvise')).toBe('reached');
  });

  it('clear_refs holds the write lock from inc_tlb_flush_pending to dec: no fault maps a page in between', async () => {
    const props = 'reachable mapped_inside_walk: tlb_flush_pending > 0 && pte_present(ptep_get(P));';
    // The task's write starts once the walk is under way (P is still none then).
    const task = 'cpu task { await(tlb_flush_pending > 0); write P; }';
    const locked = scenario(`cpu walker { clear_refs_write_soft_dirty(P); }\n${task}`, 'do_user_addr_fault(p, IS_WRITE);', props);
    const bare = scenario(`cpu walker { clear_refs_soft_dirty(P); }\n${task}`, 'do_user_addr_fault(p, IS_WRITE);', props);
    expect(await status(locked, 'mapped_inside_walk')).toBe('unreached');
    expect(await status(bare, 'mapped_inside_walk')).toBe('reached');
  });

  it('do_mremap, do_pagemap_scan_wp and a fault together: the moved page ends at Q, never back at P', async () => {
    const text = scenario('cpu mover { do_mremap(P, Q); }\ncpu scanner { do_pagemap_scan_wp(Q); }\ncpu task { write Q; }', 'do_user_addr_fault(p, IS_WRITE);',
      'final q_mapped: pte_present(ptep_get(Q)) && !pte_present(ptep_get(P));');
    expect(await status(text.replace('page P = pte_none();', 'page P = pte_mkyoung(mk_pte(F0));'), 'q_mapped')).toBe('holds');
  });
});
