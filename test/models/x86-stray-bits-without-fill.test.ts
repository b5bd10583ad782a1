// x86 Knights Landing (KNL4: A/D set in a not-present PTE) and pre-CET (D set in a read-only PTE)
// stray bits come from another CPU's PTE change between a write's walk and its locked D update.
// The write's own walk is the variants' `write_walk` rule, so `disable fill` (no speculative
// caching) no longer hides them (issue 15 §4); `disable write_walk` does. A stray bit is D set
// while no write has completed.
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';

const scenario = (arch: string, change: string, stray: string, extra = '') => `use ${arch};
page P { present: true, write: true, accessed: true, pfn: F0 }
frame F0;
disable fill;
disable evict;
${extra}
cpu a { write P; }
cpu b { atomic { let e = ptep_get(P); set_pte(P, ${change}); } }
fault write(p) { sigsegv; }
reachable stray: ${stray};
`;
const preCet = (extra = '') => scenario('x86_64_pre_cet', 'e with { write: false }', 'F0.version == 0 && pte_dirty(ptep_get(P)) && !pte_write(ptep_get(P))', extra);
const knl = (extra = '') => scenario('x86_64_knl', 'e with { present: false, accessed: false }', 'F0.version == 0 && !pte_present(ptep_get(P)) && pte_dirty(ptep_get(P))', extra);

describe('x86 stray-bit states do not depend on fill', () => {
  for (const [name, text] of [['x86_64_pre_cet', preCet], ['x86_64_knl', knl]] as const) {
    it(`${name}: reachable with fill disabled, unreachable without the write's walk`, async () => {
      expect(verdictOf(await checked(text(), 'stray.race'), 'stray').status).toBe('reached');
      expect(verdictOf(await checked(text('disable write_walk;'), 'stray.race'), 'stray').status).toBe('unreached');
    });
  }

  it('the base x86_64 model has no such state', async () => {
    const text = preCet().replace('use x86_64_pre_cet;', 'use x86_64;');
    expect(verdictOf(await checked(text, 'stray.race'), 'stray').status).toBe('unreached');
  });
});
