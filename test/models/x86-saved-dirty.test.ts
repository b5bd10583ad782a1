// x86 SavedDirty (issue 15): the x86_64 parameters saved_dirty (Linux v6.6+ _PAGE_SAVED_DIRTY in
// pte_wrprotect, pte_mkdirty, pte_mkwrite, pte_dirty, pte_mkclean, pte_mkuffd_wp, and the x86-only
// pte_mksaveddirty / pte_clear_saveddirty) and user_shstk (ptep_set_wrprotect as the v6.6+
// try_cmpxchg loop around pte_wrprotect instead of the clear_bit of _PAGE_RW).
//
// Each helper runs in the compiled model on every PTE (all field combinations), under each value
// of the parameters, and is compared with an oracle transcribed from arch/x86/include/asm/pgtable.h
// and arch/x86/mm/pgtable.c (v6.6+ when the parameter is on, the kernel before the series when
// off). Each helper must also give a different PTE for some input when its parameter changes, so
// a model that ignored the parameter fails even if the oracle were wrong the same way.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { compileModel, OK, pteSlot } from '../../src/compile/index.js';
import { checked, verdictOf } from '../gen/checked.js';

const ROOT = join(import.meta.dirname, '..', '..');
type Pte = Record<string, number>;
type Params = { saved_dirty: boolean; user_shstk: boolean };

// ---- the oracle ----
// mksaveddirty_shift: cond = !W; SavedDirty |= Dirty & cond; Dirty &= ~cond.
const mksaveddirty = (e: Pte, p: Params): Pte =>
  !p.saved_dirty || e.write ? e : { ...e, saved_dirty: e.saved_dirty! | e.dirty!, dirty: 0 };
// clear_saveddirty_shift: cond = W; Dirty |= SavedDirty & cond; SavedDirty &= ~cond.
const clearSaveddirty = (e: Pte, p: Params): Pte =>
  !p.saved_dirty || !e.write ? e : { ...e, dirty: e.dirty! | e.saved_dirty!, saved_dirty: 0 };
const wrprotect = (e: Pte, p: Params): Pte => mksaveddirty({ ...e, write: 0 }, p);

/** Each helper: how the scenario applies it to P's PTE (one atomic step) and what it gives. */
const HELPERS: { name: string; stmt: string; param: keyof Params; want: (e: Pte, p: Params) => Pte }[] = [
  { name: 'pte_mksaveddirty', stmt: 'set_pte(P, pte_mksaveddirty(ptep_get(P)));', param: 'saved_dirty', want: mksaveddirty },
  { name: 'pte_clear_saveddirty', stmt: 'set_pte(P, pte_clear_saveddirty(ptep_get(P)));', param: 'saved_dirty', want: clearSaveddirty },
  { name: 'pte_wrprotect', stmt: 'set_pte(P, pte_wrprotect(ptep_get(P)));', param: 'saved_dirty', want: wrprotect },
  // pte_mkdirty: set _PAGE_DIRTY | _PAGE_SOFT_DIRTY, then pte_mksaveddirty.
  { name: 'pte_mkdirty', stmt: 'set_pte(P, pte_mkdirty(ptep_get(P)));', param: 'saved_dirty', want: (e, p) => mksaveddirty({ ...e, dirty: 1, soft_dirty: 1 }, p) },
  // pte_mkwrite (arch/x86/mm/pgtable.c): pte_mkwrite_novma (set _PAGE_RW), then pte_clear_saveddirty.
  { name: 'pte_mkwrite', stmt: 'set_pte(P, pte_mkwrite(ptep_get(P)));', param: 'saved_dirty', want: (e, p) => clearSaveddirty({ ...e, write: 1 }, p) },
  // pte_mkclean: clear _PAGE_DIRTY_BITS (v6.6+) / _PAGE_DIRTY (before).
  { name: 'pte_mkclean', stmt: 'set_pte(P, pte_mkclean(ptep_get(P)));', param: 'saved_dirty', want: (e, p) => (p.saved_dirty ? { ...e, dirty: 0, saved_dirty: 0 } : { ...e, dirty: 0 }) },
  // pte_mkuffd_wp: pte_wrprotect(pte_set_flags(pte, _PAGE_UFFD_WP)).
  { name: 'pte_mkuffd_wp', stmt: 'set_pte(P, pte_mkuffd_wp(ptep_get(P)));', param: 'saved_dirty', want: (e, p) => wrprotect({ ...e, uffd_wp: 1 }, p) },
  // pte_dirty (a bool: written into the accessed field of P for the test to read):
  // _PAGE_DIRTY_BITS (v6.6+) / _PAGE_DIRTY (before).
  { name: 'pte_dirty', stmt: 'let e = ptep_get(P); set_pte(P, e with { accessed: pte_dirty(e) });', param: 'saved_dirty', want: (e, p) => ({ ...e, accessed: e.dirty! | (p.saved_dirty ? e.saved_dirty! : 0) }) },
  // ptep_set_wrprotect: the cmpxchg loop storing pte_wrprotect (user_shstk) / clear_bit(_PAGE_BIT_RW).
  { name: 'ptep_set_wrprotect', stmt: 'ptep_set_wrprotect(P);', param: 'user_shstk', want: (e, p) => (p.user_shstk ? wrprotect(e, p) : { ...e, write: 0 }) },
];

