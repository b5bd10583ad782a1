// RISC-V ptep_set_access_flags (arch/riscv/mm/pgtable.c, Linux v6.12): without Svvptc it always
// returns true (update_mmu_cache fences); with Svvptc an unchanged PTE returns false, so
// handle_pte_fault's flush_tlb_fix_spurious_fault runs, and a changed one is flushed. Before
// (issue 15 §4) the model returned true in both cases.
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';

const scenario = (arch: string) => `use ${arch};
page P { present: true, write: true, accessed: true, dirty: true, pfn: F0 }
frame F0;
disable fill;
disable evict;
bool same = true;
bool other = false;
cpu a {
  let e = ptep_get(P);
  let r = ptep_set_access_flags(P, e, true);
  same = r;
  let f = ptep_get(P);
  let s = ptep_set_access_flags(P, f with { write: false }, true);
  other = s;
}
final unchanged_reported: same;
final changed_reported: other;
`;

describe('ptep_set_access_flags on RISC-V', () => {
  for (const arch of ['riscv_svade', 'riscv_svadu']) {
    it(`${arch}: true for an unchanged PTE without Svvptc, false with it`, async () => {
      const plain = await checked(scenario(arch), 'svvptc.race');
      expect(verdictOf(plain, 'unchanged_reported').status).toBe('holds');
      expect(verdictOf(plain, 'changed_reported').status).toBe('holds');
      const svvptc = await checked(scenario(`${arch}(svvptc = true)`), 'svvptc.race');
      expect(verdictOf(svvptc, 'unchanged_reported').status).toBe('violated');
      expect(verdictOf(svvptc, 'changed_reported').status).toBe('holds');
      expect(svvptc.result.finalStates).toBeGreaterThan(0);
    });
  }
});
