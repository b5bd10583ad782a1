// Variants may add PTE and TLB-entry fields (issue 15 §4): `arch V extends B;` followed by
// `pte { f: T }` appends f after the base fields; a field the base already has is a located error.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { Diagnostic, lineCol } from '../../src/lang/source.js';

const SCENARIO = (arch: string, init = '') => `use ${arch};
page P { present: true, write: true, pfn: F0${init} }
frame F0;
cpu w { write P; }
`;

function modelsWith(variant: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dirtyrace-variant-'));
  writeFileSync(join(dir, 'x86_sd.arch'), variant);
  return dir;
}

function error(text: string, dir: string): Diagnostic {
  try {
    modelOf({ path: 's.race', text }, { modelDirs: [dir] });
  } catch (e) {
    if (e instanceof Diagnostic) return e;
    throw e;
  }
  throw new Error('expected an error');
}

// The field added is a made-up software bit: the base x86_64 model itself now declares
// saved_dirty (issue 15, Linux's _PAGE_SAVED_DIRTY), the example this test first used.
describe('variant PTE fields', () => {
  it('a variant appends a field the scenario can initialise; the base fields keep their order', () => {
    const dir = modelsWith('arch x86_sd extends x86_64;\npte { sw_reserved: bool }\n');
    const base = modelOf({ path: 's.race', text: SCENARIO('x86_64') });
    const m = modelOf({ path: 's.race', text: SCENARIO('x86_sd', ', sw_reserved: true') }, { modelDirs: [dir] });
    expect(m.arch.pteFields.map((f) => f.name)).toEqual([...base.arch.pteFields.map((f) => f.name), 'sw_reserved']);
    const page = m.pages.find((p) => p.name === 'P')!;
    expect(page.init[m.arch.pteFields.length - 1]).toBe(1);
    // The base without the field rejects it: the field really is the variant's.
    expect(() => modelOf({ path: 's.race', text: SCENARIO('x86_64', ', sw_reserved: true') })).toThrow(/no field 'sw_reserved'/);
  });

  it('a field the base model declares is an error at the variant\'s field', () => {
    const variant = 'arch x86_sd extends x86_64;\npte { sw_reserved: bool, dirty: bool }\n';
    const e = error(SCENARIO('x86_sd'), modelsWith(variant));
    expect(e.message).toMatch(/PTE field 'dirty' is already declared by the base model/);
    expect(e.span.file.path).toMatch(/x86_sd\.arch$/);
    expect(lineCol(e.span.file, e.span.start)).toMatchObject({ line: 2, col: 26 });
  });

  it('a variant may add a second frame field; the translation keeps the one named pfn', () => {
    const m = modelOf({ path: 's.race', text: SCENARIO('x86_sd', ', shadow: F0') }, { modelDirs: [modelsWith('arch x86_sd extends x86_64;\npte { shadow: frame }\ntlb { shadow: frame }\n')] });
    expect(m.arch.pteFields[m.arch.ptePfn]!.name).toBe('pfn');
    expect(m.arch.tlbFields[m.arch.tlbPfn]!.name).toBe('pfn');
  });

  it('several frame fields, none named pfn, is an error at the record', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dirtyrace-variant-'));
    writeFileSync(join(dir, 'two.arch'), 'arch two;\npte { present: bool, a: frame, b: frame }\ntlb { a: frame }\naccess read { done; }\naccess write { done; }\nfn mk_pte(f: frame) -> pte { return pte { present: true, a: f }; }\n');
    const e = error('use two;\npage P { present: true, a: F0 }\nframe F0;\ncpu w { write P; }\n', dir);
    expect(e.message).toMatch(/several fields of type frame: name the one a translation uses 'pfn'/);
    expect(e.span.file.path).toMatch(/two\.arch$/);
  });
});
