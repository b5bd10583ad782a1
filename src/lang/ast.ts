// Syntax tree of one source file, as written (names unresolved, no types).
import type { Span } from './source.js';

export interface Node {
  readonly span: Span;
}

export interface Ident extends Node {
  readonly name: string;
}

export type AccessKind = 'read' | 'write';

/** Arm's ordering of a data access: LDAR (acquire), STLR (release), SWPAL/CASAL (acq_rel). */
export type AccessOrder = 'acquire' | 'release' | 'acq_rel';

/**
 * What an access does with the data value of the frame it translates to: `write P = e;` stores,
 * `let r = read P;` loads, `swap` exchanges, `cas` compares and swaps (the last two are writes).
 */
export type DataOp =
  | { op: 'store'; value: Expr }
  | { op: 'load' }
  | { op: 'swap'; value: Expr }
  | { op: 'cas'; expected: Expr; value: Expr };

/** Where a loaded value goes: a new local (`let r = read P;`) or an assignable (`r = read P;`). */
export type AccessResult = { kind: 'let'; name: Ident; type?: TypeExpr } | { kind: 'assign'; target: Expr };

export type TypeExpr =
  | (Node & { kind: 'bool' })
  | (Node & { kind: 'int'; lo: number; hi: number })
  | (Node & { kind: 'named'; name: Ident });

export type Expr =
  | (Node & { kind: 'bool'; value: boolean })
  | (Node & { kind: 'number'; value: number })
  | (Node & { kind: 'ident'; name: Ident })
  | (Node & { kind: 'record'; type: Ident; fields: FieldSet[] })
  | (Node & { kind: 'call'; callee: Ident; args: Expr[] })
  | (Node & { kind: 'field'; target: Expr; field: Ident })
  | (Node & { kind: 'index'; target: Expr; index: Expr })
  | (Node & { kind: 'with'; target: Expr; fields: FieldSet[] })
  | (Node & { kind: 'unary'; op: '!' | '-'; arg: Expr })
  | (Node & { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr })
  | (Node & { kind: 'cond'; test: Expr; then: Expr; else: Expr });

export type BinaryOp = '=>' | '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-';

export interface FieldSet extends Node {
  readonly name: Ident;
  readonly value: Expr;
}

export type LockOp = 'lock' | 'unlock' | 'down_read' | 'up_read' | 'down_write' | 'up_write' | 'downgrade_write';

export type Stmt =
  | (Node & { kind: 'block'; body: Stmt[] })
  | (Node & { kind: 'label'; label: Ident; body: Stmt })
  | (Node & { kind: 'let'; name: Ident; type?: TypeExpr; init: Expr })
  | (Node & { kind: 'assign'; target: Expr; value: Expr })
  | (Node & { kind: 'if'; test: Expr; then: Stmt; else?: Stmt })
  | (Node & { kind: 'while'; test: Expr; bound?: number; body: Stmt })
  | (Node & { kind: 'for'; var: Ident; from: Expr; to: Expr; body: Stmt })
  /** `for c in cpu [except self] S`: S once per CPU of the scenario (but the running one), in declaration order. */
  | (Node & { kind: 'forCpu'; var: Ident; exceptSelf: boolean; body: Stmt })
  | (Node & { kind: 'forPage'; var: Ident; body: Stmt })
  | (Node & { kind: 'atomic'; body: Stmt[] })
  | (Node & { kind: 'lock'; op: LockOp; lock: Expr })
  | (Node & { kind: 'await'; test: Expr })
  | (Node & { kind: 'assert'; name?: Ident; test: Expr })
  /** `write P when c;`: the access is enabled only while `c` holds, tested in the same step. */
  /** `write P expect fault;`: the access must never complete. */
  | (Node & {
      kind: 'access'; access: AccessKind; page: Expr; guard?: Expr; expectFault?: boolean;
      order?: AccessOrder; data?: DataOp; result?: AccessResult;
    })
  | (Node & { kind: 'return'; value?: Expr })
  | (Node & { kind: 'done' })
  | (Node & { kind: 'fault' })
  | (Node & { kind: 'skip' })
  /** In a fault handler: the fault is fatal; the access and the CPU's program end. */
  | (Node & { kind: 'sigsegv' })
  | (Node & { kind: 'expr'; expr: Expr });

