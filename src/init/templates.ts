// The scenario templates of `dirtyrace init`: the usual shapes of a TLB race, each a scenario
// that checks as it stands (test/cli/init.test.ts) and says how to turn it into the race.

export interface Template {
  readonly name: string;
  readonly summary: string;
  readonly text: string;
}

export const TEMPLATES: readonly Template[] = [
  {
    name: 'deferred-flush',
    summary: 'a deferred TLB flush against a consumer of the dirty record (apply_as_clean)',
    text: `// A deferred TLB flush and a consumer (the shape of apply_as_clean, seed 003): the cleaner
// cleans a dirty PTE under the page-table lock and records it, drops the lock, and flushes the
// TLB only afterwards; a consumer on another CPU copies the recorded page once the cleaner says
// the walk is done. A write through a stale dirty TLB entry between the clean and the flush is
// covered by the bit the clean set, provided the consumer waits for the flush.
// Try: move \`walked = true;\` above \`wp_clean_post_vma(P, cleaned);\` (and expect violated
// no_lost_dirty): the consumer then copies before the flush, and \`dirtyrace explain\` shows the window.
use x86_64;
use linux;

page P = pte_mkyoung(pte_mkwrite(mk_pte(F0)));   // present, writable, clean, young
frame F0;
spinlock ptl;                         // linux.lib: the page-table lock
int[0..1] tlb_flush_pending = 0;      // linux.lib: mm->tlb_flush_pending
bool bitmap[page];                    // linux.lib: the dirty bitmap clean_record_pte fills
bool walked = false;                  // the cleaner has finished its walk, flush included
ghost int[0..2] saved = 0;            // the frame version the consumer copied

cpu cleaner {
  wp_clean_pre_vma();
  lock(ptl);
  let cleaned = clean_record_pte_locked(P);
  unlock(ptl);
  wp_clean_post_vma(P, cleaned);      // the deferred flush
  walked = true;
}

cpu consumer {
  await(walked);
  atomic {
    if (bitmap[P]) { saved = F0.version; bitmap[P] = false; }
  }
}

cpu writer {
  write P;
  write P;
}

fault write(p) { handle_pte_write_fault(p); }

// Every completed write is in the consumer's copy, or still recorded (PTE dirty or bit set).
final no_lost_dirty: F0.version == saved || pte_dirty(ptep_get(P)) || bitmap[P];
expect holds;
`,
  },
  {
    name: 'fault-vs-cleaner',
    summary: 'a write fault against a cleaner that write-protects and cleans (folio_mkclean)',
    text: `// A write fault against a cleaner (the shape of folio_mkclean before writeback): the cleaner
// write-protects and cleans the PTE, flushing under the page-table lock, then writes the page
// back; a writer's next write faults, and the fault handler makes the PTE writable and dirty
// again under the same lock. No write may be lost: each is in the written-back copy or the PTE
// is dirty again.
// Try: clean without the flush (and expect violated no_lost_write): replace the first line of the
// cleaner by \`lock(ptl); let e = ptep_get(P); set_pte(P, pte_mkclean(pte_wrprotect(e)));
// unlock(ptl); let cleaned = true;\` -- a write through the stale entry then goes unrecorded.
use x86_64;
use linux;

page P = pte_mkdirty(pte_mkyoung(pte_mkwrite(mk_pte(F0))));   // writable and already dirty
frame F0;
spinlock ptl;                         // linux.lib: the page-table lock
ghost int[0..2] saved = 0;            // the frame version writeback wrote out

cpu cleaner {
  let cleaned = folio_mkclean(P);
  if (cleaned) { saved = F0.version; }   // writeback copies the page
}

cpu writer {
  write P;
  write P;
}

fault write(p) { handle_pte_write_fault(p); }

final no_lost_write: F0.version == saved || pte_dirty(ptep_get(P));
expect holds;
`,
  },
  {
    name: 'mmu-gather',
    summary: 'an mmu_gather batch: zap, batched flush, then free (zap_pte_range)',
    text: `// An mmu_gather batch (the shape of zap_pte_range + tlb_finish_mmu): the zapper clears the PTE
// under the page-table lock, gathers it, and flushes the TLB in tlb_finish_mmu; only then is the
// frame freed. A writer holding a TLB entry for the page may write until the flush, never after
// the free.
// Try: move \`F0.freed = true;\` above \`tlb_finish_mmu(P, pte_present(old));\` (and expect violated
// no_write_after_free): a write through the stale entry then reaches the freed frame.
use x86_64;
use linux;

page P = pte_mkyoung(pte_mkwrite(mk_pte(F0)));   // present, writable, clean, young
frame F0;
spinlock ptl;                         // linux.lib: the page-table lock
int[0..1] tlb_flush_pending = 0;      // linux.lib: mm->tlb_flush_pending

cpu zapper {
  tlb_gather_mmu();
  let old = zap_pte(P);
  tlb_finish_mmu(P, pte_present(old));   // the batched flush
  F0.freed = true;                       // free the page only after the flush
}

cpu writer {
  write P;
  write P;
}

// After the zap the PTE is gone and so is the mapping (munmap): a write that faults gets
// SIGSEGV, as the task would. (A handler that only retried would livelock.)
fault write(p) { sigsegv; }

on write no_write_after_free(c, p, f): !f.freed;
expect holds;
`,
  },
];
