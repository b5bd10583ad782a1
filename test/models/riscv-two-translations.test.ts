// RISC-V parameter two_translations (models/riscv_svade.arch): "an implementation may use any
// translation for an address that was valid at any time since the most recent SFENCE.VMA" — after
// a remap without a fence a hart may use the new and the old translation in either order. With one
// cached translation per page the old one, once replaced, is gone for good.
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';

const remap = (arch: string, fence: boolean) => `use ${arch};
page P { present: true, write: true, dirty: true, accessed: true, pfn: F0 }
frame F0, F1;
bool remapped = false;
cpu m { set_pte(P, pte_mkyoung(pte_mkdirty(pte_mkwrite(mk_pte(F1))))); ${fence ? 'flush(P);' : ''} remapped = true; }
cpu w { write P = 1; ${fence ? 'await(remapped);' : ''} write P = 2; }
// The second write lands in the old frame after the first landed in the new one.
final old_after_new: !(F0.data == 2 && F1.data == 1);
// After the fence every write lands in the new frame.
final fenced: !remapped || ${fence ? 'F0.data != 2' : 'true'};
`;

describe('riscv two_translations', () => {
  it.each(['riscv_svade', 'riscv_svadu'])('%s: new then old translation after a remap without a fence', async (arch) => {
    const on = await checked(remap(`${arch}(two_translations = true)`, false), 'tt.race');
    expect(verdictOf(on, 'old_after_new').status).toBe('violated');
    const off = await checked(remap(arch, false), 'tt.race');
    expect(verdictOf(off, 'old_after_new').status).toBe('holds');
    expect(off.result.states).toBeLessThan(on.result.states);
  });

  it.each(['riscv_svade', 'riscv_svadu'])('%s: SFENCE.VMA drops both translations', async (arch) => {
    const r = await checked(remap(`${arch}(two_translations = true)`, true), 'tt.race');
    expect(verdictOf(r, 'fenced').status).toBe('holds');
    expect(verdictOf(r, 'old_after_new').status).toBe('holds');
  });

  it('x86_64 has one translation per page: never the old after the new', async () => {
    const r = await checked(remap('x86_64', false), 'tt.race');
    expect(verdictOf(r, 'old_after_new').status).toBe('holds');
  });
});
