// x86: a write through a cached read-only entry faults, and the page fault drops the entry (SDM
// vol. 3A §4.10.4.1), so after software makes the PTE writable the retry walks and completes:
// at most one spurious fault (§4.10.4.3). Before, the entry stayed and the write faulted forever.
import { describe, expect, it } from 'vitest';
import { checkText } from '../../src/index.js';

const scenario = (arch: string) => `use ${arch};
page P { present: true, write: false, accessed: true, pfn: F0 }
frame F0;
disable fill;
disable evict;
cpu a {
  read P;
  let e = ptep_get(P);
  set_pte(P, e with { write: true });
  write P;
}
fault write(p) { skip; }
final wrote: F0.version == 1;
`;

describe('x86 page fault through a stale read-only entry', () => {
  for (const arch of ['x86_64', 'x86_64_pre_cet', 'x86_64_knl']) {
    it(`${arch}: the retry re-walks and the write completes`, async () => {
      const r = await checkText(scenario(arch), { path: 'stale-ro.race' });
      if (r.kind !== 'checked') throw new Error(r.kind);
      expect(r.verdict.properties.find((p) => p.property.name === 'wrote')!.status).toBe('holds');
      // Judged for real: the CPU finishes, having written once.
      expect(r.result.finalStates).toBeGreaterThan(0);
      expect(r.analysis.coverage.zeroWrites).toBe(false);
      expect(r.analysis.warnings).toEqual([]);
    });
  }

  it('riscv_svadu keeps the entry (a RISC-V fault invalidates nothing): the write never completes without a fence', async () => {
    const r = await checkText(scenario('riscv_svadu'), { path: 'stale-ro.race' });
    if (r.kind !== 'checked') throw new Error(r.kind);
    expect(r.result.finalStates).toBe(0);
    expect(r.analysis.coverage.zeroWrites).toBe(true);
  });
});
