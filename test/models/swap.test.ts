// Swap and migration entries (models/linux/swap.lib): the soft-dirty and uffd-wp bits ride the
// swap entry out and back in (try_to_unmap_one_swap, do_swap_page); a fault on a migration entry
// waits (migration_entry_wait) and its retried write lands in the new folio; the uffd-wp write
// fault waits for the monitor (sync) or clears the bit itself (async).
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';

const HANDLERS = 'fault read(p) { handle_mm_fault(p, false); }\nfault write(p) { handle_mm_fault(p, true); }';
const scenario = (arch: string, page: string, cpus: string, props: string) => `use ${arch};
use linux;
page P = ${page};
frame F0, F1;
ghost frame fault_folio[page] = F1;
${cpus}
${HANDLERS}
${props}
`;
const DIRTY = 'pte_mkyoung(pte_mkdirty(pte_mkwrite(mk_pte(F0))))';
const statusOf = async (text: string, prop: string) => verdictOf(await checked(text, 'swap.race'), prop).status;

describe('swap entries', () => {
  it.each(['x86_64', 'riscv_svadu', 'arm64_softdirty_2024'])('%s: soft-dirty survives swap-out and swap-in', async (arch) => {
    const text = scenario(arch, `pte_mksoft_dirty(${DIRTY})`, 'bool out = false;\ncpu kswapd { let old = try_to_unmap_one_swap(P, F0); try_to_unmap_flush(); out = true; }\ncpu user { await(out); read P; }',
      'final kept: pte_present(ptep_get(P)) && pte_soft_dirty(ptep_get(P)) && frame_of(ptep_get(P)) == F0;\nreachable swapped: is_swap_pte(ptep_get(P)) && pte_swp_soft_dirty(ptep_get(P));');
    expect(await statusOf(text, 'kept')).toBe('holds');
    expect(await statusOf(text, 'swapped')).toBe('reached');
    // The bit is really carried: without it the swapped-in PTE is clean of it.
    expect(await statusOf(text.replace(`pte_mksoft_dirty(${DIRTY})`, `pte_clear_soft_dirty(${DIRTY})`), 'kept')).toBe('violated');
  });

  it('uffd-wp survives swap: the swapped-in PTE is write-protected, and a write waits for the monitor', async () => {
    const text = scenario('x86_64', `pte_mkuffd_wp(${DIRTY})`,
      'bool out = false;\nbool resolved = false;\ncpu kswapd { let old = try_to_unmap_one_swap(P, F0); try_to_unmap_flush(); out = true; }\n'
      + 'cpu user { await(out); write P; }\ncpu monitor { await(out && pte_present(ptep_get(P))); lock(ptl); let e = ptep_get(P); set_pte(P, pte_clear_uffd_wp(e)); resolved = true; unlock(ptl); }',
      'on write after_monitor(c, p, f): resolved;\nfinal written: F0.version == 1;');
    const r = await checked(text, 'swap.race');
    expect(verdictOf(r, 'after_monitor').status).toBe('holds');
    expect(verdictOf(r, 'written').status).toBe('holds');
    expect(verdictOf(r, 'livelock').status).toBe('holds');
  });

  it('async uffd-wp: the write fault clears the bit itself', async () => {
    const text = scenario('x86_64', `pte_mkuffd_wp(${DIRTY})`, 'bool vma_uffd_wp_async[page] = true;\ncpu user { write P; }',
      'final unprotected: F0.version == 1 && !pte_uffd_wp(ptep_get(P)) && pte_write(ptep_get(P));');
    expect(await statusOf(text, 'unprotected')).toBe('holds');
  });
});

describe('migration entries', () => {
  it.each(['x86_64', 'arm64', 'riscv_svade'])('%s: a write during migration waits, then lands in the new folio', async (arch) => {
    const text = scenario(arch, DIRTY,
      'bool migrated = false;\ncpu migrate { let old = try_to_migrate_one(P, F0); migrated = true; remove_migration_pte(P, F1); }\ncpu user { write P; }',
      'on write not_old_after(c, p, f): !(migrated && f == F0);\nfinal written_once: F0.version + F1.version == 1;\nreachable waited: is_migration_entry(ptep_get(P)) && F0.version + F1.version == 0;');
    const r = await checked(text, 'mig.race');
    for (const p of ['not_old_after', 'written_once', 'livelock', 'deadlock']) expect(verdictOf(r, p).status, p).toBe('holds');
    expect(verdictOf(r, 'waited').status).toBe('reached');
  });
});
