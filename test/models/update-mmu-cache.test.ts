// update_mmu_cache as an arch hook (models/*.arch): on RISC-V without Svvptc the write fault's
// local SFENCE.VMA is what lets the retry see the D bit the handler set; a handler without it
// faults for ever on the entry cached with D=0 (a livelock). x86_64 and arm64 need no fence.
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';

const scenario = (arch: string, page: string, handler: string) => `use ${arch};
use linux;
page P { ${page} }
frame F0;
disable evict;
cpu w { read P; write P; }
fault write(p) { ${handler} }
`;
const RISCV_PAGE = 'present: true, write: true, accessed: true, dirty: false, pfn: F0';
const NO_FENCE = 'lock(ptl); let e = ptep_get(p); let c = ptep_set_access_flags(p, pte_mkyoung(pte_mkdirty(e)), true); unlock(ptl);';

describe('update_mmu_cache', () => {
  it('RISC-V: the library write fault fences locally, so the retried write completes', async () => {
    for (const arch of ['riscv_svade', 'riscv_svadu', 'riscv_svade(svvptc = true)']) {
      const r = await checked(scenario(arch, RISCV_PAGE, 'handle_pte_write_fault(p);'), 'umc.race');
      expect(verdictOf(r, 'livelock').status).toBe('holds');
      expect(r.verdict.outcome).toBe('holds');
    }
  });

  it('RISC-V Svade without the fence: the write faults for ever on the entry cached with D=0', async () => {
    const r = await checked(scenario('riscv_svade', RISCV_PAGE, NO_FENCE), 'umc.race');
    expect(verdictOf(r, 'livelock').status).toBe('violated');
    expect(verdictOf(r, 'livelock').violation!.lasso!.cpu).toBe(0);
  });
});