const PARAMS: Params[] = [false, true].flatMap((saved_dirty) => [false, true].map((user_shstk) => ({ saved_dirty, user_shstk })));
const useLine = (arch: string, p: Params) => `use ${arch}(saved_dirty = ${p.saved_dirty}, user_shstk = ${p.user_shstk});`;

/** The helper applied to every PTE P can hold under the model and parameters: input -> output. */
function runAll(arch: string, p: Params, stmt: string): { input: Pte; output: Pte }[] {
  const text = `${useLine(arch, p)}\npage P { pfn: F0 }\nframe F0, F1;\ncpu c { atomic { ${stmt} } }\ndisable fill;\ndisable evict;\n`;
  const ts = compileModel(modelOf({ path: join(ROOT, 'test', 'saved-dirty.race'), text }, { modelDirs: [join(ROOT, 'models')] }));
  const fields = ts.model.arch.pteFields;
  const init = ts.initialStates()[0]!;
  let inputs: Pte[] = [{}];
  for (const f of fields) inputs = inputs.flatMap((r) => [0, 1].map((v) => ({ ...r, [f.name]: v })));
  return inputs.map((input) => {
    const s = new Int32Array(ts.stateSize);
    s.set(init);
    fields.forEach((f, i) => { s[pteSlot(ts.layout, 0, i)] = input[f.name]!; });
    expect(ts.cpuStep(0, s)).toBe(OK);
    return { input, output: Object.fromEntries(fields.map((f, i) => [f.name, s[pteSlot(ts.layout, 0, i)]!])) };
  });
}

