// Break-before-make as a built-in invariant of architectures that require it (arm64: Arm ARM
// DDI 0487 K.a, D8.16.1 "Using break-before-make when updating translation table entries": a
// valid entry whose output address changes must first be replaced by an invalid one, and the
// invalidation completed by TLBI and DSB, before the new valid entry is written). Where a model
// defines `fn bbm_valid(e: pte) -> bool` (the PTE is a valid descriptor), every scenario under it
// has the invariant `bbm`: no CPU holds a TLB entry for a page whose PTE is valid and maps another
// frame. Only the output address is compared: the language has no memory-type, shareability or
// contiguous attributes, the other changes D8.16.1 lists.
import type * as A from '../lang/ast.js';
import type { Expr, Property } from '../ir/model.js';
import { fnBody } from './expr.js';
import type { Ctx } from './scope.js';

const BOOL = { k: 'bool' } as const;
const and = (left: Expr, right: Expr): Expr => ({ k: 'bin', op: '&&', left, right });
const constant = (type: 'page' | 'cpu', value: number): Expr => ({ k: 'const', type: { k: type }, value });

/** The invariant `bbm` over `pages` × `cpus`, with `bbm_valid` inlined at each page's PTE. */
export function bbmInvariant(ctx: Ctx, decl: A.Item & { kind: 'fn' }, pages: number, cpus: number, pfn: { pte: number; tlb: number }): Property {
  const param = decl.params[0]!;
  const parts: Expr[] = [];
  for (let p = 0; p < pages; p++) {
    const pte: Expr = { k: 'pteOf', page: constant('page', p) };
    const valid = ctx.isolated(() => {
      ctx.define(param.name, { k: 'subst', expr: pte, type: { k: 'pte' } });
      return fnBody(ctx, decl.body, BOOL, decl);
    });
    for (let c = 0; c < cpus; c++) {
      const tlb: Expr = { k: 'tlbOf', cpu: constant('cpu', c), page: constant('page', p) };
      const stale: Expr = {
        k: 'bin', op: '!=',
        left: { k: 'field', rec: 'tlbe', target: tlb, index: pfn.tlb },
        right: { k: 'field', rec: 'pte', target: pte, index: pfn.pte },
      };
      parts.push({ k: 'not', arg: and(valid, and({ k: 'field', rec: 'tlbe', target: tlb, index: 0 }, stale)) });
    }
  }
  const expr = parts.reduce((a, b) => and(a, b));
  return { kind: 'invariant', name: 'bbm', expr, span: decl.span, builtin: true };
}
