// The IR toolkit against a reflective walk: every expression node a model's programs contain is
// visited by forEachStmtExpr, and by nothing else — so a walker built on the toolkit cannot
// silently miss a place expressions live (an l-value index, a `with` field, a handler body).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelOf, modelOfFile } from '../../src/check/index.js';
import type { Expr, Model, Stmt } from '../../src/ir/model.js';
import { exprChildren, foldExpr, forEachStmt, forEachStmtExpr, someExpr, stmtChildren, stmtExprs } from '../../src/ir/walk.js';
import { bundledFiles } from '../gen/bundled.js';
import { scenarioArb } from '../gen/scenario.js';

/** Kinds only expressions have (l-values share the others: local, global, field, ...). */
const EXPR_ONLY = new Set(['const', 'record', 'self', 'pteOf', 'tlbOf', 'with', 'not', 'neg', 'bin', 'ite', 'accessCpu', 'accessPage', 'accessFrame']);

/** Every object reachable from `root` whose `k` is an expression-only kind, by reflection. */
function reflectiveExprs(root: unknown): Set<object> {
  const out = new Set<object>();
  const seen = new Set<object>();
  const visit = (x: unknown): void => {
    if (!x || typeof x !== 'object' || seen.has(x)) return;
    seen.add(x);
    // A source span holds the whole file text; nothing inside it is IR.
    if ('file' in x && 'start' in x) return;
    if ('k' in x && EXPR_ONLY.has((x as { k: string }).k) && !('span' in x)) out.add(x);
    for (const v of Object.values(x)) visit(v);
  };
  visit(root);
  return out;
}

function toolkitExprs(body: Stmt): Set<object> {
  const out = new Set<object>();
  forEachStmtExpr(body, (e) => { if (EXPR_ONLY.has(e.k)) out.add(e); });
  return out;
}

function agree(m: Model) {
  for (const cpu of m.cpus) {
    const a = reflectiveExprs(cpu.body);
    const b = toolkitExprs(cpu.body);
    expect(b.size, cpu.name).toBe(a.size);
    for (const x of a) expect(b.has(x)).toBe(true);
  }
}

describe('IR toolkit', () => {
  it('visits every expression of every bundled scenario', () => {
    for (const f of bundledFiles()) agree(modelOfFile(f));
  });

  it('visits every expression of generated scenarios', () => {
    fc.assert(fc.property(scenarioArb, ({ text }) => agree(modelOf({ path: 'generated.race', text }))), { numRuns: 150, seed: 31 });
  });

  it('reaches nested statements: handlers, inlined calls, atomic bodies, both branches', () => {
    const m = modelOf({ path: 'nest.race', text: `use x86_64;
page P { present: true, pfn: F0 }
frame F0;
bool g = false;
proc p() { atomic { if (g) { g = false; } else { skip; } } }
cpu c { p(); while (g) bound 2 { write P; } }
fault write(q) { g = true; }
` });
    const kinds: string[] = [];
    forEachStmt(m.cpus[0]!.body, (s) => kinds.push(s.k));
    for (const k of ['call', 'atomic', 'if', 'assign', 'skip', 'while', 'access']) expect(kinds).toContain(k);
    // The handler's assignment is found under the access.
    const access: Stmt[] = [];
    forEachStmt(m.cpus[0]!.body, (s) => { if (s.k === 'access') access.push(s); });
    expect(stmtChildren(access[0]!).length).toBe(1);
    const inHandler: string[] = [];
    forEachStmt(access[0]!, (s) => inHandler.push(s.k));
    expect(inHandler).toContain('assign');
  });

  it('folds bottom-up and finds sub-expressions', () => {
    const m = modelOf({ path: 'e.race', text: `use x86_64;
page P { present: true, pfn: F0 }
frame F0;
int[0..3] n = 0;
bool b[page] = false;
cpu c { let v = ptep_get(P); b[P] = !(n + 1 > 2) || pte_dirty(v with { dirty: n == 0 }); }
` });
    const assign: Stmt[] = [];
    forEachStmt(m.cpus[0]!.body, (s) => { if (s.k === 'assign') assign.push(s); });
    const exprs = stmtExprs(assign[0]!);
    // The index of b[P] first, then the value.
    expect(exprs.map((e) => e.k)).toEqual(['const', 'bin']);
    const value = exprs[1]!;
    const size = foldExpr<number>(value, (_e, kids) => 1 + kids.reduce((a, b) => a + b, 0));
    let counted = 0;
    const count = (e: Expr): void => { counted++; exprChildren(e).forEach(count); };
    count(value);
    expect(size).toBe(counted);
    expect(someExpr(value, (e) => e.k === 'global')).toBe(true);
    expect(someExpr(value, (e) => e.k === 'pteOf')).toBe(false);
  });
});
