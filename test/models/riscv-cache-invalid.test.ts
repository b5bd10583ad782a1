// RISC-V parameter cache_invalid (models/riscv_svade.arch): a hart may cache a PTE with V=0 (or,
// under Svade, A=0); the entry faults until SFENCE.VMA or eviction drops it. A fault handler that
// installs the PTE without update_mmu_cache's local fence then livelocks; with the fence, or
// without the parameter, or with Svvptc (invalid-to-valid visible in bounded time), it completes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatResult } from '../../src/report/text.js';
import { checked, verdictOf } from '../gen/checked.js';

const scenario = (arch: string, fence: boolean, extra = '') => `use ${arch};
use linux;
page P { pfn: F0 }
frame F0;
${extra}
cpu task { read P; }
fault read(p) {
  lock(ptl);
  if (!pte_present(ptep_get(p))) { set_pte(p, pte_mkyoung(mk_pte(F0))); ${fence ? 'update_mmu_cache(p);' : ''} }
  unlock(ptl);
}
`;

describe('riscv cache_invalid', () => {
  it.each(['riscv_svade', 'riscv_svadu'])('%s: the handler without the fence livelocks on the cached invalid entry', async (arch) => {
    const r = await checked(scenario(`${arch}(cache_invalid = true)`, false), 'ci.race');
    const v = verdictOf(r, 'livelock');
    expect(v.status).toBe('violated');
    // The cycle is the read faulting on an entry that the fill cached as invalid.
    expect(v.violation!.lasso).toBeDefined();
    expect(formatResult(r.ts, r.result, r.verdict, { traces: true })).toMatch(/\[hw\] fill P +tlb\[task\]\[P\]=\{pfn=F0,invalid\}/);
  });

  it.each(['riscv_svade', 'riscv_svadu'])('%s: with update_mmu_cache the retried read completes', async (arch) => {
    const r = await checked(scenario(`${arch}(cache_invalid = true)`, true), 'ci.race');
    expect(r.verdict.outcome).toBe('holds');
  });

  it('off by default, and never with Svvptc: the same handler completes', async () => {
    for (const arch of ['riscv_svade', 'riscv_svadu', 'riscv_svade(cache_invalid = true, svvptc = true)']) {
      const r = await checked(scenario(arch, false), 'ci.race');
      expect(verdictOf(r, 'livelock').status).toBe('holds');
    }
  });

  it('disable evict makes no difference to the fault, since the fence, not the eviction, is the fix', async () => {
    const r = await checked(scenario('riscv_svade(cache_invalid = true)', true, 'disable evict;'), 'ci.race');
    expect(r.verdict.outcome).toBe('holds');
    const n = await checked(scenario('riscv_svade(cache_invalid = true)', false, 'disable evict;'), 'ci.race');
    expect(verdictOf(n, 'livelock').status).toBe('violated');
  });

  it('the bundled pair meets its expectations on every model it names', async () => {
    for (const f of ['scenarios/riscv/fault-without-fence.race', 'scenarios/riscv/fault-with-update-mmu-cache.race']) {
      const r = await checked(readFileSync(f, 'utf8'), f);
      expect(r.exit, f).toBe(0);
    }
    const bug = await checked(readFileSync('scenarios/riscv/fault-without-fence.race', 'utf8'), 'b.race');
    expect(verdictOf(bug, 'livelock').status).toBe('violated');
  });
});
