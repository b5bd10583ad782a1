// uffd-wp PTE markers (models/linux/swap.lib, task_mmu.lib, pagefault.lib, filemap.lib; Linux
// v6.12): PAGEMAP_SCAN write-protects a none PTE with a marker and a swap PTE with its swap bit;
// a fault on a marker maps the page as for a none PTE but keeps uffd-wp, so a write faults again
// into do_wp_page's uffd-wp path (async: cleared; sync: waits for the monitor); a zap of an
// anonymous page drops the marker.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';
import { mutatedModels, removeMutatedModels } from '../gen/mutated-models.js';
import { faultScenario } from '../gen/fault-scenario.js';

const UNPOPULATED = readFileSync('scenarios/uffd/async-wp-unpopulated.race', 'utf8');
const ARCHS = ['x86_64', 'arm64', 'riscv_svade'];

const scenario = (arch: string, page: string, extra: string, body: string, finals: string) =>
  faultScenario(arch, page, body, extra, finals, 'do_user_addr_fault');
const status = async (text: string, name: string) => verdictOf(await checked(text, 'm.race'), name).status;

afterAll(removeMutatedModels);

describe('uffd-wp PTE markers', () => {
  it.each(ARCHS)('%s: PAGEMAP_SCAN leaves a uffd-wp marker in a none PTE, and uffd-wp on a swap entry', async (arch) => {
    expect(await status(scenario(arch, 'pte_none()', '', 'do_pagemap_scan_wp(P);',
      'final marked: pte_marker_uffd_wp(ptep_get(P)) && !pte_present(ptep_get(P)) && is_swap_pte(ptep_get(P)) && !is_migration_entry(ptep_get(P));'), 'marked')).toBe('holds');
    expect(await status(scenario(arch, 'swp_entry_to_pte(F0)', '', 'do_pagemap_scan_wp(P);',
      'final swap_marked: ptep_get(P) == pte_swp_mkuffd_wp(swp_entry_to_pte(F0)) && !is_pte_marker(ptep_get(P));'), 'swap_marked')).toBe('holds');
  });

  it.each(ARCHS)('%s: a read on a marker maps the zero page write-protected, uffd-wp kept', async (arch) => {
    expect(await status(scenario(arch, 'make_pte_marker_uffd_wp()', '', 'read P;',
      'final zero_kept: frame_of(ptep_get(P)) == FZ && pte_present(ptep_get(P)) && pte_uffd_wp(ptep_get(P)) && !pte_write(ptep_get(P));'), 'zero_kept')).toBe('holds');
  });

  it.each(ARCHS)('%s: async: a write on a marker ends with a new writable, dirty folio and no uffd-wp', async (arch) => {
    expect(await status(scenario(arch, 'make_pte_marker_uffd_wp()', 'bool vma_uffd_wp_async[page] = true;', 'write P;',
      'final written: frame_of(ptep_get(P)) == F1 && pte_write(ptep_get(P)) && pte_dirty(ptep_get(P)) && !pte_uffd_wp(ptep_get(P)) && F1.version == 1;'), 'written')).toBe('holds');
  });

  it('sync: a write on a marker waits for the monitor, whose resolve comes after the page is mapped', async () => {
    const monitor = 'cpu monitor { await(pte_present(ptep_get(P))); atomic { set_pte(P, pte_clear_uffd_wp(ptep_get(P))); } }';
    const text = scenario('x86_64', 'make_pte_marker_uffd_wp()', monitor, 'write P;',
      'final written: F1.version == 1 && pte_dirty(ptep_get(P)) && !pte_uffd_wp(ptep_get(P));\nreachable waiting: pte_present(ptep_get(P)) && pte_uffd_wp(ptep_get(P)) && F1.version == 0;');
    const r = await checked(text, 's.race');
    expect(verdictOf(r, 'written').status).toBe('holds');
    expect(verdictOf(r, 'waiting').status).toBe('reached');
    expect(verdictOf(r, 'deadlock').status).toBe('holds');
    // Without the monitor the write never completes: the fault waits for ever.
    expect(await status(scenario('x86_64', 'make_pte_marker_uffd_wp()', '', 'write P;', ''), 'deadlock')).toBe('violated');
  });

  it('a shared file page: a read on a marker maps the file folio read-only with uffd-wp', async () => {
    const text = scenario('x86_64', 'make_pte_marker_uffd_wp()', 'bool vma_shared[page] = true;\nghost frame file_folio[page] = F0;', 'read P;',
      'final file_kept: frame_of(ptep_get(P)) == F0 && pte_uffd_wp(ptep_get(P)) && !pte_write(ptep_get(P));');
    expect(await status(text, 'file_kept')).toBe('holds');
  });

  it('MADV_DONTNEED of an anonymous page drops the marker (zap on anonymous drops everything)', async () => {
    expect(await status(scenario('x86_64', 'make_pte_marker_uffd_wp()', '', 'let old = do_madvise_dontneed(P);',
      'final dropped: ptep_get(P) == pte_none();'), 'dropped')).toBe('holds');
  });

  it('the bundled scenario: the scan races with the first touch; the write after the scan is reported', async () => {
    const r = await checked(UNPOPULATED, 'u.race', { strict: true });
    expect(verdictOf(r, 'write_reported').status).toBe('holds');
    expect(verdictOf(r, 'marker_installed').status).toBe('reached');
    expect(verdictOf(r, 'mapped_from_marker').status).toBe('reached');
  });

  it('a fault that took the marker for a swap entry (no handle_pte_marker) breaks the bundled scenario', async () => {
    const dir = mutatedModels('if (is_pte_marker(orig)) { handle_pte_marker(p, orig, is_write); } else { do_swap_page(p, orig, is_write); }',
      'do_swap_page(p, orig, is_write);', 'pagefault');
    const r = await checked(UNPOPULATED, 'scenarios/uffd/async-wp-unpopulated.race', { modelDirs: [dir] });
    expect(verdictOf(r, 'write_reported').status).toBe('violated');
  });
});
