// RISC-V Svadu: a store through a cached writable, clean entry does step 9's atomic compare of
// the whole PTE (privileged spec 20240411, §12.3.2 "Virtual Address Translation Process"): after
// a remap without SFENCE.VMA the compare fails and the walk restarts on the new PTE, so the store
// lands in the new frame, whose PTE gets D. Before (issue 15 §4), only V and W were re-checked:
// D was set on the new frame's PTE while the store went to the old frame.
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';

const scenario = `use riscv_svadu;
page P { present: true, write: true, accessed: true, pfn: F0 }
frame F0;
frame F1;
disable evict;
bool remapped = false;
cpu a { read P; await(remapped); write P; }
cpu b { set_pte(P, pte { present: true, write: true, accessed: true, pfn: F1 }); remapped = true; }
// D in the PTE records a store to the frame the PTE maps.
final dirty_means_written: !pte_dirty(ptep_get(P)) || F1.version == 1;
final old_frame_untouched: F0.version == 0;
reachable through_cached_entry: remapped && F1.version == 1;
`;

describe('riscv_svadu: a D update compares the whole PTE', () => {
  it('the store through a stale clean entry lands in the current frame', async () => {
    for (const opts of [{}, { por: false, symmetry: false }]) {
      const r = await checked(scenario, 'svadu-rewalk.race', opts);
      expect(verdictOf(r, 'dirty_means_written').status).toBe('holds');
      expect(verdictOf(r, 'old_frame_untouched').status).toBe('holds');
      expect(verdictOf(r, 'through_cached_entry').status).toBe('reached');
      expect(r.result.finalStates).toBeGreaterThan(0);
    }
  });

  it('a write through a cached dirty entry still needs no PTE access (stale: lands in the old frame)', async () => {
    const dirty = scenario.replace('accessed: true, pfn: F0 }', 'accessed: true, dirty: true, pfn: F0 }');
    const r = await checked(dirty, 'svadu-dirty.race');
    expect(verdictOf(r, 'old_frame_untouched').status).toBe('violated');
  });
});
