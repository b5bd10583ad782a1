// shrink_folio_list for a file folio (models/linux/reclaim.lib shrink_file_folio): written back,
// freed clean, or kept; try_to_unmap_flush_dirty before pageout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';

const FILE = join(import.meta.dirname, '..', '..', 'scenarios', 'reclaim', 'shrink-file-folio.race');
const base = readFileSync(FILE, 'utf8');
const status = async (text: string, name: string) => verdictOf(await checked(text, FILE), name).status;

describe('shrink_file_folio', () => {
  it('a dirty PTE is flushed before pageout cleans the folio: no write lands behind the I/O', async () => {
    expect(await status(base, 'no_lost_write')).toBe('holds');
    expect(await status(base, 'written_back')).toBe('reached');
    expect(await status(base, 'freed_clean')).toBe('reached');
  });

  it('the stale dirty entry outlives the unmap, but not try_to_unmap_flush_dirty before pageout', async () => {
    const text = `${base}
reachable stale_after_unmap: !pte_present(ptep_get(P)) && tlb(task, P).valid && tlb(task, P).dirty && folio_locked[F0];
reachable stale_at_pageout: folio_writeback[F0] && tlb(task, P).valid && tlb(task, P).dirty;`;
    expect(await status(text, 'stale_after_unmap')).toBe('reached');
    expect(await status(text, 'stale_at_pageout')).toBe('unreached');
  });

  it('a direct reclaimer does not write file folios: a dirty one is kept, never freed', async () => {
    const direct = base.replace('use linux;', 'use linux(reclaim_writes_file_folios = false);');
    expect(await status(direct, 'written_back')).toBe('unreached');
    expect(await status(direct, 'freed_clean')).toBe('reached');
    expect(await status(direct, 'no_lost_write')).toBe('holds');
    // Written before the unmap: kept, still dirty, not under writeback (kswapd would write it).
    const kept = `${direct}\nfinal dirty_kept: F0.version == 0 || (!F0.freed && folio_dirty[F0] && !folio_writeback[F0]);\nreachable kept_after_write: F0.version > 0 && !F0.freed && folio_dirty[F0];`;
    expect(await status(kept, 'dirty_kept')).toBe('holds');
    expect(await status(kept, 'kept_after_write')).toBe('reached');
    expect(await status(kept.replace('reclaim_writes_file_folios = false', 'reclaim_writes_file_folios = true'), 'dirty_kept')).toBe('violated');
  });

  it('a folio under writeback is kept', async () => {
    const busy = base.replace('use linux;', 'use linux;\nbool folio_writeback[frame] = true;');
    expect(await status(busy, 'freed_clean')).toBe('unreached');
  });
});
