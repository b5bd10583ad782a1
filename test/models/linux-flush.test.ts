// The x86 shootdowns (models/linux/x86_tlb.lib) and the batched reclaim flush (rmap.lib,
// mprotect.lib) do what docs/LIBRARY.md says: their bundled scenarios get their verdicts, and
// each fails when the procedure step it relies on is removed (a mutated copy of models/ in a
// temporary folder, found first through modelDirs). Also `for c in cpu [except self]`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { Diagnostic } from '../../src/lang/source.js';
import { runFast, runReference } from '../gen/engines.js';
import { checked, verdictOf } from '../gen/checked.js';
import { mutatedModels as mutatedModelsOf, removeMutatedModels } from '../gen/mutated-models.js';

const ROOT = join(import.meta.dirname, '..', '..');
const scenario = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const LAZY = 'scenarios/x86_shootdown/lazy-tlb.race';
const WAIT = 'scenarios/x86_shootdown/wait-for-all.race';
const BUGGY = 'scenarios/bugs/fea4e317f9e7-should-flush-tlb-switching.race';
const FIXED = 'scenarios/bugs/fea4e317f9e7-should-flush-tlb-switching-fixed.race';

afterAll(removeMutatedModels);
const mutatedModels = (from: string, to: string, lib = 'x86_tlb') => mutatedModelsOf(from, to, lib);

const status = async (p: string, prop: string, modelDirs: string[] = []) =>
  verdictOf(await checked(scenario(p), join(ROOT, p), { modelDirs }), prop).status;

describe('x86_tlb.lib', () => {
  it('the bundled scenarios get their verdicts and reach their cover goals', async () => {
    expect(await status(BUGGY, 'no_write_after_mprotect')).toBe('violated');
    expect(await status(FIXED, 'no_write_after_mprotect')).toBe('holds');
    expect(await status(FIXED, 'ipi_while_switching')).toBe('reached');
    expect(await status(LAZY, 'no_write_after_mprotect')).toBe('holds');
    expect(await status(LAZY, 'skipped_lazy')).toBe('reached');
    expect(await status(WAIT, 'no_write_after_mprotect')).toBe('holds');
    expect(await status(WAIT, 'waiting_on_irqs_off')).toBe('reached');
  });

  it('without the wait for the IPIs, a CPU writes through its stale entry after the flush returned', async () => {
    const dir = mutatedModels('  for c in cpu except self { await(!ipi_pending(flush_tlb_func, c)); }', '  skip;');
    expect(await status(WAIT, 'no_write_after_mprotect', [dir])).toBe('violated');
  });

  it('without the generation check at switch_mm, a lazy CPU skipped by the shootdown keeps its stale entry', async () => {
    const dir = mutatedModels(`    is_lazy[self] = false;
    let next_tlb_gen: int[0..3] = tlb_gen;
    if (ctx_tlb_gen[self] < next_tlb_gen) { atomic { ctx_tlb_gen[self] = next_tlb_gen; flush_local_all(); } }`, '    is_lazy[self] = false;');
    expect(await status(LAZY, 'no_write_after_mprotect', [dir])).toBe('violated');
  });

  it('the explorer and the reference interpreter agree on the fixed fea4e317f9e7 scenario', () => {
    const m = modelOf({ path: join(ROOT, FIXED), text: scenario(FIXED) });
    const fast = runFast(m, 20_000);
    expect(fast.limited).toBe(false);
    expect(fast).toEqual(runReference(m, 20_000));
  });
});

describe('the batched reclaim flush (rmap.lib, mprotect.lib)', () => {
  const B_BUGGY = 'scenarios/bugs/3ea277194daa-mprotect-vs-batched-reclaim.race';
  const B_FIXED = 'scenarios/bugs/3ea277194daa-mprotect-vs-batched-reclaim-fixed.race';

  it('3ea277194daa: before the fix violated, after it holds with the racy window reached', async () => {
    expect(await status(B_BUGGY, 'no_write_after_mprotect')).toBe('violated');
    expect(await status(B_FIXED, 'no_write_after_mprotect')).toBe('holds');
    expect(await status(B_FIXED, 'stale_while_batched')).toBe('reached');
  });

  it('a flush_tlb_batched_pending that does not flush, or an unmap that leaves the batch counter alone, lets the write through', async () => {
    const noFlush = mutatedModels('  if (pending != flushed) {\n    flush_all();', '  if (pending != flushed) {\n    skip;', 'rmap');
    expect(await status(B_FIXED, 'no_write_after_mprotect', [noFlush])).toBe('violated');
    const noInc = mutatedModels('    tlb_flush_batched_pending = tlb_flush_batched_pending + 1;', '    skip;', 'rmap');
    expect(await status(B_FIXED, 'no_write_after_mprotect', [noInc])).toBe('violated');
  });
});

describe('for c in cpu', () => {
  const HEAD = 'use x86_64;\nframe F0;\npage P = pte_mkyoung(pte_mkwrite(mk_pte(F0)));\ninterrupt sd { flush_local(P); }\n';
  const TAIL = 'cpu b { write P; }\ncpu d { write P; }\nfault write(p) { sigsegv; }\n';
  const model = (body: string) => modelOf({ path: 'for-cpu.race', text: `${HEAD}cpu a {\n${body}}\n${TAIL}` });

  it('`except self` unrolls to the other CPUs: the same model as the sends written out', () => {
    const loop = model('  for c in cpu except self { send_ipi(sd, c); }\n  for c in cpu except self { await(!ipi_pending(sd, c)); }\n');
    const written = model('  send_ipi(sd, b);\n  send_ipi(sd, d);\n  await(!ipi_pending(sd, b));\n  await(!ipi_pending(sd, d));\n');
    expect(runFast(loop, 10_000)).toEqual(runFast(written, 10_000));
  });

  it('without `except self` the running CPU is included, in declaration order', () => {
    const loop = model('  for c in cpu { send_ipi(sd, c); }\n');
    const written = model('  send_ipi(sd, a);\n  send_ipi(sd, b);\n  send_ipi(sd, d);\n');
    expect(runFast(loop, 10_000)).toEqual(runFast(written, 10_000));
  });

  it('`except self` where the running CPU is not known is a located error', () => {
    const t = `${HEAD.replace('interrupt sd { flush_local(P); }', 'interrupt sd { for c in cpu except self { flush_local(P); } }')}cpu a { send_ipi(sd, b); }\n${TAIL}`;
    try { modelOf({ path: 'for-cpu.race', text: t }); expect.unreachable(); } catch (e) {
      expect(e).toBeInstanceOf(Diagnostic);
      expect((e as Diagnostic).message).toContain("'except self' needs the running CPU to be known");
      expect((e as Diagnostic).span.start).toBe(t.indexOf('for c in cpu except self'));
    }
  });
});
