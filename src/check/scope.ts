// Names visible while checking: the global table shared by a whole scenario, and the nested
// local scopes of the code being checked.
import type * as A from '../lang/ast.js';
import { Diagnostic, type Span } from '../lang/source.js';
import type { Expr, Field, GlobalVar, LValue, Local, Lock, RecordKind, ScalarType, Type } from '../ir/model.js';
import type { Counts } from '../ir/types.js';
import { cNameHint } from '../lang/cisms.js';
import { didYouMean, relatedName } from './types.js';

/** Built-in functions and statements: not in the symbol table, but candidates for "did you mean". */
export const BUILTIN_CALLS = ['ptep_get', 'tlb', 'frame_of', 'set_pte', 'flush', 'flush_all', 'flush_local', 'flush_local_all', 'dmb', 'dsb', 'isb', 'tlbi', 'send_ipi', 'ipi_pending'];

export type GlobalSym =
  | { k: 'page'; index: number }
  | { k: 'frame'; index: number }
  | { k: 'cpu'; index: number }
  | { k: 'cpuGroup'; first: number; count: number }
  | { k: 'global'; v: GlobalVar }
  | { k: 'lock'; lock: Lock }
  | { k: 'enumType'; type: ScalarType & { k: 'enum' } }
  | { k: 'enumMember'; type: ScalarType & { k: 'enum' }; index: number }
  | { k: 'fn'; decl: A.Item & { kind: 'fn' } }
  | { k: 'proc'; decl: A.Item & { kind: 'proc' } }
  /** `perCpu`: a per-CPU parameter's value for each CPU (`param bool hd[cpu]`). */
  | { k: 'param'; value: Expr; perCpu?: readonly number[] };

export interface Globals {
  readonly archName: string;
  /** The model files' names, base first (`arm64`, `arm64_softdirty_2024`). */
  readonly archChain: readonly string[];
  readonly syms: Map<string, GlobalSym>;
  readonly pteFields: readonly Field[];
  readonly tlbFields: readonly Field[];
  readonly counts: Counts;
  readonly maxVersion: number;
  /** The range of frame data values. */
  readonly dataType: ScalarType & { k: 'int' };
  readonly resolveType: (t: A.TypeExpr) => Type;
  /** Scenario fault handlers, inlined at every access of their kind. */
  readonly handlers: Partial<Record<'read' | 'write', A.Item & { kind: 'faultHandler' }>>;
  /** The pending flags (one per CPU) of interrupt `name`, which this use makes part of the model. */
  readonly interrupt: (name: A.Ident) => GlobalVar;
}

export type LocalSym =
  | { k: 'local'; local: Local; readonly: boolean }
  /** A procedure parameter or `for` variable: substituted by name. */
  | { k: 'subst'; expr: Expr; type: Type };

/** Where the code being checked runs; decides which names and statements are allowed. */
export type Mode = 'program' | 'rule' | 'interrupt' | 'fn' | 'property' | 'init';

/** Allocates locals and statement ids for one CPU program or rule. */
export class Allocator {
  readonly locals: Local[] = [];
  constructor(private readonly ids: { next: number }) {}
  local(name: string, type: Type): Local {
    const l = { id: this.locals.length, name, type };
    this.locals.push(l);
    return l;
  }
  stmtId(): number {
    return this.ids.next++;
  }
  /** Statements made so far in the whole model. */
  get statements(): number {
    return this.ids.next;
  }
}

export interface AccessBinders {
  readonly cpu: string;
  readonly page: string;
  readonly frame: string;
}

export class Ctx {
  private scopes: Map<string, LocalSym>[] = [new Map()];
  /** PTE loads and stores in the statement being checked, for the one-PTE-access rule. */
  pteTouches = 0;
  inAtomic = false;
  /** Procedures being inlined, innermost last; a repeat is recursion. */
  readonly callStack: string[] = [];
  /** The innermost function whose body is being checked: it may read only its arguments. */
  inFn?: string;
  /** Syntactic depth of the bodies being inlined (src/check/depth.ts). */
  inlinedNesting = 0;
  /** Innermost inlined call: its id, whether it returns a value, and its return type. */
  call?: { id: number; ret?: Type; name: string; target?: LValue };
  /** Locals declared by `let` directly in each open block, innermost last. */
  readonly blockLocals: Local[][] = [[]];
  /** Set while checking an access rule: `done;` and `fault;` are allowed. */
  inAccessRule = false;
  /** Set while checking a fault handler: user accesses are not allowed. */
  inHandler = false;
  /** The CPU whose program is being checked (mode 'program'): `for c in cpu except self` leaves it out. */
  selfCpu?: number;
  /** Assertions met so far, registered as properties. */
  readonly asserts: { name: string; span: Span }[] = [];

  constructor(
    readonly g: Globals,
    readonly mode: Mode,
    readonly alloc: Allocator,
    readonly binders?: AccessBinders,
  ) {}

  get resolveType(): (t: A.TypeExpr) => Type {
    return this.g.resolveType;
  }
  push(): void {
    this.scopes.push(new Map());
  }
  pop(): void {
    this.scopes.pop();
  }
  /** Runs `f` with only the given names visible (a procedure body sees its parameters, not its caller's locals). */
  isolated<T>(f: () => T): T {
    const saved = this.scopes;
    this.scopes = [new Map()];
    try {
      return f();
    } finally {
      this.scopes = saved;
    }
  }
  define(name: A.Ident, sym: LocalSym): void {
    const top = this.scopes[this.scopes.length - 1]!;
    if (top.has(name.name)) throw new Diagnostic(name.span, `'${name.name}' is already declared in this block`);
    top.set(name.name, sym);
  }
  lookupLocal(name: string): LocalSym | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const s = this.scopes[i]!.get(name);
      if (s) return s;
    }
    return undefined;
  }
  visibleNames(): string[] {
    return [...this.scopes.flatMap((s) => [...s.keys()]), ...this.g.syms.keys()];
  }
  unknown(name: A.Ident, what = 'name'): Diagnostic {
    const call = what === 'function' || what === 'procedure';
    const candidates = [...this.visibleNames(), ...(call ? BUILTIN_CALLS : [])];
    const related = call ? relatedName(name.name, candidates) : undefined;
    const hint = (call ? cNameHint(name.name, 'call') : undefined) ?? didYouMean(name.name, candidates)
      ?? (related === undefined ? undefined
        : `'${name.name}' is not in the used models and libraries ('${related}' is a different function): declare it as a proc in the scenario`);
    return new Diagnostic(name.span, `unknown ${what} '${name.name}'`, hint);
  }
}

/** A record kind's fields in this model, and how messages name it (`x86_64 PTE`). */
export function recordOf(g: Globals, rec: RecordKind): { fields: readonly Field[]; what: string } {
  return { fields: rec === 'pte' ? g.pteFields : g.tlbFields, what: `${g.archName} ${rec === 'pte' ? 'PTE' : 'TLB entry'}` };
}

export function fieldIndex(fields: readonly Field[], name: A.Ident, what: string, span: Span = name.span): number {
  const i = fields.findIndex((f) => f.name === name.name);
  if (i < 0) {
    throw new Diagnostic(span, `${what} has no field '${name.name}'`,
      didYouMean(name.name, fields.map((f) => f.name)) ?? `its fields are ${fields.map((f) => f.name).join(', ')}`);
  }
  return i;
}
