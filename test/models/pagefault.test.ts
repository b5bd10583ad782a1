// The library's fault paths (models/linux/pagefault.lib, mm/memory.c v6.12): handle_mm_fault
// dispatching to do_anonymous_page, do_wp_page (reuse or copy), do_numa_page and the A/D
// update, used as a scenario's handlers on every architecture.
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';
import { faultScenario } from '../gen/fault-scenario.js';

const ARCHS = ['x86_64', 'arm64', 'arm64_nohafdbs', 'riscv_svade', 'riscv_svadu'];
const scenario = faultScenario;
const holdsAll = async (text: string) => {
  const r = await checked(text, 'pf.race');
  const bad = r.verdict.properties.filter((p) => p.status !== 'holds' && p.status !== 'reached').map((p) => p.property.name);
  expect(bad, text).toEqual([]);
  return r;
};

describe('handle_mm_fault', () => {
  it.each(ARCHS)('%s: a write to a never-touched page gets a new writable, dirty folio', async (arch) => {
    await holdsAll(scenario(arch, 'pte_none()', 'write P;', '', 'final mapped: frame_of(ptep_get(P)) == F1 && pte_write(ptep_get(P)) && pte_dirty(ptep_get(P)) && F1.version == 1;'));
  });

  it.each(ARCHS)('%s: a read maps the zero page read-only; the write after it copies to a new folio', async (arch) => {
    await holdsAll(scenario(arch, 'pte_none()', 'read P; write P;', '',
      'final copied: frame_of(ptep_get(P)) == F1 && FZ.version == 0 && F1.version == 1 && folio_exclusive[F1];\nreachable zero_mapped: frame_of(ptep_get(P)) == FZ && pte_present(ptep_get(P));'));
  });

  it.each(ARCHS)('%s: a write fault on an exclusive read-only folio reuses it; a shared one is copied', async (arch) => {
    const ro = 'pte_mkyoung(mk_pte(F0))';
    await holdsAll(scenario(arch, ro, 'write P;', '', 'final reused: frame_of(ptep_get(P)) == F0 && F0.version == 1 && pte_write(ptep_get(P));'));
    await holdsAll(scenario(arch, ro, 'write P;', 'bool folio_exclusive[frame] = false;', 'final copied: frame_of(ptep_get(P)) == F1 && F0.version == 0 && F1.version == 1;'));
  });

  it('the copy flushes the old translation first (ptep_clear_flush): no CPU keeps writing the old folio', async () => {
    const r = await holdsAll(scenario('x86_64', 'pte_mkyoung(pte_mkdirty(mk_pte(F0)))', 'write P;',
      'bool folio_exclusive[frame] = false;\ncpu r { read P; read P; }',
      'on read no_stale_read(c, p, f): !(f == F0 && frame_of(ptep_get(P)) == F1 && c == r);'));
    expect(verdictOf(r, 'no_stale_read').status).toBe('holds');
  });

  it.each(ARCHS)('%s: a write to a read-only VMA is a SIGSEGV', async (arch) => {
    const r = await checked(scenario(arch, 'pte_mkyoung(mk_pte(F0))', 'write P;', 'bool vma_writable[page] = false;', 'final killed_not_written: killed(c) && F0.version == 0;'), 'pf.race');
    expect(verdictOf(r, 'killed_not_written').status).toBe('holds');
  });

  it.each(ARCHS)('%s: a NUMA-hinting PTE faults into do_numa_page, which restores it', async (arch) => {
    await holdsAll(scenario(arch, 'pte_modify_none(pte_mkyoung(pte_mkdirty(pte_mkwrite(mk_pte(F0)))))', 'read P; write P;', '',
      'final restored: frame_of(ptep_get(P)) == F0 && !pte_protnone(ptep_get(P)) && pte_write(ptep_get(P)) && F0.version == 1;'));
  });

  it('two CPUs faulting the same none page: one maps it, the other finds it mapped and retries', async () => {
    const r = await holdsAll(scenario('x86_64', 'pte_none()', 'write P;', 'cpu d { write P; }',
      'final one_folio: frame_of(ptep_get(P)) == F1 && F1.version == 2;\nreachable both_faulted: F1.version == 0 && pte_present(ptep_get(P)) && !tlb(c, P).valid && !tlb(d, P).valid;'));
    expect(verdictOf(r, 'livelock').status).toBe('holds');
  });
});

describe('do_numa_page and uffd-wp', () => {
  it('a NUMA-hinting PTE that is uffd-wp protected comes back write-protected (can_change_pte_writable)', async () => {
    const page = 'pte_modify_none(pte_mkuffd_wp(pte_mkyoung(pte_mkdirty(pte_mkwrite(mk_pte(F0))))))';
    const text = scenario('x86_64', page, 'read P;', '', 'final still_protected: pte_present(ptep_get(P)) && !pte_protnone(ptep_get(P)) && !pte_write(ptep_get(P)) && pte_uffd_wp(ptep_get(P));');
    expect(verdictOf(await checked(text, 'pf.race'), 'still_protected').status).toBe('holds');
  });
});

// handle_userfault with FAULT_FLAG_ALLOW_RETRY drops the mmap_lock before it sleeps: a monitor
// that takes the lock for writing before it resolves the fault does not wait for the fault.
describe('sync uffd-wp through do_user_addr_fault', () => {
  const text = (handler: string) => `use x86_64;
use linux;
page P = pte_mkuffd_wp(pte_mkyoung(mk_pte(F0)));
frame F0;
bool folio_exclusive[frame] = true;
bool writer_ran = false;
cpu task { write P; }
cpu monitor {
  down_write(mmap_lock);
  writer_ran = true;
  up_write(mmap_lock);
  atomic { set_pte(P, pte_clear_uffd_wp(ptep_get(P))); }
}
fault write(p) { ${handler} }
final written: writer_ran && F0.version == 1 && pte_dirty(ptep_get(P)) && !pte_uffd_wp(ptep_get(P));
reachable waited_unlocked: writer_ran && pte_uffd_wp(ptep_get(P)) && F0.version == 0;
`;
  it('the fault waits without the lock: the writer runs, then the write completes, no deadlock', async () => {
    const r = await checked(text('do_user_addr_fault(p, true);'), 'u.race');
    expect(verdictOf(r, 'deadlock').status).toBe('holds');
    expect(verdictOf(r, 'written').status).toBe('holds');
    expect(verdictOf(r, 'waited_unlocked').status).toBe('reached');
  });
  it('a handler that holds the read lock across the wait deadlocks against that writer', async () => {
    const r = await checked(text('down_read(mmap_lock); handle_mm_fault(p, true); up_read(mmap_lock);'), 'h.race');
    expect(verdictOf(r, 'deadlock').status).toBe('violated');
  });
});
