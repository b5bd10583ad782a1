// MADV_FREE's lazyfree folios (folio.lib folio_swapbacked, folio_mark_lazyfree; madvise.lib;
// reclaim.lib try_to_unmap_one_anon, shrink_anon_folio): a clean lazyfree folio is discarded,
// a redirtied one is remapped and kept, and the batched flush of reclaim's unmap loses no write
// after MADV_FREE returned.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';

const SCENARIO = readFileSync('scenarios/madv_free/lazyfree-discard-deferred-flush.race', 'utf8');

const reclaimOnly = (page: string, swapbacked: boolean, freed: boolean) => `use x86_64;
use linux;
page P { ${page}, pfn: F0 }
frame F0;
bool folio_swapbacked[frame] = ${swapbacked};
bool reclaimed = false;
cpu kswapd { let d = shrink_anon_folio(P, F0); reclaimed = true; }
final outcome: !reclaimed || (F0.freed == ${freed} && pte_present(ptep_get(P)) == ${!freed});
final kept_is_swapbacked_again: !reclaimed || F0.freed || folio_swapbacked[F0];
`;

describe('lazyfree folios', () => {
  it('MADV_FREE clears PG_swapbacked of a mapped folio only', async () => {
    const text = (page: string) => `use x86_64;\nuse linux;\npage P { ${page}, pfn: F0 }\nframe F0;\ncpu c { madvise_free(P); }\nfinal lazy: !folio_swapbacked[F0];\n`;
    expect(verdictOf(await checked(text('present: true, write: true, dirty: true'), 'l.race'), 'lazy').status).toBe('holds');
    expect(verdictOf(await checked(text('present: false'), 'l.race'), 'lazy').status).toBe('violated');
  });

  it('reclaim discards a clean lazyfree folio, remaps a redirtied one, keeps a swap-backed one', async () => {
    const cases = [['present: true, write: true', false, true], ['present: true, write: true, dirty: true', false, false], ['present: true, write: true', true, false]] as const;
    for (const [page, swapbacked, freed] of cases) {
      const r = await checked(reclaimOnly(page, swapbacked, freed), 'r.race');
      // The same scenario with the other outcome claimed fails: the test can tell them apart.
      expect((await checked(reclaimOnly(page, swapbacked, !freed), 'r.race')).verdict.outcome).toBe('violated');
      expect(r.verdict.outcome, `${page} swapbacked=${swapbacked}`).toBe('holds');
    }
  });

  it.each(['x86_64', 'arm64', 'riscv_svade'])('%s: no write after MADV_FREE is lost to the batched flush; both outcomes reached', async (arch) => {
    const r = await checked(SCENARIO, 'lazyfree.race', { arch });
    expect(r.verdict.outcome).toBe('holds');
    expect(verdictOf(r, 'discarded_clean').status).toBe('reached');
    expect(verdictOf(r, 'kept_written').status).toBe('reached');
  });

  it('a reclaim that ignored the unmapped PTE\'s dirty bit would discard the written folio', async () => {
    const buggy = SCENARIO.replace('let discarded = shrink_anon_folio(P, F0);',
      'lock(ptl); let v = ptep_get_and_clear(P); set_tlb_ubc_flush_pending(v); let d = !folio_dirty[F0]; unlock(ptl); try_to_unmap_flush(); if (d) { F0.freed = true; }');
    expect(buggy).not.toBe(SCENARIO);
    expect(verdictOf(await checked(buggy, 'buggy.race'), 'written_is_kept').status).toBe('violated');
  });
});