describe('x86 SavedDirty helpers', () => {
  for (const arch of ['x86_64', 'x86_64_pre_cet']) {
    for (const h of HELPERS) {
      it(`${arch}: ${h.name} agrees with the kernel's under each parameter value`, () => {
        const results = new Map<string, string[]>();
        for (const p of PARAMS) {
          const runs = runAll(arch, p, h.stmt);
          expect(runs.length).toBe(4096); // 11 boolean fields and the frame (F0, F1)
          const mismatches = runs.filter((r) => JSON.stringify(r.output) !== JSON.stringify(h.want(r.input, p)))
            .map((r) => `${useLine(arch, p)} ${JSON.stringify(r.input)}: model ${JSON.stringify(r.output)}, kernel ${JSON.stringify(h.want(r.input, p))}`);
          expect(mismatches.slice(0, 3)).toEqual([]);
          results.set(`${p.saved_dirty},${p.user_shstk}`, runs.map((r) => JSON.stringify(r.output)));
        }
        // The parameter matters: flipping it changes the result for some PTE. (ptep_set_wrprotect's
        // user_shstk matters only with saved_dirty: without SavedDirty pte_wrprotect is the clear of W.)
        const differs = (a: string, b: string) => results.get(a)!.some((o, i) => o !== results.get(b)![i]);
        if (h.param === 'saved_dirty') {
          expect(differs('false,false', 'true,false')).toBe(true);
          expect(differs('false,true', 'true,true')).toBe(true);
          // ...and user_shstk does not touch the pure helpers.
          expect(differs('false,false', 'false,true')).toBe(false);
          expect(differs('true,false', 'true,true')).toBe(false);
        } else {
          expect(differs('true,false', 'true,true')).toBe(true);
          expect(differs('false,false', 'false,true')).toBe(false);
        }
      });
    }
  }

  // The kernel's cases by name, on the one PTE each is about (W=1/0, D, SavedDirty).
  it('named cases: D moves to SavedDirty on write-protect and back on mkwrite; pte_dirty sees both', () => {
    const on = { saved_dirty: true, user_shstk: true };
    const off = { saved_dirty: false, user_shstk: false };
    const pick = (arch: string, p: Params, stmt: string, input: Pte) =>
      runAll(arch, p, stmt).find((r) => Object.entries(input).every(([k, v]) => r.input[k] === v))!.output;
    const writableDirty = { present: 1, write: 1, dirty: 1, accessed: 1, soft_dirty: 0, uffd_wp: 0, saved_dirty: 0, pfn: 0 };
    const readOnlySaved = { ...writableDirty, write: 0, dirty: 0, saved_dirty: 1 };
    // ptep_set_wrprotect on W=1,D=1: v6.6+ gives W=0,D=0,SavedDirty=1; the clear_bit W=0,D=1.
    expect(pick('x86_64', on, 'ptep_set_wrprotect(P);', writableDirty)).toMatchObject({ write: 0, dirty: 0, saved_dirty: 1 });
    expect(pick('x86_64', off, 'ptep_set_wrprotect(P);', writableDirty)).toMatchObject({ write: 0, dirty: 1, saved_dirty: 0 });
    // pte_mkwrite of W=0,SavedDirty=1: W=1,D=1,SavedDirty=0 (v6.6+).
    expect(pick('x86_64', on, 'set_pte(P, pte_mkwrite(ptep_get(P)));', readOnlySaved)).toMatchObject({ write: 1, dirty: 1, saved_dirty: 0 });
    // pte_mkdirty of a read-only clean PTE: SavedDirty, not D (v6.6+); D before.
    const readOnlyClean = { ...readOnlySaved, saved_dirty: 0 };
    expect(pick('x86_64', on, 'set_pte(P, pte_mkdirty(ptep_get(P)));', readOnlyClean)).toMatchObject({ write: 0, dirty: 0, saved_dirty: 1, soft_dirty: 1 });
    expect(pick('x86_64', off, 'set_pte(P, pte_mkdirty(ptep_get(P)));', readOnlyClean)).toMatchObject({ write: 0, dirty: 1, saved_dirty: 0, soft_dirty: 1 });
    // pte_dirty of W=0,SavedDirty=1 (result in `accessed`, input accessed=1 -> 0 if not dirty).
    const dirtyStmt = 'let e = ptep_get(P); set_pte(P, e with { accessed: pte_dirty(e) });';
    expect(pick('x86_64', on, dirtyStmt, readOnlySaved).accessed).toBe(1);
    expect(pick('x86_64', off, dirtyStmt, readOnlySaved).accessed).toBe(0);
  });
});

describe('scenarios/x86_shstk', () => {
  const file = (name: string) => join(ROOT, 'scenarios', 'x86_shstk', name);
  const verdict = async (name: string, arch?: string) => {
    const r = await checked(readFileSync(file(name), 'utf8'), file(name), arch ? { arch } : {});
    return { status: verdictOf(r, 'no_shadow_stack_pte').status, outcome: r.verdict.outcome, exit: r.exit };
  };

  it('shstk-wrprotect.race: the v6.6+ kernel keeps W=0,D=1 away on x86_64; the old kernel and each half of the fix do not', async () => {
    // The file's own model: x86_64(saved_dirty = true, user_shstk = true).
    expect(await verdict('shstk-wrprotect.race')).toEqual({ status: 'holds', outcome: 'holds', exit: 0 });
    for (const arch of ['x86_64', 'x86_64(saved_dirty = true)', 'x86_64(user_shstk = true)']) {
      expect((await verdict('shstk-wrprotect.race', arch)).status, arch).toBe('violated');
    }
  });

  it('shstk-on-pre-cet.race: on a processor without CET the stray D comes after the cmpxchg, fix or not', async () => {
    expect(await verdict('shstk-on-pre-cet.race')).toMatchObject({ status: 'violated', exit: 0 });
    expect((await verdict('shstk-on-pre-cet.race', 'x86_64_pre_cet')).status).toBe('violated');
    // The same file on CET hardware with the fix holds: the violation is the processor's.
    expect((await verdict('shstk-on-pre-cet.race', 'x86_64(saved_dirty = true, user_shstk = true)')).status).toBe('holds');
  });
});
