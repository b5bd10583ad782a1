// Shared file mappings (models/linux/filemap.lib, mm/memory.c and fs/buffer.c v6.12): the read and
// write faults on a none PTE (do_read_fault, do_shared_fault), the write-notify fault on a
// read-only one (wp_page_shared with page_mkwrite), the folio lock that page_mkwrite holds until
// the folio is marked dirty, and writeback of one folio (folio_clear_dirty_for_io, PG_writeback,
// folio_wait_stable).
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';

const ARCHS = ['x86_64', 'arm64', 'arm64_nohafdbs', 'riscv_svade', 'riscv_svadu'];
const scenario = (arch: string, page: string, programs: string, extra: string, props: string, use = 'use linux;') => `use ${arch};
${use}
page P = ${page};
frame F0, F1;
bool vma_shared[page] = true;
ghost frame file_folio[page] = F0;
ghost frame fault_folio[page] = F1;
${extra}
${programs}
fault read(p) { handle_mm_fault(p, false); }
fault write(p) { handle_mm_fault(p, true); }
${props}
`;
const statusOf = async (text: string, name: string) => verdictOf(await checked(text, 'fm.race'), name).status;

describe('shared file faults', () => {
  it.each(ARCHS)('%s: a read maps the page-cache folio read-only and clean; the write after it goes through page_mkwrite', async (arch) => {
    const text = scenario(arch, 'pte_none()', 'cpu c { read P; write P; }', '',
      `reachable read_mapped: frame_of(ptep_get(P)) == F0 && pte_present(ptep_get(P)) && !pte_write(ptep_get(P)) && !pte_dirty(ptep_get(P)) && !folio_dirty[F0];
final written: frame_of(ptep_get(P)) == F0 && pte_write(ptep_get(P)) && folio_dirty[F0] && folio_fs_prepared[F0] && !folio_locked[F0] && F0.version == 1 && F1.version == 0;`);
    expect(await statusOf(text, 'read_mapped')).toBe('reached');
    expect(await statusOf(text, 'written')).toBe('holds');
  });

  it.each(ARCHS)('%s: a write to a none PTE (do_shared_fault) maps the folio writable and dirty, never a new folio', async (arch) => {
    const text = scenario(arch, 'pte_none()', 'cpu c { write P; }', '',
      'final written: frame_of(ptep_get(P)) == F0 && pte_write(ptep_get(P)) && pte_dirty(ptep_get(P)) && folio_dirty[F0] && folio_fs_prepared[F0] && !folio_locked[F0] && F0.version == 1;');
    expect(await statusOf(text, 'written')).toBe('holds');
  });

  it('the folio lock is held from page_mkwrite until the folio is marked dirty: writeback waits for it', async () => {
    const programs = 'cpu task { write P; }\ncpu flusher { let w = writeback_folio(F0); if (w) { folio_end_writeback(F0); } }';
    const props = `invariant mkwrite_seen: !pte_write(ptep_get(P)) || folio_fs_prepared[F0];
reachable flusher_waits: folio_locked[F0] && folio_fs_prepared[F0] && !pte_write(ptep_get(P));`;
    const page = 'pte_mkyoung(mk_pte(F0))';
    const fixed = scenario('x86_64', page, programs, '', props);
    expect(await statusOf(fixed, 'mkwrite_seen')).toBe('holds');
    expect(await statusOf(fixed, 'flusher_waits')).toBe('reached');
    // Without it (before b827e496c893) writeback can clean the folio between page_mkwrite and
    // the PTE store: the PTE becomes writable with the file system's preparation undone.
    const old = scenario('x86_64', page, programs, '', props, 'use linux(page_mkwrite_returns_locked = false);');
    expect(await statusOf(old, 'mkwrite_seen')).toBe('violated');
  });

  it.each(['x86_64', 'arm64'])('%s: no write is lost: after writeback a write redirties the folio (its PTE was write-protected)', async (arch) => {
    const text = scenario(arch, 'pte_mkyoung(pte_mkdirty(pte_mkwrite(mk_pte(F0))))', 'cpu task { write P; write P; }\ncpu flusher { let w = writeback_folio(F0); if (w) { saved = F0.version; folio_end_writeback(F0); } }',
      'bool folio_dirty[frame] = true;\nbool folio_fs_prepared[frame] = true;\nghost int[0..3] saved = 0;',
      'final no_lost_write: saved == F0.version || folio_dirty[F0];\nreachable redirtied: folio_writeback[F0] && folio_dirty[F0];');
    expect(await statusOf(text, 'no_lost_write')).toBe('holds');
    expect(await statusOf(text, 'redirtied')).toBe('reached');
  });

  it('stable writes: a write waits for the I/O to end (folio_wait_stable); without them it may land during the I/O', async () => {
    const programs = 'cpu task { write P; }\ncpu flusher { let w = writeback_folio(F0); if (w) { atomic { saved = F0.version; copied = true; } folio_end_writeback(F0); } }';
    const props = 'invariant data_stable: !copied || !folio_writeback[F0] || saved == F0.version;\nreachable copied_in_flight: copied && folio_writeback[F0];';
    const extra = (stable: boolean) => `bool folio_dirty[frame] = true;\nbool mapping_stable_writes = ${stable};\nghost int[0..3] saved = 0;\nghost bool copied = false;`;
    const page = 'pte_mkyoung(mk_pte(F0))';
    const stable = scenario('x86_64', page, programs, extra(true), props);
    expect(await statusOf(stable, 'data_stable')).toBe('holds');
    expect(await statusOf(stable, 'copied_in_flight')).toBe('reached');
    expect(await statusOf(scenario('x86_64', page, programs, extra(false), props), 'data_stable')).toBe('violated');
  });
});
