// The secondary MMU and mmu_notifier calls (models/linux/mmu_notifier.lib): the invalidate drops
// the SPTE, a secondary fault that overlaps an invalidation does not install (mmu_invalidate_retry),
// every library procedure that changes PTEs brackets the change with the notifier as its kernel
// function does, and a reclaim against a secondary fault keeps the secondary MMU off the freed folio.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';
import { mutatedModels, removeMutatedModels } from '../gen/mutated-models.js';

const RETRY = readFileSync('scenarios/mmu_notifier/secondary-fault-retry.race', 'utf8');
const NO_RETRY = readFileSync('scenarios/mmu_notifier/secondary-fault-no-retry.race', 'utf8');
const RECLAIM = readFileSync('scenarios/mmu_notifier/reclaim-vs-secondary-fault.race', 'utf8');

// Each procedure, run once after a secondary fault mapped P (a present, writable, dirty,
// young PTE of frame F0; Q is a second page, none): its notifier ranges dropped the SPTE, moved
// the sequence (by one per range) and are closed again. folio_mkclean_all opens one per linked
// page it visits, Q included.
const BRACKETED: readonly (readonly [string, string, number?])[] = [
  ['try_to_unmap_one', 'let r = try_to_unmap_one(P, F0);'],
  ['try_to_unmap_one_anon', 'let r = try_to_unmap_one_anon(P, F0);'],
  ['try_to_unmap_one_swap', 'let r = try_to_unmap_one_swap(P, F0);'],
  ['try_to_migrate_one', 'let r = try_to_migrate_one(P, F0);'],
  ['folio_mkclean', 'let r = folio_mkclean(P);'],
  ['folio_mkclean_all', 'let r = folio_mkclean_all(F0);', 2],
  ['mprotect_readonly', 'mprotect_readonly(P);'],
  ['change_prot_numa', 'change_prot_numa(P);'],
  ['clear_refs_soft_dirty', 'clear_refs_soft_dirty(P);'],
  ['pagemap_scan_wp', 'pagemap_scan_wp(P);'],
  ['do_munmap', 'let r = do_munmap(P);'],
  ['madvise_free', 'madvise_free(P);'],
  ['madvise_dontneed', 'let r = madvise_dontneed(P);'],
  ['move_page_tables', 'move_page_tables(P, Q);'],
  ['migrate_vma_collect_pte', 'let r = migrate_vma_collect_pte(P);'],
];

afterAll(removeMutatedModels);

describe('mmu_notifier', () => {
  it('with the retry check the secondary MMU never maps the freed page; without it, it does', async () => {
    expect(verdictOf(await checked(RETRY, 'r.race'), 'no_secondary_stale').status).toBe('holds');
    expect(verdictOf(await checked(RETRY, 'r.race'), 'mapped_by_secondary').status).toBe('reached');
    expect(verdictOf(await checked(NO_RETRY, 'n.race'), 'no_secondary_stale').status).toBe('violated');
  });

  it('the invalidate drops the SPTE, and a fault inside an invalidation does not install', async () => {
    const text = `use x86_64;\nuse linux;\npage P = pte_mkyoung(pte_mkwrite(mk_pte(F0)));\nframe F0;\nbool inside = false;\n`
      + 'cpu guest { await(inside); let ok = secondary_fault(P, false); }\n'
      + 'cpu mm { let a = secondary_fault(P, false); mmu_notifier_invalidate_range_start(P); inside = true; }\n'
      + 'invariant dropped_inside: !inside || !spte_valid[P];\n';
    const r = await checked(text, 'inv.race');
    expect(verdictOf(r, 'dropped_inside').status).toBe('holds');
  });

  it.each(BRACKETED)('%s opens and closes its notifier range: no SPTE survives it, and the sequence moved', async (_name, call, ranges = 1) => {
    const text = `use x86_64;\nuse linux;\npage P = pte_mkyoung(pte_mkdirty(pte_mkwrite(mk_pte(F0))));\npage Q = pte_none();\nframe F0;\nbool finished = false;\n`
      + `cpu c { let a = secondary_fault(P, false); ${call} finished = true; }\n`
      + `final gone: finished && !spte_valid[P] && mmu_invalidate_seq == ${ranges} && mmu_invalidate_in_progress == 0;\n`
      + 'reachable mapped: spte_valid[P];\n';
    const r = await checked(text, 'd.race');
    expect(verdictOf(r, 'mapped').status).toBe('reached');
    expect(verdictOf(r, 'gone').status).toBe('holds');
  });

  it('wp_page_copy (a write fault on a shared anonymous folio) opens one range around the PTE replacement', async () => {
    const text = 'use x86_64;\nuse linux;\npage P = pte_mkyoung(mk_pte(F0));\nframe F0, F1;\nbool folio_exclusive[frame] = false;\n'
      + 'ghost frame fault_folio[page] = F1;\nbool finished = false;\n'
      + 'cpu c { let a = secondary_fault(P, false); write P; finished = true; }\n'
      + 'fault write(p) { do_user_addr_fault(p, true); }\n'
      + 'final copied: finished && !spte_valid[P] && mmu_invalidate_seq == 1 && frame_of(ptep_get(P)) == F1;\n';
    expect(verdictOf(await checked(text, 'c.race'), 'copied').status).toBe('holds');
  });

  it('kswapd reclaiming a file folio keeps the secondary MMU off it; without the retry check it does not', async () => {
    const r = await checked(RECLAIM, 'rc.race', { strict: true });
    expect(verdictOf(r, 'no_secondary_stale').status).toBe('holds');
    expect(verdictOf(r, 'mapped_by_secondary').status).toBe('reached');
    expect(verdictOf(r, 'folio_freed').status).toBe('reached');
    const noRetry = RECLAIM.replace('use linux;', 'use linux(secondary_fault_retry = false);').replace('expect holds;', 'expect violated no_secondary_stale;');
    expect(verdictOf(await checked(noRetry, 'rn.race'), 'no_secondary_stale').status).toBe('violated');
  });

  it('without try_to_unmap_one\'s range the secondary MMU keeps its entry to the freed folio', async () => {
    const dir = mutatedModels(`proc try_to_unmap_one(p: page, f: frame) -> pte {
  mmu_notifier_invalidate_range_start(p);
  lock(ptl);
  let pteval = unmap_pte_batched_locked(p, f);
  unlock(ptl);
  mmu_notifier_invalidate_range_end(p);`, `proc try_to_unmap_one(p: page, f: frame) -> pte {
  lock(ptl);
  let pteval = unmap_pte_batched_locked(p, f);
  unlock(ptl);`, 'reclaim');
    const r = await checked(RECLAIM, 'scenarios/mmu_notifier/reclaim-vs-secondary-fault.race', { modelDirs: [dir] });
    expect(verdictOf(r, 'no_secondary_stale').status).toBe('violated');
  });
});
