// Break-before-make (src/check/bbm.ts): under a model that defines bbm_valid (arm64 and its
// variants) every scenario has the built-in invariant `bbm`; a PTE changed from valid to valid
// with a new output address while a CPU still holds the old translation violates it.
import { describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { Diagnostic, lineCol } from '../../src/lang/source.js';
import { checked, verdictOf } from '../gen/checked.js';
import { runFast, runReference } from '../gen/engines.js';

const remap = (arch: string, between: string, readers = 'cpu r { read P; }') => `use ${arch};
use linux;
page P { valid: true, af: true, pfn: F0 }
frame F0, F1;
${readers}
cpu m { ${between} set_pte(P, pte_mkyoung(mk_pte(F1))); }
fault read(p) { sigsegv; }
`;
const BREAK_FLUSH = 'let old = ptep_get_and_clear(P); flush_tlb_page(P);';
const BREAK_NOSYNC = 'let old = ptep_get_and_clear(P); flush_tlb_page_nosync(P);';

describe('bbm', () => {
  it.each(['arm64', 'arm64_nohafdbs', 'arm64_softdirty_2024'])('%s: valid to valid with a new frame violates it', async (arch) => {
    const r = await checked(remap(arch, ''), 'bbm.race');
    const v = verdictOf(r, 'bbm');
    expect(v.status).toBe('violated');
    // r's read caches P; m's plain store is pending until pte_commit writes it (relaxed mode).
    expect(v.violation!.depth).toBe(3);
    const sc = verdictOf(await checked(remap(arch, ''), 'bbm.race', { memory: 'sc' }), 'bbm');
    expect(sc.status).toBe('violated');
    expect(sc.violation!.depth).toBe(2);
  });

  it('break, TLBI and DSB, then make: holds', async () => {
    const r = await checked(remap('arm64', BREAK_FLUSH), 'bbm.race');
    expect(verdictOf(r, 'bbm').status).toBe('holds');
  });

  it('break and a TLBI not yet completed (no DSB), then make: violated', async () => {
    const r = await checked(remap('arm64', BREAK_NOSYNC), 'bbm.race');
    expect(verdictOf(r, 'bbm').status).toBe('violated');
  });

  it('the reference interpreter agrees, with and without symmetry among two readers', async () => {
    for (const between of ['', BREAK_FLUSH, BREAK_NOSYNC]) {
      const model = modelOf({ path: 'bbm.race', text: remap('arm64', between, 'cpu r[2] { read P; }') });
      const fast = runFast(model, 100_000);
      const ref = runReference(model, 100_000);
      expect(fast).toEqual(ref);
      // Symmetry needs --memory sc: the relaxed mode's per-CPU state is not permuted.
      const sym = await checked(remap('arm64', between, 'cpu r[2] { read P; }'), 'bbm.race', { symmetry: true, memory: 'sc' });
      const nosym = await checked(remap('arm64', between, 'cpu r[2] { read P; }'), 'bbm.race', { symmetry: false, memory: 'sc' });
      expect(verdictOf(sym, 'bbm').status).toBe(verdictOf(nosym, 'bbm').status);
      // bbm names both readers alike, so it does not stop the symmetry reduction (a tlbi does:
      // pending invalidations are not permuted, src/explore/symmetry.ts).
      if (between === BREAK_NOSYNC) expect(sym.result.states).toBe(nosym.result.states);
      else expect(sym.result.states).toBeLessThan(nosym.result.states);
    }
  });

  it('models without bbm_valid have no such property; an expect line for arm64 may still name it', async () => {
    const r = await checked(remap('x86_64', '').replace(/valid: true, af: true/, 'present: true, accessed: true') + 'expect on arm64 violated bbm;\n', 'bbm.race');
    expect(r.verdict.properties.some((p) => p.property.name === 'bbm')).toBe(false);
  });

  it('a scenario property named bbm is a located error under arm64', () => {
    const text = `${remap('arm64', '')}invariant bbm: true;\n`;
    let e: unknown;
    try { modelOf({ path: 'bbm.race', text }); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(Diagnostic);
    const d = e as Diagnostic;
    expect(d.message).toMatch(/'bbm' is the name of arm64's built-in break-before-make invariant/);
    expect(lineCol(d.span.file, d.span.start).line).toBe(text.split('\n').length - 1);
  });
});
