// munmap (models/linux/vma.lib do_munmap), the rmap tree it unlinks from (rmap.lib vma_linked,
// i_mmap_rwsem) and the mapcount that zap's delayed rmap keeps (rmap.lib folio_mapped).
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';

const status = async (text: string, name: string) => verdictOf(await checked(text, 'munmap.race'), name).status;
const shared = (body: string) => `use x86_64;
use linux;
page P { present: true, write: true, dirty: true, accessed: true, pfn: F0 }
page Q { present: true, write: true, accessed: true, pfn: F0 }
frame F0;
bool vma_shared[page] = true;
${body}
`;

describe('munmap', () => {
  it('mmap_write_downgrade lets a fault in while the PTEs are zapped; it finds no VMA and is killed', async () => {
    const props = 'fault write(p) { do_user_addr_fault(p, true); }\nreachable killed_inside_zap: killed(task) && tlb_flush_pending > 0;';
    const text = shared(`cpu unmapper { let old = do_munmap(P); }\ncpu task { write P; }\n${props}`);
    expect(await status(text, 'killed_inside_zap')).toBe('reached');
    expect(await status(text, 'deadlock')).toBe('holds');
    // Holding the write lock to the end (no downgrade) keeps the fault out of the window.
    const held = shared(`cpu unmapper {
  down_write(mmap_lock); vma_mapped[P] = false;
  tlb_gather_mmu(); let old = zap_pte_range(P); unlink_vma(P); tlb_finish_mmu(P, pte_present(old));
  up_write(mmap_lock);
}
cpu task { write P; }
${props}`);
    expect(await status(held, 'killed_inside_zap')).toBe('unreached');
  });

  it('the rmap walk visits linked VMAs only: reclaim leaves an unlinked mapping alone', async () => {
    const text = (linked: boolean) => shared(`bool vma_linked[page] = ${linked};
cpu reclaim { try_to_unmap_all(F0); }
final q_left: pte_present(ptep_get(Q));
final p_left: pte_present(ptep_get(P));`);
    expect(await status(text(false), 'q_left')).toBe('holds');
    expect(await status(text(false), 'p_left')).toBe('holds');
    expect(await status(text(true), 'q_left')).toBe('violated');
  });

  it('a walk after the unlink skips the unlinked VMA and still cleans the other mapping', async () => {
    const text = shared(`cpu unmapper { unlink_vma(P); }
cpu writeback { let dirty = writeback_folio(F0); }
reachable walked_after_unlink: folio_writeback[F0] && !folio_locked[F0] && !pte_write(ptep_get(Q)) && pte_write(ptep_get(P));`);
    expect(await status(text, 'walked_after_unlink')).toBe('reached');
    // Linked, the walk cleans P too: P stays writable only if the walk skipped it.
    expect(await status(text.replace('cpu unmapper { unlink_vma(P); }', 'cpu unmapper { skip; }'), 'walked_after_unlink')).toBe('unreached');
  });

  it('folio_mapped counts a zapped mapping until its rmap is removed', async () => {
    const text = (delay: boolean) => `use x86_64;
use linux(zap_delay_rmap = ${delay});
page P { present: true, write: true, dirty: true, accessed: true, pfn: F0 }
frame F0;
bool vma_shared[page] = true;
cpu unmapper { tlb_gather_mmu(); let old = zap_pte_range(P); tlb_finish_mmu(P, pte_present(old)); }
cpu writer { write P; }
fault write(p) { sigsegv; }
reachable unmapped_stale_writable: folio_rmap_pending[F0] == 0 && !pte_present(ptep_get(P)) && tlb(writer, P).valid && tlb(writer, P).write;`;
    // With the delayed rmap (v6.12) the folio counts as mapped until the flush has run.
    expect(await status(text(true), 'unmapped_stale_writable')).toBe('unreached');
    expect(await status(text(false), 'unmapped_stale_writable')).toBe('reached');
  });
});
