// Random small arm64 scenarios, as source text, for the differential test of the relaxed memory
// mode (test/reference/arm64-differential.test.ts): the arm64 PTE layout (valid, af, dbm,
// rdonly, pfn), data accesses, PTE stores and atomics, every barrier kind, TLBIs and flushes,
// fatal and fixing fault handlers, bool/int/frame globals and properties over them. The spec is
// small integer selectors (so fast-check shrinks freely); every rendered scenario must check.
import fc from 'fast-check';

export interface Arm64Spec {
  /** 0 arm64, 1 arm64(hd = false), 2 arm64_nohafdbs, 3 per-CPU hd. */
  readonly use: number;
  /** Per page: valid, af, dbm, rdonly bits and the frame. */
  readonly pages: readonly { bits: number; frame: number }[];
  readonly cpus: readonly (readonly { k: number; page: number; bits: number; frame: number }[])[];
  /** 0 fatal (sigsegv); 1 a handler that maps the page writable and retries; 2 none for reads. */
  readonly handler: number;
  readonly disableEvict: boolean;
  readonly disableFill: boolean;
  readonly props: readonly { kind: number; atom: number; neg: boolean }[];
}

const STMTS = 14;

export const arm64Arb: fc.Arbitrary<Arm64Spec> = fc.record({
  use: fc.nat(3),
  pages: fc.array(fc.record({ bits: fc.nat(15), frame: fc.nat(1) }), { minLength: 1, maxLength: 2 }),
  cpus: fc.array(fc.array(fc.record({ k: fc.nat(STMTS - 1), page: fc.nat(1), bits: fc.nat(15), frame: fc.nat(1) }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 2 }),
  handler: fc.nat(2),
  disableEvict: fc.boolean(),
  disableFill: fc.boolean(),
  props: fc.array(fc.record({ kind: fc.nat(2), atom: fc.nat(9), neg: fc.boolean() }), { minLength: 1, maxLength: 3 }),
});

const PAGES = ['X', 'Y'];
const pteOf = (bits: number, frame: number) =>
  `pte { valid: ${Boolean(bits & 1)}, af: ${Boolean(bits & 2)}, dbm: ${Boolean(bits & 4)}, rdonly: ${Boolean(bits & 8)}, pfn: F${frame} }`;

function stmt(s: Arm64Spec['cpus'][number][number], pages: number, cpu: number, at: number): string {
  const p = PAGES[s.page % pages]!;
  switch (s.k) {
    case 0: return `read ${p};`;
    case 1: return `write ${p};`;
    case 2: return `write ${p} = ${s.bits % 3};`;
    case 3: return `n = read ${p};`;
    case 4: return `set_pte(${p}, ${pteOf(s.bits, s.frame)});`;
    case 5: return `let e${at} = ptep_get_and_clear(${p}); saw = e${at}.rdonly;`;
    case 6: return `let y${at} = ptep_test_and_clear_young(${p}); saw = y${at};`;
    case 7: return ['dsb(ish);', 'dsb(ld);', 'dsb(st);', 'dsb(sy);'][s.bits % 4]!;
    case 8: return ['dmb(ish);', 'dmb(ld);', 'dmb(st);', 'isb();'][s.bits % 4]!;
    case 9: return s.bits & 1 ? `tlbi(vale1is, ${p});` : `tlbi(vale1, ${p});`;
    case 10: return s.bits & 1 ? `flush(${p});` : `flush_local(${p});`;
    case 11: return `saw = ptep_get(${p}).${['valid', 'af', 'dbm', 'rdonly'][s.bits % 4]};`;
    case 12: return `f = ptep_get(${p}).pfn;`;
    default: return cpu === 0 ? 'flag = true;' : 'await(flag);';
  }
}

function atom(a: number, pages: number, cpus: number): string {
  const p = PAGES[a % pages]!;
  switch (a % 10) {
    case 0: return `ptep_get(${p}).af`;
    case 1: return `ptep_get(${p}).rdonly`;
    case 2: return `ptep_get(${p}).valid`;
    case 3: return 'saw';
    case 4: return 'n == 1';
    case 5: return `killed(P${a % cpus})`;
    case 6: return `tlb(P${a % cpus}, ${p}).valid`;
    case 7: return 'F0.version == 1';
    case 8: return 'f == F1';
    default: return 'F1.data == 1';
  }
}

export function renderArm64(s: Arm64Spec): string {
  const np = s.pages.length;
  const nc = s.cpus.length;
  const use = ['use arm64;', 'use arm64(hd = false);', 'use arm64_nohafdbs;', 'use arm64(hd = false, hd[P0] = true);'][s.use]!;
  const lines = [use, 'frame F0, F1;', 'data int[0..2];'];
  s.pages.forEach((pg, i) => lines.push(`page ${PAGES[i]} ${pteOf(pg.bits, pg.frame).slice('pte '.length)}`));
  lines.push('bool saw;', 'bool flag;', 'int[0..2] n;', 'frame f = F0;');
  if (s.disableEvict) lines.push('disable evict;');
  if (s.disableFill) lines.push('disable fill;');
  s.cpus.forEach((body, c) => lines.push(`cpu P${c} { ${body.map((b, at) => stmt(b, np, c, at)).join(' ')} }`));
  const fix = `fault write(p) { set_pte(p, ${pteOf(15 & ~8, 0)}); }`;
  if (s.handler === 0) lines.push('fault read(p) { sigsegv; }', 'fault write(p) { sigsegv; }');
  else if (s.handler === 1) lines.push('fault read(p) { sigsegv; }', fix);
  else lines.push(fix);
  s.props.forEach((pr, i) => {
    const a = `${pr.neg ? '!' : ''}(${atom(pr.atom, np, nc)})`;
    lines.push(pr.kind === 0 ? `final fin${i}: ${a};` : pr.kind === 1 ? `invariant inv${i}: ${a};` : `reachable cv${i}: ${a};`);
  });
  return `${lines.join('\n')}\n`;
}