export interface Param extends Node {
  readonly name: Ident;
  readonly type: TypeExpr;
}

export type InitValue = { kind: 'any'; span: Span } | { kind: 'expr'; expr: Expr; span: Span };

export interface FieldDecl extends Node {
  readonly name: Ident;
  readonly type: TypeExpr;
}

export interface FieldInit extends Node {
  readonly name: Ident;
  readonly value: InitValue;
}

export type Item =
  | (Node & { kind: 'arch'; name: Ident; extends?: Ident })
  | (Node & { kind: 'library'; name: Ident })
  | (Node & { kind: 'use'; name: Ident; args: UseArg[] })
  | (Node & { kind: 'pte'; fields: FieldDecl[] })
  | (Node & { kind: 'tlb'; fields: FieldDecl[] })
  | (Node & { kind: 'hardware'; override: boolean; name: Ident; body: Stmt[] })
  | (Node & { kind: 'accessRule'; override: boolean; access: AccessKind; body: Stmt[] })
  | (Node & { kind: 'fn'; override: boolean; name: Ident; params: Param[]; ret: TypeExpr; body: Stmt[] })
  | (Node & { kind: 'proc'; override: boolean; name: Ident; params: Param[]; ret?: TypeExpr; body: Stmt[] })
  /** `param bool hd[cpu] = true;`: a per-CPU parameter (`perCpu` is the `cpu` index word). */
  | (Node & { kind: 'param'; type: TypeExpr; name: Ident; perCpu?: Ident; value: Expr })
  | (Node & { kind: 'page'; name: Ident; fields: FieldInit[]; value?: undefined })
  /** `page P = EXPR;`: the initial PTE as a constant expression over the model's helpers. */
  | (Node & { kind: 'page'; name: Ident; fields?: undefined; value: Expr })
  /** `frame F0, F1 { data: 1 };`: frames with their initial data values (omitted: 0). */
  | (Node & { kind: 'frame'; names: Ident[]; data: (Expr | undefined)[] })
  /** `data int[0..3];`: the range of the frames' data values. */
  | (Node & { kind: 'dataDecl'; type: TypeExpr })
  | (Node & { kind: 'lockDecl'; lockKind: 'spinlock' | 'rwsem'; name: Ident; perPage?: Ident })
  | (Node & { kind: 'enum'; name: Ident; members: Ident[] })
  | (Node & { kind: 'var'; ghost: boolean; type: TypeExpr; name: Ident; indexBy?: Ident; init?: InitValue })
  | (Node & { kind: 'cpu'; name: Ident; count?: number; body: Stmt[] })
  | (Node & { kind: 'faultHandler'; access: AccessKind; param: Ident; body: Stmt[] })
  /** `interrupt NAME [when GUARD] { ... }`: a handler another CPU's `send_ipi(NAME, c)` makes CPU c run. */
  | (Node & { kind: 'interrupt'; name: Ident; guard?: Expr; body: Stmt[] })
  | (Node & { kind: 'invariant'; name: Ident; expr: Expr })
  | (Node & { kind: 'final'; name: Ident; expr: Expr })
  /** A cover goal: `e` holds in some reachable state. */
  | (Node & { kind: 'reachable'; name: Ident; expr: Expr })
  | (Node & { kind: 'onAccess'; access: AccessKind; name: Ident; binders: [Ident, Ident, Ident]; expr: Expr })
  | (Node & { kind: 'expect'; violated?: Ident; on?: ArchSpec })
  | (Node & { kind: 'disable'; name: Ident });

/** `x86_64` or `arm64_softdirty_2024(keep_soft_dirty = true)`: a model and parameter values. */
export interface ArchSpec extends Node {
  readonly name: Ident;
  readonly args: UseArg[];
}

/** `p = v` in a `use` or `expect on`; `hd[P1] = true` sets a per-CPU parameter for CPU `index`. */
export interface UseArg {
  readonly name: Ident;
  readonly index?: Ident;
  readonly value: Expr;
}

export interface FileAst {
  readonly items: Item[];
}
