// Bounds on the size of a model, refused with an error at the declaration that crosses them (the
// engine's own bounds on state slots and actions are in compile/bounds.ts).
import { Diagnostic, type Span } from '../lang/source.js';
import type { Allocator } from './scope.js';

/** CPUs in all: an rwsem's readers are a bitmask of CPUs in one Int32 slot. */
export const MAX_CPUS = 31;
export const MAX_PAGES = 128;
export const MAX_FRAMES = 128;
/** Invariants and finals together: each is one bit of a successor's mask of failed checks. */
export const MAX_STATE_PROPERTIES = 31;
/** Statements after inlining procedures and unrolling `for` loops (both can grow exponentially). */
export const MAX_STATEMENTS = 100_000;

/** Refuses the `count`-th declaration of a kind past its bound. */
export function checkCount(count: number, max: number, span: Span, what: string, hint?: string): void {
  if (count > max) throw new Diagnostic(span, `more than ${max} ${what}: at most ${max} are supported`, hint);
}

/** Before inlining or unrolling at `span`: refuses when the model already has too many statements. */
export function roomForStatements(alloc: Allocator, span: Span, doing: string): void {
  if (alloc.statements > MAX_STATEMENTS) {
    throw new Diagnostic(span, `${doing} makes the model larger than ${MAX_STATEMENTS} statements`,
      'procedures are inlined at every call and for loops unrolled: a procedure calling another twice, level after level, doubles the size at each level');
  }
}
