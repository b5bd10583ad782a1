// The IR toolkit: the one place that knows the shape of every checked expression, l-value and
// statement. Walkers, folds and queries elsewhere go through these functions, so a new node kind
// is a type error here (each switch is exhaustive) instead of a silent miss in every walker.
import type { DataAccess, Expr, LValue, Stmt } from './model.js';

/** The direct sub-expressions of `e`. */
export function exprChildren(e: Expr): readonly Expr[] {
  switch (e.k) {
    case 'const': case 'local': case 'self': case 'rulePte': case 'ruleTlb':
    case 'accessCpu': case 'accessPage': case 'accessFrame': return [];
    case 'record': return e.fields;
    case 'global': return e.index ? [e.index] : [];
    case 'pteOf': return [e.page];
    case 'tlbOf': return [e.cpu, e.page];
    case 'frameVersion': case 'frameFreed': case 'frameData': return [e.frame];
    case 'cpuTable': return [e.cpu];
    case 'killed': return [e.cpu];
    case 'field': return [e.target];
    case 'with': return [e.target, ...e.sets.map(([, v]) => v)];
    case 'not': case 'neg': return [e.arg];
    case 'bin': return [e.left, e.right];
    case 'ite': return [e.test, e.then, e.else];
  }
}

/** The expressions an l-value evaluates to find its place (array indexes, frames). */
export function lvalueExprs(lv: LValue): readonly Expr[] {
  switch (lv.k) {
    case 'local': case 'rulePte': case 'ruleTlb': return [];
    case 'global': return lv.index ? [lv.index] : [];
    case 'frameVersion': case 'frameFreed': return [lv.frame];
    case 'field': return lvalueExprs(lv.target);
  }
}

/** The l-value at the root of `lv` (a record field's record). */
export function lvalueRoot(lv: LValue): Exclude<LValue, { k: 'field' }> {
  return lv.k === 'field' ? lvalueRoot(lv.target) : lv;
}

/** The l-value a statement stores into directly, if any (not those of nested statements). */
export function stmtTarget(s: Stmt): LValue | undefined {
  switch (s.k) {
    case 'let': return { k: 'local', local: s.local };
    case 'assign': return s.target;
    case 'return': return s.value ? s.target : undefined;
    case 'access': return s.data && s.data.op !== 'store' ? s.data.into : undefined;
    default: return undefined;
  }
}

/**
 * The expressions a statement evaluates itself, in evaluation order (not those of its nested
 * statements); the indexes of the place it stores into come first.
 */
export function stmtExprs(s: Stmt): readonly Expr[] {
  switch (s.k) {
    case 'let': return [s.value];
    case 'assign': return [...lvalueExprs(s.target), s.value];
    case 'setPte': return [s.page, s.value];
    case 'if': case 'while': case 'await': case 'assert': return [s.test];
    case 'atomic': return s.guard ? [s.guard] : [];
    case 'lock': return s.page ? [s.page] : [];
    case 'access': return [s.page, ...(s.guard ? [s.guard] : []), ...(s.data ? dataExprs(s.data) : [])];
    case 'return': return s.value ? [...(s.target ? lvalueExprs(s.target) : []), s.value] : [];
    case 'flush': return s.pages === 'all' ? [] : s.pages;
    case 'call': return s.target ? lvalueExprs(s.target) : [];
    case 'tlbi': return s.pages === 'all' ? [] : s.pages;
    case 'block': case 'skip': case 'done': case 'fault': case 'kill': case 'barrier': return [];
  }
}

/** The values a data access stores or compares, then the indexes of the place it loads into. */
function dataExprs(d: DataAccess): readonly Expr[] {
  switch (d.op) {
    case 'store': return [d.value];
    case 'load': return lvalueExprs(d.into);
    case 'swap': return [d.value, ...lvalueExprs(d.into)];
    case 'cas': return [d.expected, d.value, ...lvalueExprs(d.into)];
  }
}

/** The statements nested directly in `s`, in program order. */
export function stmtChildren(s: Stmt): readonly Stmt[] {
  switch (s.k) {
    case 'block': case 'atomic': return s.body;
    case 'if': return s.else ? [s.then, s.else] : [s.then];
    case 'while': return [s.body];
    case 'access': return s.handler ? [s.handler] : [];
    case 'call': return [s.body];
    case 'let': case 'assign': case 'setPte': case 'lock': case 'await': case 'assert': case 'return':
    case 'flush': case 'skip': case 'done': case 'fault': case 'kill': case 'barrier': case 'tlbi': return [];
  }
}

/** Calls `visit` on `e` and every sub-expression, parents first. */
export function forEachExpr(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  for (const c of exprChildren(e)) forEachExpr(c, visit);
}

/** Whether `test` holds for `e` or any of its sub-expressions. */
export function someExpr(e: Expr, test: (e: Expr) => boolean): boolean {
  return test(e) || exprChildren(e).some((c) => someExpr(c, test));
}

/** Bottom-up fold: `f` gets each node and the folded values of its children. */
export function foldExpr<T>(e: Expr, f: (e: Expr, children: readonly T[]) => T): T {
  return f(e, exprChildren(e).map((c) => foldExpr(c, f)));
}

/** Calls `visit` on `s` and every nested statement, parents first. */
export function forEachStmt(s: Stmt, visit: (s: Stmt) => void): void {
  visit(s);
  for (const c of stmtChildren(s)) forEachStmt(c, visit);
}

/** Every expression `s` and its nested statements evaluate. */
export function forEachStmtExpr(s: Stmt, visit: (e: Expr) => void): void {
  forEachStmt(s, (x) => stmtExprs(x).forEach((e) => forEachExpr(e, visit)));
}

/** Whether `test` holds for `s` or a nested statement. */
export function someStmt(s: Stmt, test: (s: Stmt) => boolean): boolean {
  return test(s) || stmtChildren(s).some((c) => someStmt(c, test));
}
