// The rmap walk over every mapping of a folio (rmap.lib folio_mkclean_all, folio.lib
// folio_clear_dirty_for_io_all) and the `for q in page` loop it is written with.
import { describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { checked, verdictOf } from '../gen/checked.js';

const DIRTY = (f: string) => `pte_mkyoung(pte_mkdirty(pte_mkwrite(mk_pte(${f}))))`;
const scenario = (body: string, props: string, p1 = DIRTY('F0')) => `use x86_64;
use linux;
page P0 = ${DIRTY('F0')};
page P1 = ${p1};
page P2 = ${DIRTY('F1')};
frame F0, F1;
bool ret = false;
cpu user { read P0; read P1; }
cpu cleaner { ${body} }
${props}
`;

describe('folio_mkclean over every mapping', () => {
  it.each(['x86_64', 'arm64', 'riscv_svadu'])('%s: every PTE of the folio is cleaned and write-protected, and its entries flushed; another folio is untouched', async (arch) => {
    const text = scenario('let c = folio_mkclean_all(F0); ret = c;',
      'final cleaned: ret && !pte_dirty(ptep_get(P0)) && !pte_write(ptep_get(P0)) && !pte_dirty(ptep_get(P1)) && !pte_write(ptep_get(P1)) && pte_dirty(ptep_get(P2)) && pte_write(ptep_get(P2));\n'
      + (arch === 'x86_64' ? 'invariant no_stale_writable: !ret || ((!tlb(user, P0).valid || !tlb(user, P0).dirty) && (!tlb(user, P1).valid || !tlb(user, P1).dirty));' : '')).replace('use x86_64;', `use ${arch};`);
    const r = await checked(text, 'rmap.race');
    expect(verdictOf(r, 'cleaned').status).toBe('holds');
    if (arch === 'x86_64') expect(verdictOf(r, 'no_stale_writable').status).toBe('holds');
  });

  it('the one-page folio_mkclean leaves the second mapping writable: the walk is what cleans it', async () => {
    const r = await checked(scenario('let c = folio_mkclean(P0); ret = c;', 'final second_cleaned: !pte_write(ptep_get(P1));'), 'rmap.race');
    expect(verdictOf(r, 'second_cleaned').status).toBe('violated');
  });

  it('nothing dirty or writable: returns false; folio_clear_dirty_for_io_all then writes back only a dirty folio', async () => {
    const clean = 'pte_mkyoung(mk_pte(F0))';
    const text = `use x86_64;\nuse linux;\npage P0 = ${clean};\npage P1 = ${clean};\nframe F0;\nbool folio_dirty[frame] = true;\nbool ret = true;\nbool wb = false;\n`
      + 'cpu cleaner { let c = folio_mkclean_all(F0); ret = c; let w = folio_clear_dirty_for_io_all(F0); wb = w; }\nfinal nothing_cleaned: !ret && wb && !folio_dirty[F0];\n';
    expect(verdictOf(await checked(text, 'rmap.race'), 'nothing_cleaned').status).toBe('holds');
  });

  it('for q in page unrolls once per page, in declaration order', async () => {
    const text = 'use x86_64;\npage A { present: true, pfn: F0 }\npage B { pfn: F0 }\npage C { present: true, pfn: F0 }\nframe F0;\npage last = A;\nint[0..3] n = 0;\n'
      + 'cpu c { for q in page { if (pte_present(ptep_get(q))) { n = n + 1; last = q; } } }\nfinal counted: n == 2 && last == C;\n';
    expect(modelOf({ path: 'f.race', text: text.replace('page last = A;', 'ghost page last = A;') }).cpus.length).toBe(1);
    expect(verdictOf(await checked(text.replace('page last = A;', 'ghost page last = A;'), 'f.race'), 'counted').status).toBe('holds');
  });
});

describe('try_to_unmap over every mapping', () => {
  it('a shared file folio is unmapped at both pages; after the batched flush no CPU caches it; a dirty mapping dirties the folio', async () => {
    const text = `use x86_64;
use linux;
page P0 = pte_mkyoung(pte_mkwrite(mk_pte(F0)));
page P1 = pte_mkyoung(pte_mkdirty(pte_mkwrite(mk_pte(F0))));
page P2 = pte_mkyoung(pte_mkwrite(mk_pte(F1)));
frame F0, F1;
bool finished = false;
disable evict;
cpu user { read P0; read P1; }
cpu kswapd { try_to_unmap_all(F0); try_to_unmap_flush(); finished = true; }
fault read(p) { sigsegv; }
final unmapped: ptep_get(P0) == pte_none() && ptep_get(P1) == pte_none() && pte_present(ptep_get(P2)) && folio_dirty[F0];
invariant no_entry_after_flush: !finished || (!tlb(user, P0).valid && !tlb(user, P1).valid);
reachable cached_while_owed: ptep_get(P1) == pte_none() && tlb(user, P1).valid;
`;
    const r = await checked(text, 'unmap.race');
    for (const p of ['unmapped', 'no_entry_after_flush']) expect(verdictOf(r, p).status, p).toBe('holds');
    expect(verdictOf(r, 'cached_while_owed').status).toBe('reached');
  });
});
