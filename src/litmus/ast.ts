// The parsed form of a herd7 AArch64 litmus test (the catalogue's dialect): every node keeps the
// span of the text it came from, so a later "unsupported" error points into the .litmus file.
import type { Span } from '../lang/source.js';

/** A descriptor literal `(oa:phy_x, valid:1, af:1, db:1, dbm:0)`; omitted fields take herd's defaults. */
export interface PteLit {
  readonly k: 'pte';
  /** The output address: the variable whose physical page it names (`phy_x`, `PA(x)`). */
  readonly oa?: string;
  readonly fields: ReadonlyMap<string, number>;
  readonly span: Span;
}

export type Value =
  | { readonly k: 'int'; readonly n: bigint; readonly span: Span }
  /** A variable's virtual address (`x`, `&x`). */
  | { readonly k: 'va'; readonly name: string; readonly span: Span }
  /** A variable's page-table entry address (`pte_x`, `PTE(x)`). */
  | { readonly k: 'pteaddr'; readonly name: string; readonly span: Span }
  /** A physical address (`phy_x`, `PA(x)`). */
  | { readonly k: 'pa'; readonly name: string; readonly span: Span }
  | PteLit
  | { readonly k: 'label'; readonly thread: number; readonly label: string; readonly span: Span };

/** A location of the initial state or the condition. */
export type Loc =
  | { readonly k: 'reg'; readonly thread: number; readonly reg: number; readonly span: Span }
  /** Memory at a variable (`x`, `[x]`): the data at its physical page. */
  | { readonly k: 'mem'; readonly name: string; readonly span: Span }
  /** A variable's page-table entry (`pte_x`, `[PTE(x)]`). */
  | { readonly k: 'pte'; readonly name: string; readonly span: Span };

export interface InitItem {
  readonly loc: Loc;
  readonly value?: Value;
  readonly span: Span;
}

export type Operand =
  | { readonly k: 'reg'; readonly reg: number; readonly wide: boolean; readonly zero: boolean; readonly span: Span }
  | { readonly k: 'imm'; readonly n: bigint; readonly span: Span }
  /** `[Xn]`, or `[Xn,Xm]` / `[Xn,Wm,SXTW]` (the address plus an index register). */
  | { readonly k: 'mem'; readonly base: number; readonly index?: number; readonly span: Span }
  | { readonly k: 'sym'; readonly text: string; readonly span: Span };

export interface Instr {
  /** The upper-case mnemonic, `B.EQ` included. */
  readonly op: string;
  readonly args: readonly Operand[];
  readonly span: Span;
  readonly opSpan: Span;
}

/** One cell of the thread table: labels and at most one instruction. */
export interface Cell {
  readonly labels: readonly { readonly name: string; readonly span: Span }[];
  readonly instr?: Instr;
}

export interface Thread {
  readonly id: number;
  /** `P1.F`: the fault handler of thread 1. */
  readonly handler: boolean;
  readonly span: Span;
  readonly cells: readonly Cell[];
}

export type Cond =
  | { readonly k: 'and' | 'or'; readonly a: Cond; readonly b: Cond; readonly span: Span }
  | { readonly k: 'not'; readonly a: Cond; readonly span: Span }
  | { readonly k: 'true' | 'false'; readonly span: Span }
  | { readonly k: 'eq'; readonly loc: Loc; readonly value: Value; readonly span: Span }
  /** `fault(P1:L0,x,MMU:Permission)`: thread, optional label, optional variable and kind. */
  | { readonly k: 'fault'; readonly thread: number; readonly label?: string; readonly name?: string; readonly kind?: string; readonly span: Span };

export interface Final {
  readonly quant: 'exists' | 'not-exists' | 'forall';
  readonly cond: Cond;
  readonly span: Span;
}

export interface LitmusTest {
  readonly name: string;
  readonly headers: readonly { readonly key: string; readonly value: string; readonly span: Span }[];
  readonly init: readonly InitItem[];
  readonly threads: readonly Thread[];
  readonly final: Final;
  /** `filter` or other clauses herd would honour that change the verdict. */
  readonly filter?: Span;
}
