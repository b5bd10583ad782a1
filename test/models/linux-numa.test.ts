// PROT_NONE / NUMA-hinting PTEs (issue 10 §4): every model has pte_protnone, pte_modify_none
// (pte_modify(pte, PAGE_NONE)) and pte_accessible_pending (pte_accessible(mm, pte) with
// mm_tlb_flush_pending read by the caller); the library's change_prot_numa and
// try_to_migrate_one, and the race of 20841405940e that pte_accessible's pending test fixed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';
import { expectOnlyParameterDiffers } from '../gen/pair.js';

const WRITABLE_DIRTY = 'pte_mkyoung(pte_mkdirty(pte_mkwrite(mk_pte(F0))))';
const helpers = (arch: string) => `use ${arch};
use linux;
page P = ${WRITABLE_DIRTY};
frame F0;
cpu c { skip; }
invariant none_is_protnone: pte_protnone(pte_modify_none(${WRITABLE_DIRTY}));
invariant none_is_present: pte_present(pte_modify_none(${WRITABLE_DIRTY}));
invariant none_keeps_dirty: pte_dirty(pte_modify_none(${WRITABLE_DIRTY}));
invariant none_keeps_frame: frame_of(pte_modify_none(${WRITABLE_DIRTY})) == F0;
invariant none_not_writable: !pte_write(pte_modify_none(${WRITABLE_DIRTY}));
invariant mapped_not_protnone: !pte_protnone(${WRITABLE_DIRTY});
invariant accessible_while_pending: pte_accessible_pending(pte_modify_none(${WRITABLE_DIRTY}), true);
invariant not_accessible_otherwise: !pte_accessible_pending(pte_modify_none(${WRITABLE_DIRTY}), false);
invariant old_test_ignores_pending: !pte_accessible(pte_modify_none(${WRITABLE_DIRTY}));
`;

describe('PROT_NONE helpers', () => {
  it.each(['x86_64', 'arm64', 'riscv_svade', 'riscv_svadu', 'x86_64(saved_dirty = true)'])('%s', async (arch) => {
    const r = await checked(helpers(arch), 'numa.race');
    const failing = r.verdict.properties.filter((p) => p.status !== 'holds').map((p) => p.property.name);
    expect(failing).toEqual([]);
  });

  it('a PROT_NONE PTE faults on every model (the hardware does not read the software bit)', async () => {
    for (const arch of ['x86_64', 'arm64', 'riscv_svadu']) {
      const r = await checked(`use ${arch};\nuse linux;\npage P = pte_modify_none(${WRITABLE_DIRTY});\nframe F0;\ncpu c { read P; }\n`, 'numa.race');
      expect(verdictOf(r, 'unhandled_fault').status).toBe('violated');
    }
  });
});

describe('20841405940e: NUMA hinting vs migration', () => {
  const BUG = readFileSync('scenarios/bugs/20841405940e-numa-migrate.race', 'utf8');
  const FIXED = readFileSync('scenarios/bugs/20841405940e-numa-migrate-fixed.race', 'utf8');

  it('before the fix a write lands in the old frame after the copy; after it, never', async () => {
    expect(verdictOf(await checked(BUG, 'bug.race'), 'no_write_after_copy').status).toBe('violated');
    expect(verdictOf(await checked(FIXED, 'fixed.race'), 'no_write_after_copy').status).toBe('holds');
  });

  it('the two files differ only in the parameter (and their comments and expectations)', () => {
    expectOnlyParameterDiffers(BUG, FIXED, 'use linux(pte_accessible_reads_flush_pending = false);');
  });
});
