// Inlining puts a callee's body inside its caller, so the checked program can nest far deeper
// than any one declaration (which the parser bounds: src/lang/nesting.ts); a chain of a few
// hundred small procedures would exhaust the stack of every later stage. Each inlined call adds
// its declaration's syntactic depth to a running total, refused at the call past the bound.
import type * as A from '../lang/ast.js';
import { Diagnostic } from '../lang/source.js';
import type { Ctx } from './scope.js';

/** The deepest nesting of inlined bodies a checked program may reach. */
export const MAX_INLINED_NESTING = 400;

const depths = new WeakMap<object, number>();

/** Levels of syntax-tree nodes below `node` (the parser has bounded it, so recursion is safe). */
function syntaxDepth(node: unknown): number {
  if (typeof node !== 'object' || node === null) return 0;
  const known = depths.get(node);
  if (known !== undefined) return known;
  let below = 0;
  for (const [key, child] of Object.entries(node)) if (key !== 'span') below = Math.max(below, syntaxDepth(child));
  const d = below + ('kind' in node ? 1 : 0);
  depths.set(node, d);
  return d;
}

/** Runs `inline` with `decl`'s body counted as nested at `call`. */
export function nestedCall<T>(ctx: Ctx, decl: A.Item & { kind: 'fn' | 'proc' }, call: A.Expr, inline: () => T): T {
  const d = syntaxDepth(decl);
  if (ctx.inlinedNesting + d > MAX_INLINED_NESTING) {
    throw new Diagnostic(call.span, `calls nested too deeply: inlining '${decl.name.name}' here nests the program deeper than ${MAX_INLINED_NESTING} levels`,
      `the calls in progress: ${[...ctx.callStack, decl.name.name].join(' > ')}`);
  }
  ctx.inlinedNesting += d;
  try {
    return inline();
  } finally {
    ctx.inlinedNesting -= d;
  }
}
