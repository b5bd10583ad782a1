// The secondary MMU and mmu_notifier calls (models/linux/mmu_notifier.lib): the invalidate drops
// the SPTE, a secondary fault that overlaps an invalidation does not install (mmu_invalidate_retry),
// and MADV_DONTNEED brackets its zap with the notifier.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checked, verdictOf } from '../gen/checked.js';

const RETRY = readFileSync('scenarios/mmu_notifier/secondary-fault-retry.race', 'utf8');
const NO_RETRY = readFileSync('scenarios/mmu_notifier/secondary-fault-no-retry.race', 'utf8');

describe('mmu_notifier', () => {
  it('with the retry check the secondary MMU never maps the freed page; without it, it does', async () => {
    expect(verdictOf(await checked(RETRY, 'r.race'), 'no_secondary_stale').status).toBe('holds');
    expect(verdictOf(await checked(RETRY, 'r.race'), 'mapped_by_secondary').status).toBe('reached');
    expect(verdictOf(await checked(NO_RETRY, 'n.race'), 'no_secondary_stale').status).toBe('violated');
  });

  it('the invalidate drops the SPTE, and a fault inside an invalidation does not install', async () => {
    const text = `use x86_64;\nuse linux;\npage P = pte_mkyoung(pte_mkwrite(mk_pte(F0)));\nframe F0;\nbool inside = false;\n`
      + 'cpu guest { await(inside); let ok = secondary_fault(P, false); }\n'
      + 'cpu mm { let a = secondary_fault(P, false); mmu_notifier_invalidate_range_start(P); inside = true; }\n'
      + 'invariant dropped_inside: !inside || !spte_valid[P];\n';
    const r = await checked(text, 'inv.race');
    expect(verdictOf(r, 'dropped_inside').status).toBe('holds');
  });

  it('MADV_DONTNEED calls both: no SPTE survives it, and the sequence moved', async () => {
    const text = `use x86_64;\nuse linux;\npage P = pte_mkyoung(pte_mkwrite(mk_pte(F0)));\nframe F0;\nbool zapped = false;\n`
      + 'cpu c { let a = secondary_fault(P, false); let old = madvise_dontneed(P); zapped = true; }\n'
      + 'final gone: zapped && !spte_valid[P] && mmu_invalidate_seq == 1 && mmu_invalidate_in_progress == 0;\n';
    expect(verdictOf(await checked(text, 'd.race'), 'gone').status).toBe('holds');
  });
});
