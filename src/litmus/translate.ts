// A litmus test → a dirtyrace scenario under the arm64 model, in the language's arm64 forms: each
// variable is a page whose frame `phy_x` holds one data value (`phy_x.data`), each register a
// global `Pn_Xk` (registers holding addresses or descriptor constants are folded away), a load or
// store of data is a data access (`write x = v;`, `Pn_Xk = read x;`, `swap`, `cas`, with
// `acquire`/`release`: translation, faults, HA/HD and the data in one step), barriers are the
// `dmb`/`dsb`/`isb` steps and a TLBI the `tlbi` step whose invalidation stays pending until it
// completes (at the latest at the issuer's next full DSB). Per-thread TTHM settings are the
// per-CPU `ha[cpu]`/`hd[cpu]` parameters. The CPUs are sequentially consistent. A fault is fatal,
// as under herd's `-variant vmsa,fatal` (`sigsegv;`). The condition becomes two `final`
// properties: `never: !C` (violated iff some final state satisfies C) and, for `forall`,
// `always: C`. Anything outside this fragment is an "unsupported" Diagnostic in the .litmus file.
import { Diagnostic, type Span } from '../lang/source.js';
import type { Cell, Cond, Instr, LitmusTest, Operand, PteLit, Thread, Value } from './ast.js';
import { PTE_DEFAULTS } from './parse.js';

export interface Translation {
  readonly text: string;
  readonly arch: string;
  /** `forall` tests also get the `always` property. */
  readonly forall: boolean;
}

/** A register's contents known when translating (an address, a page number, a constant). */
type Static =
  | { readonly k: 'int'; readonly n: bigint }
  | { readonly k: 'va' | 'pteaddr' | 'page'; readonly name: string }
  | { readonly k: 'pte'; readonly lit: PteLit };

/** What a register holds: a value known statically, or a run-time int/descriptor in its global. */
type RegState = { readonly k: 'static'; readonly v: Static } | { readonly k: 'dyn'; readonly t: 'int' | 'pte' };

/** Where the data range goes in a statement; known only once every value is seen. */
const DATA_RANGE = '@@RANGE@@';

// Arm ARM C6.2 DMB/DSB <option>; the language takes the same names.
const BARRIER_OPTIONS = new Set(['sy', 'st', 'ld', 'ish', 'ishst', 'ishld', 'nsh', 'nshst', 'nshld', 'osh', 'oshst', 'oshld']);
/** The ordering suffix of SWP/CAS (A, L, AL) as the language's word. */
const ORDER: Readonly<Record<string, string>> = { '': '', A: ' acquire', L: ' release', AL: ' acq_rel' };

const unsupported = (span: Span, what: string): Diagnostic => new Diagnostic(span, `unsupported: ${what}`);

// The descriptor bits a mask may name (Arm ARM D8.3, stage-1 page descriptor): the field and
// whether a set bit means the field is true (AP[2] set = read-only = herd's db:0).
const PTE_BITS = new Map<bigint, { field: 'valid' | 'rdonly' | 'af' | 'dbm' }>([[1n, { field: 'valid' }], [1n << 7n, { field: 'rdonly' }], [1n << 10n, { field: 'af' }], [1n << 51n, { field: 'dbm' }]]);

class Scenario {
  readonly frames = new Set<string>();
  readonly pages = new Set<string>();
  readonly dataInit = new Map<string, bigint>();
  readonly pteInit = new Map<string, PteLit>();
  readonly regGlobals = new Map<string, 'int' | 'pte'>();
  /** The registers the final condition reads (`Pn_Xk`). */
  readonly condRegs = new Set<string>();
  maxInt = 3n;
  /** Per thread, the accesses that may fault, by index: their page and labels. */
  readonly accesses = new Map<number, { page: string; labels: string[] }[]>();
  trackFaults = false;

  frame(name: string): string { this.frames.add(name); return `phy_${name}`; }
  page(name: string): string { this.pages.add(name); this.frame(name); return name; }
  int(n: bigint, span: Span): string {
    if (n < 0n || n > 1000n) throw unsupported(span, `the value ${n} as data (0 to 1000)`);
    if (n > this.maxInt) this.maxInt = n;
    return String(n);
  }
  pteExpr(l: PteLit): string {
    const f = (n: string) => (l.fields.get(n) ?? PTE_DEFAULTS.get(n)!) === 1;
    if (l.oa !== undefined) this.frame(l.oa);
    return `pte { valid: ${f('valid')}, rdonly: ${!f('db')}, dbm: ${f('dbm')}, af: ${f('af')}, pfn: ${this.frame(l.oa ?? '?')} }`;
  }
}

function staticOf(v: Value): Static {
  switch (v.k) {
    case 'int': return { k: 'int', n: v.n };
    case 'va': return { k: 'va', name: v.name };
    case 'pteaddr': return { k: 'pteaddr', name: v.name };
    case 'pte': return { k: 'pte', lit: v };
    case 'pa': throw unsupported(v.span, 'a physical address as a register value');
    case 'label': throw unsupported(v.span, 'a label as a value (fault handlers)');
  }
}

/** A PTE literal with its output address defaulted to the PTE's own variable (herd's default). */
function withOa(l: PteLit, name: string): PteLit { return l.oa !== undefined ? l : { ...l, oa: name }; }

class ThreadTr {
  readonly regs = new Map<number, RegState>();
  /**
   * Registers whose value (folded to a constant, e.g. `EOR W9,W7,W7`) was computed from a loaded
   * one: an address using one carries a dependency on that load (Arm ARM B2.3.2).
   */
  readonly deps = new Set<number>();
  readonly out: string[] = [];
  access = 0;
  readonly initial = new Map<number, RegState>();
  constructor(readonly sc: Scenario, readonly th: Thread, init: ReadonlyMap<number, Value>) {
    for (const [r, v] of init) { const st: RegState = { k: 'static', v: staticOf(v) }; this.regs.set(r, st); this.initial.set(r, st); }
  }
  name(r: number): string { return `P${this.th.id}_X${r}`; }
  get(o: Operand): RegState {
    if (o.k === 'imm') return { k: 'static', v: { k: 'int', n: o.n } };
    if (o.k !== 'reg') throw unsupported(o.span, 'this operand here');
    if (o.zero) return { k: 'static', v: { k: 'int', n: 0n } };
    return this.regs.get(o.reg) ?? { k: 'static', v: { k: 'int', n: 0n } };
  }
  /** The expression of an int operand. */
  intExpr(o: Operand): string {
    const s = this.get(o);
    if (s.k === 'dyn') { if (s.t !== 'int') throw unsupported(o.span, 'a descriptor used as a number'); return this.name((o as { reg: number }).reg); }
    if (s.v.k !== 'int') throw unsupported(o.span, `an address used as data`);
    return this.sc.int(s.v.n, o.span);
  }
  /** The descriptor expression of an operand stored to a PTE. */
  pteExprOf(o: Operand): string {
    const s = this.get(o);
    if (s.k === 'dyn') { if (s.t !== 'pte') throw unsupported(o.span, 'a number stored to a page-table entry'); return pteOfGlobals(this.name((o as { reg: number }).reg)); }
    if (s.v.k !== 'pte') throw unsupported(o.span, 'storing a value other than a descriptor to a page-table entry');
    return this.sc.pteExpr(s.v.lit);
  }
  /** A register becomes a run-time global of this type. */
  dyn(o: Operand, t: 'int' | 'pte', cond: boolean): string {
    if (o.k !== 'reg' || o.zero) throw unsupported(o.span, 'this destination');
    const n = this.name(o.reg);
    const prev = this.sc.regGlobals.get(n);
    if (prev && prev !== t) throw unsupported(o.span, 'a register holding both numbers and descriptors');
    const before = this.regs.get(o.reg);
    if (cond && before?.k === 'static' && before.v.k !== 'int') throw unsupported(o.span, 'a register holding an address overwritten under a branch');
    // The global starts at the register's initial value; a value set since is written first.
    if (!prev && before?.k === 'static' && before !== this.initial.get(o.reg)) {
      if (before.v.k !== 'int') throw unsupported(o.span, 'a register reused for another kind of value');
      this.emit(`${n} = ${this.sc.int(before.v.n, o.span)};`);
    }
    this.sc.regGlobals.set(n, t);
    this.regs.set(o.reg, { k: 'dyn', t });
    this.deps.delete(o.reg);
    return n;
  }
  setStatic(o: Operand, v: Static, cond: boolean): void {
    if (o.k !== 'reg' || o.zero) throw unsupported(o.span, 'this destination');
    const before = this.regs.get(o.reg);
    // Under a branch the value depends on the path, and a number the condition reads is lost if
    // a fault ends the thread first: such numbers live in the register's global.
    if (cond || (v.k === 'int' && this.sc.condRegs.has(this.name(o.reg))) || before?.k === 'dyn' || this.sc.regGlobals.has(this.name(o.reg))) {
      if (v.k !== 'int') throw unsupported(o.span, 'an address computed under a branch');
      this.emit(`${this.dyn(o, 'int', cond)} = ${this.sc.int(v.n, o.span)};`);
      return;
    }
    this.regs.set(o.reg, { k: 'static', v });
  }
  /** Whether an address operand uses a register computed from a loaded value (an address dependency). */
  dependent(o: Operand): boolean {
    return o.k === 'mem' && (this.deps.has(o.base) || (o.index !== undefined && this.deps.has(o.index)));
  }
  /** The location an address operand names: a variable's data or its PTE. */
  addr(o: Operand): { k: 'va' | 'pteaddr'; name: string } {
    if (o.k !== 'mem') throw unsupported(o.span, 'expected a memory operand [Xn]');
    const b = this.regs.get(o.base);
    if (!b || b.k !== 'static' || (b.v.k !== 'va' && b.v.k !== 'pteaddr')) throw unsupported(o.span, 'an address not known before the run (a loaded or computed pointer)');
    if (o.index !== undefined) {
      const i = this.regs.get(o.index) ?? { k: 'static', v: { k: 'int', n: 0n } };
      if (i.k !== 'static' || i.v.k !== 'int' || i.v.n !== 0n) throw unsupported(o.span, 'an index register not known to be zero');
    }
    return { k: b.v.k, name: b.v.name };
  }
  emit(s: string): void { this.out.push(s); }

  /**
   * A data access (`write x = v;`, `r = read x;`, ...: the access rule and the data in one step),
   * numbered in `at[self]` first so the condition can tell which access a fault ended.
   */
  dataAccess(name: string, stmt: (page: string) => string): void {
    const page = this.sc.page(name);
    const list = this.sc.accesses.get(this.th.id) ?? [];
    this.sc.accesses.set(this.th.id, list);
    list.push({ page, labels: this.labels });
    this.emit(`at[self] = ${list.length};`);
    this.emit(stmt(page));
  }
  /** A value stored or compared: a constant, or a register's global copied into a local first (an access's operands may not read shared state). */
  dataValue(o: Operand): string {
    const s = this.get(o);
    if (s.k === 'static') return this.intExpr(o);
    const v = `v${this.locals++}`;
    this.emit(`let ${v}: ${DATA_RANGE} = ${this.intExpr(o)};`);
    return v;
  }
  locals = 0;
  labels: string[] = [];

  instr(i: Instr, cond: boolean): void {
    const a = i.args;
    const want = (n: number) => { if (a.length !== n) throw unsupported(i.span, `${i.op} with ${a.length} operands`); };
    const op = i.op;
    if (op === 'NOP') { want(0); return; }
    if (op === 'ISB') { want(0); this.emit('isb();'); return; }
    if (op === 'DMB' || op === 'DSB') {
      const o = a[0]?.k === 'sym' ? a[0].text.toLowerCase() : '';
      if (a.length !== 1 || !BARRIER_OPTIONS.has(o)) throw unsupported(i.span, `${op} without one of the options ${[...BARRIER_OPTIONS].join(', ').toUpperCase()}`);
      this.emit(`${op.toLowerCase()}(${o});`);
      return;
    }
    // A value folded from a loaded register, or from one so folded, carries the dependency on.
    const from = (o: Operand | undefined) => o?.k === 'reg' && !o.zero && (this.deps.has(o.reg) || this.get(o).k === 'dyn');
    const track = (tainted: boolean) => { const d = a[0]; if (d?.k === 'reg' && this.regs.get(d.reg)?.k === 'static') { if (tainted) this.deps.add(d.reg); else this.deps.delete(d.reg); } };
    if (op === 'MOV') {
      want(2);
      const tainted = from(a[1]);
      this.movInstr(a, cond);
      track(tainted);
      return;
    }
    if (['ADD', 'SUB', 'EOR', 'AND', 'ORR', 'LSR', 'LSL'].includes(op)) {
      want(3);
      const tainted = from(a[1]) || from(a[2]);
      this.aluInstr(i, cond);
      track(tainted);
      return;
    }
    this.memInstr(i, cond);
  }

  movInstr(a: readonly Operand[], cond: boolean): void {
    const s = this.get(a[1]!);
    if (s.k === 'static') this.setStatic(a[0]!, s.v, cond);
    else { const src = this.name((a[1] as { reg: number }).reg); this.emit(`${this.dyn(a[0]!, s.t, cond)} = ${src};`); }
  }

  aluInstr(i: Instr, cond: boolean): void {
    const a = i.args;
    const op = i.op;
    const x = this.get(a[1]!), y = this.get(a[2]!);
    if (op === 'EOR' && a[1]!.k === 'reg' && a[2]!.k === 'reg' && a[1]!.reg === a[2]!.reg) { this.setStatic(a[0]!, { k: 'int', n: 0n }, cond); return; }
    if (x.k === 'static' && y.k === 'static') {
      const v = fold(op, x.v, y.v);
      if (!v) throw unsupported(i.span, `${op} of these operands`);
      this.setStatic(a[0]!, v, cond);
      return;
    }
    if ((op === 'ADD' || op === 'SUB') && x.k === 'dyn' && x.t === 'int' && y.k === 'static' && y.v.k === 'int') {
      const src = this.intExpr(a[1]!);
      this.sc.int(y.v.n + 3n, i.span);
      this.emit(`${this.dyn(a[0]!, 'int', cond)} = ${src} ${op === 'ADD' ? '+' : '-'} ${this.sc.int(y.v.n, a[2]!.span)};`);
      return;
    }
    throw unsupported(i.span, `${op} of a value known only at run time`);
  }

  memInstr(i: Instr, cond: boolean): void {
    const a = i.args;
    const want = (n: number) => { if (a.length !== n) throw unsupported(i.span, `${i.op} with ${a.length} operands`); };
    const op = i.op;
    if (op === 'CMP') { want(2); this.sc.regGlobals.set(`P${this.th.id}_Z`, 'int'); this.emit(`P${this.th.id}_Z = ${this.intExpr(a[0]!)} == ${this.intExpr(a[1]!)} ? 1 : 0;`); return; }
    if (op === 'CSET') {
      want(2);
      const c = a[1]!.k === 'sym' ? a[1]!.text.toUpperCase() : '';
      if (c !== 'EQ' && c !== 'NE') throw unsupported(a[1]!.span, `condition ${c}`);
      this.emit(`${this.dyn(a[0]!, 'int', cond)} = P${this.th.id}_Z == ${c === 'EQ' ? 1 : 0} ? 1 : 0;`);
      return;
    }
    if (op === 'STR' || op === 'STLR') {
      want(2);
      const t = this.addr(a[1]!);
      if (t.k === 'pteaddr') { this.emit(`set_pte(${this.sc.page(t.name)}, ${this.pteExprOf(a[0]!)});`); return; }
      const v = this.dataValue(a[0]!);
      this.dataAccess(t.name, (p) => `write ${op === 'STLR' ? 'release ' : ''}${p} = ${v};`);
      return;
    }
    if (op === 'LDR' || op === 'LDAR' || op === 'LDAPR') {
      want(2);
      const t = this.addr(a[1]!);
      if (t.k === 'pteaddr') { this.emit(`atomic { let o = ptep_get(${this.sc.page(t.name)}); ${pteToGlobals(this.dyn(a[0]!, 'pte', cond))} }`); return; }
      // An address dependency keeps the load after the one it depends on: a DMB LD does (it
      // orders every earlier load, so it may forbid more than the dependency does).
      if (this.dependent(a[1]!)) this.emit('dmb(ld);');
      const r = this.dyn(a[0]!, 'int', cond);
      this.dataAccess(t.name, (p) => `${r} = read ${op === 'LDR' ? '' : 'acquire '}${p};`);
      return;
    }
    if (/^SWP(A|L|AL)?$/.test(op)) {
      want(3);
      const t = this.addr(a[2]!);
      if (t.k === 'pteaddr') {
        const v = this.pteExprOf(a[0]!);
        const r = a[1]!.k === 'reg' && a[1]!.zero ? undefined : this.dyn(a[1]!, 'pte', cond);
        this.emit(`atomic { let o = ptep_get(${this.sc.page(t.name)}); set_pte(${t.name}, ${v}); ${r ? pteToGlobals(r) : ''} }`);
        return;
      }
      const v = this.dataValue(a[0]!);
      const r = a[1]!.k === 'reg' && a[1]!.zero ? undefined : this.dyn(a[1]!, 'int', cond);
      this.dataAccess(t.name, (p) => `${r ?? 'let o'} = swap${ORDER[op.slice(3)]} ${p} = ${v};`);
      return;
    }
    if (/^CAS(A|L|AL)?$/.test(op)) {
      // CAS Ws, Wt, [Xn]: Ws is compared with memory and receives the old value; Wt is stored if equal.
      want(3);
      const t = this.addr(a[2]!);
      if (t.k === 'pteaddr') throw unsupported(i.span, `${op} on a page-table entry`);
      const expected = this.dataValue(a[0]!);
      const v = this.dataValue(a[1]!);
      const r = a[0]!.k === 'reg' && a[0]!.zero ? undefined : this.dyn(a[0]!, 'int', cond);
      this.dataAccess(t.name, (p) => `${r ?? 'let o'} = cas${ORDER[op.slice(3)]}(${p}, ${expected}, ${v});`);
      return;
    }
    if (/^(LD(SET|CLR)(A|L|AL)?|ST(SET|CLR)(L)?)$/.test(op)) {
      const ld = op.startsWith('LD');
      want(ld ? 3 : 2);
      const t = this.addr(a[ld ? 2 : 1]!);
      if (t.k !== 'pteaddr') throw unsupported(i.span, `${op} on data (only on page-table entries)`);
      const m = this.get(a[0]!);
      if (m.k !== 'static' || m.v.k !== 'int') throw unsupported(a[0]!.span, 'a bit mask not known before the run');
      const set = op.includes('SET');
      const fields: string[] = [];
      let rest = m.v.n;
      for (const [bit, { field }] of PTE_BITS) if (rest & bit) { fields.push(`${field}: ${set}`); rest &= ~bit; }
      if (rest !== 0n) throw unsupported(a[0]!.span, `mask bits 0x${rest.toString(16)} (only valid, AP[2], AF and DBM)`);
      const r = ld && !(a[1]!.k === 'reg' && a[1]!.zero) ? this.dyn(a[1]!, 'pte', cond) : undefined;
      this.emit(`atomic { let o = ptep_get(${this.sc.page(t.name)}); set_pte(${t.name}, o with { ${fields.join(', ')} }); ${r ? pteToGlobals(r) : ''} }`);
      return;
    }
    if (op === 'TLBI') {
      const o = a[0]?.k === 'sym' ? a[0].text.toUpperCase() : '';
      if (/^VMALLE1(IS)?$/.test(o) || /^ASIDE1(IS)?$/.test(o)) { this.emit(`tlbi(${o.toLowerCase()});`); return; }
      if (/^VA(A)?(L)?E1(IS)?$/.test(o)) {
        want(2);
        const p = this.get(a[1]!);
        if (p.k !== 'static' || p.v.k !== 'page') throw unsupported(a[1]!.span, 'a TLBI operand other than a page number (LSR of an address by 12)');
        this.emit(`tlbi(${o.toLowerCase()}, ${this.sc.page(p.v.name)});`);
        return;
      }
      throw unsupported(i.opSpan, `TLBI ${o}`);
    }
    throw unsupported(i.opSpan, `the instruction ${op}`);
  }

  /** Cells [from, to): forward branches become `if`s over the cells they skip. */
  block(cells: readonly Cell[], from: number, to: number, cond: boolean): void {
    for (let i = from; i < to; i++) {
      const c = cells[i]!;
      // A label on an empty cell names the thread's next instruction.
      this.labels = [...(i > from && !cells[i - 1]!.instr ? this.labels : []), ...c.labels.map((l) => l.name)];
      const ins = c.instr;
      if (!ins) continue;
      const br = branch(ins);
      if (!br) { this.instr(ins, cond); continue; }
      const target = cells.findIndex((x, j) => j > i && x.labels.some((l) => l.name === br.label));
      if (target < 0) throw unsupported(ins.span, cells.some((x) => x.labels.some((l) => l.name === br.label)) ? 'a backward branch (a loop)' : `a branch to '${br.label}', not a label of this thread`);
      if (target > to) throw unsupported(ins.span, 'branches that do not nest');
      let test: string;
      if (br.kind === 'always') test = 'false';
      else if (br.kind === 'eq' || br.kind === 'ne') { this.sc.regGlobals.set(`P${this.th.id}_Z`, 'int'); test = `P${this.th.id}_Z == ${br.kind === 'eq' ? 0 : 1}`; }
      else test = `${this.intExpr(ins.args[0]!)} ${br.kind === 'cbz' ? '!=' : '=='} 0`;
      this.emit(`if (${test}) {`);
      this.block(cells, i + 1, target, true);
      this.emit('}');
      i = target - 1;
    }
  }
}

function branch(i: Instr): { kind: 'always' | 'eq' | 'ne' | 'cbz' | 'cbnz'; label: string } | undefined {
  const lab = (o: Operand | undefined) => { if (o?.k !== 'sym') throw unsupported(i.span, 'a branch without a label'); return o.text; };
  switch (i.op) {
    case 'B': return { kind: 'always', label: lab(i.args[0]) };
    case 'B.EQ': return { kind: 'eq', label: lab(i.args[0]) };
    case 'B.NE': return { kind: 'ne', label: lab(i.args[0]) };
    case 'CBZ': return { kind: 'cbz', label: lab(i.args[1]) };
    case 'CBNZ': return { kind: 'cbnz', label: lab(i.args[1]) };
    default: return undefined;
  }
}

function fold(op: string, x: Static, y: Static): Static | undefined {
  if (x.k === 'va' && op === 'LSR' && y.k === 'int' && y.n === 12n) return { k: 'page', name: x.name };
  if ((x.k === 'va' || x.k === 'pteaddr') && (op === 'ADD' || op === 'EOR' || op === 'ORR') && y.k === 'int' && y.n === 0n) return x;
  if (x.k !== 'int' || y.k !== 'int') return undefined;
  const a = x.n, b = y.n;
  switch (op) {
    case 'ADD': return { k: 'int', n: a + b };
    case 'SUB': return a >= b ? { k: 'int', n: a - b } : undefined;
    case 'EOR': return { k: 'int', n: a ^ b };
    case 'AND': return { k: 'int', n: a & b };
    case 'ORR': return { k: 'int', n: a | b };
    case 'LSR': return { k: 'int', n: a >> b };
    case 'LSL': return { k: 'int', n: a << b };
  }
  return undefined;
}

/**
 * The model and its `use` line from the TTHM header: per thread, HA (hardware Access flag) and
 * HD (hardware dirty state), `Pn:` for one thread only. HD implies HA as herd7 reads it (the
 * catalogue's STR-AF-DB, `TTHM=HD` with AF=0, is Required to write without a fault). One setting
 * for every thread: `arm64` (HA HD), `arm64(hd = false)` (HA), `arm64_nohafdbs` (none); else
 * the per-CPU parameters `ha[cpu]`, `hd[cpu]` (Arm ARM D8.5: TCR_EL1.HA/HD are per PE).
 */
function useOf(t: LitmusTest): { arch: string; use: string } {
  // herd7's fault handling (lib/fault.ml): `imprecise`/`handled` and `faultToNext` run on after a
  // fault; only `precise`/`fatal` (the catalogue's `-variant vmsa,fatal`) is what sigsegv models.
  for (const v of t.headers.filter((x) => x.key === 'variant')) {
    for (const w of v.value.split(/[\s,]+/).filter(Boolean)) {
      if (/^(imprecise|handled|faulttonext|skip)$/i.test(w)) throw unsupported(v.span, `variant '${w}' (faults that do not end the thread; only fatal faults are modelled)`);
    }
  }
  const h = t.headers.find((x) => x.key === 'TTHM');
  const ha = new Map<number, boolean>(), hd = new Map<number, boolean>();
  for (const th of t.threads) { ha.set(th.id, false); hd.set(th.id, false); }
  for (const w of (h?.value ?? '').split(/\s+/).filter(Boolean)) {
    const m = /^(?:P([0-9]+):)?(HA|HD)$/.exec(w);
    if (!m) throw unsupported(h!.span, `TTHM value '${w}'`);
    for (const th of t.threads) if (m[1] === undefined || Number(m[1]) === th.id) { ha.set(th.id, true); if (m[2] === 'HD') hd.set(th.id, true); }
  }
  const same = (f: Map<number, boolean>) => new Set(f.values()).size <= 1;
  const all = (f: Map<number, boolean>) => [...f.values()].every((x) => x);
  if (same(ha) && same(hd)) {
    if (all(hd) && hd.size > 0) return { arch: 'arm64', use: 'use arm64;' };
    if (all(ha) && ha.size > 0) return { arch: 'arm64', use: 'use arm64(hd = false);' };
    return { arch: 'arm64_nohafdbs', use: 'use arm64_nohafdbs;' };
  }
  const per = (n: string, f: Map<number, boolean>) => [...f].filter(([, v]) => v).map(([id]) => `${n}[P${id}] = true`);
  return { arch: 'arm64', use: `use arm64(${['ha = false', 'hd = false', ...per('ha', ha), ...per('hd', hd)].join(', ')});` };
}

export function translate(t: LitmusTest): Translation {
  if (t.filter) throw unsupported(t.filter, 'a filter clause');
  const sc = new Scenario();
  const regInit = new Map<number, Map<number, Value>>();
  for (const it of t.init) {
    const l = it.loc;
    if (l.k === 'reg') {
      if (it.value) { const m = regInit.get(l.thread) ?? new Map(); regInit.set(l.thread, m); m.set(l.reg, it.value); }
    } else if (l.k === 'mem') {
      sc.frame(l.name);
      if (it.value) {
        if (it.value.k !== 'int') throw unsupported(it.value.span, 'a pointer or descriptor stored in data memory');
        sc.dataInit.set(l.name, it.value.n);
        sc.int(it.value.n, it.value.span);
      }
    } else {
      if (!it.value || it.value.k !== 'pte') throw unsupported(it.span, 'a page-table entry initialised to other than a descriptor');
      sc.page(l.name);
      sc.pteInit.set(l.name, withOa(it.value, l.name));
    }
  }
  for (const th of t.threads) if (th.handler) throw unsupported(th.span, 'fault handler threads (Pn.F)');
  sc.trackFaults = mentionsFault(t.final.cond);
  condRegsOf(t.final.cond, sc.condRegs);
  const trs = t.threads.map((th) => {
    const tr = new ThreadTr(sc, th, regInit.get(th.id) ?? new Map());
    tr.block(th.cells, 0, th.cells.length, false);
    return tr;
  });
  const cond = condExpr(t.final.cond, sc, trs);
  const { arch, use } = useOf(t);
  // A descriptor register's initial output address is a frame too (declared with the others).
  for (const [n, ty] of sc.regGlobals) {
    const [, th, r] = /^P(\d+)_X(\d+)$/.exec(n) ?? [];
    const v = th === undefined ? undefined : regInit.get(Number(th))?.get(Number(r));
    if (ty === 'pte' && v?.k === 'pte' && v.oa !== undefined) sc.frame(v.oa);
  }
  const range = `int[0..${sc.maxInt * 2n + 2n}]`;
  const L: string[] = [`// ${t.name}: translated from herd7 litmus by dirtyrace`, use, `data ${range};`];
  L.push(`frame ${[...sc.frames].map((f) => `phy_${f}${sc.dataInit.get(f) ? ` { data: ${sc.dataInit.get(f)} }` : ''}`).join(', ')};`);
  for (const p of sc.pages) {
    const l = sc.pteInit.get(p) ?? { k: 'pte', oa: p, fields: new Map(), span: t.final.span };
    L.push(`page ${p} ${sc.pteExpr(l).replace(/^pte /, '')}`);
  }
  const fix = (x: string) => x.replaceAll(DATA_RANGE, range);
  for (const [n, ty] of sc.regGlobals) {
    const [, th, r] = /^P(\d+)_X(\d+)$/.exec(n) ?? [];
    const v = th === undefined ? undefined : regInit.get(Number(th))?.get(Number(r));
    if (ty === 'pte') {
      const f = (x: string) => (v?.k === 'pte' ? (v.fields.get(x) ?? PTE_DEFAULTS.get(x)!) === 1 : false);
      const pfn = v?.k === 'pte' && v.oa !== undefined ? `phy_${v.oa}` : `phy_${[...sc.frames][0]}`;
      L.push(`bool ${n}_valid = ${f('valid')};`, `bool ${n}_rdonly = ${v?.k === 'pte' ? !f('db') : false};`, `bool ${n}_dbm = ${f('dbm')};`, `bool ${n}_af = ${f('af')};`, `frame ${n}_pfn = ${pfn};`);
    }
    else L.push(`${range} ${n} = ${v?.k === 'int' ? v.n : 0n};`);
  }
  const maxAcc = Math.max(1, ...[...sc.accesses.values()].map((l) => l.length));
  L.push(`int[0..${maxAcc}] at[cpu] = 0;`);
  L.push('fault read(p) { sigsegv; }', 'fault write(p) { sigsegv; }');
  for (const tr of trs) {
    const body = tr.out.map(fix);
    const lines = sc.trackFaults ? body : body.filter((s) => !s.startsWith('at[self]'));
    L.push(`cpu P${tr.th.id} {`, ...lines.map((s) => `  ${s}`), lines.length === 0 ? '  skip;' : '', '}');
  }
  // Registers of a thread the table lacks (never run) keep their initial value: not modelled.
  L.push(`final never: !(${cond});`);
  if (t.final.quant === 'forall') L.push(`final always: ${cond};`);
  return { text: `${L.filter((s) => s !== '').join('\n')}\n`, arch, forall: t.final.quant === 'forall' };
}

// A register holding a descriptor is kept field by field (globals are scalars): the fields the
// test can set, and the frame.
const PTE_FIELDS = ['valid', 'rdonly', 'dbm', 'af', 'pfn'];
function pteOfGlobals(g: string): string { return `pte { ${PTE_FIELDS.map((f) => `${f}: ${g}_${f}`).join(', ')} }`; }
function pteToGlobals(g: string): string { return PTE_FIELDS.map((f) => `${g}_${f} = o.${f};`).join(' '); }

function condRegsOf(c: Cond, out: Set<string>): void {
  if (c.k === 'and' || c.k === 'or') { condRegsOf(c.a, out); condRegsOf(c.b, out); } else if (c.k === 'not') condRegsOf(c.a, out);
  else if (c.k === 'eq' && c.loc.k === 'reg') out.add(`P${c.loc.thread}_X${c.loc.reg}`);
}

function mentionsFault(c: Cond): boolean {
  switch (c.k) {
    case 'and': case 'or': return mentionsFault(c.a) || mentionsFault(c.b);
    case 'not': return mentionsFault(c.a);
    case 'fault': return true;
    default: return false;
  }
}

function condExpr(c: Cond, sc: Scenario, trs: readonly ThreadTr[]): string {
  switch (c.k) {
    case 'and': return `(${condExpr(c.a, sc, trs)} && ${condExpr(c.b, sc, trs)})`;
    case 'or': return `(${condExpr(c.a, sc, trs)} || ${condExpr(c.b, sc, trs)})`;
    case 'not': return `!${condExpr(c.a, sc, trs)}`;
    case 'true': case 'false': return c.k;
    case 'fault': {
      if (c.kind !== undefined) throw unsupported(c.span, 'a fault kind (MMU:...) in the condition');
      const list = sc.accesses.get(c.thread) ?? [];
      const ks = list.map((a, i) => ({ a, i: i + 1 })).filter(({ a }) => (c.label === undefined || a.labels.includes(c.label)) && (c.name === undefined || a.page === c.name));
      if (c.label !== undefined && !trs.some((tr) => tr.th.id === c.thread)) throw unsupported(c.span, `fault of thread P${c.thread}, not in the table`);
      if (ks.length === 0) return 'false';
      return `(killed(P${c.thread}) && (${ks.map(({ i }) => `at[P${c.thread}] == ${i}`).join(' || ')}))`;
    }
    case 'eq': {
      const l = c.loc;
      if (l.k === 'mem') {
        if (c.value.k !== 'int') throw unsupported(c.value.span, 'comparing data memory with other than a number');
        return `${sc.frame(l.name)}.data == ${sc.int(c.value.n, c.value.span)}`;
      }
      if (l.k === 'pte') {
        if (c.value.k !== 'pte') throw unsupported(c.value.span, 'comparing a page-table entry with other than a descriptor');
        return `ptep_get(${sc.page(l.name)}) == ${sc.pteExpr(withOa(c.value, l.name))}`;
      }
      const tr = trs.find((x) => x.th.id === l.thread);
      if (!tr) throw unsupported(l.span, `register of thread P${l.thread}, not in the table`);
      const s = tr.regs.get(l.reg) ?? { k: 'static', v: { k: 'int', n: 0n } };
      const want = staticOf(c.value);
      if (s.k === 'dyn') {
        const g = tr.name(l.reg);
        if (s.t === 'int' && want.k === 'int') return `${g} == ${sc.int(want.n, c.value.span)}`;
        if (s.t === 'pte' && want.k === 'pte') return `${pteOfGlobals(g)} == ${sc.pteExpr(want.lit)}`;
        throw unsupported(c.value.span, 'comparing a register with a value of another kind');
      }
      return sameStatic(s.v, want, sc) ? 'true' : 'false';
    }
  }
}

function sameStatic(a: Static, b: Static, sc: Scenario): boolean {
  if (a.k !== b.k) return false;
  if (a.k === 'int' && b.k === 'int') return a.n === b.n;
  if (a.k === 'pte' && b.k === 'pte') return sc.pteExpr(a.lit) === sc.pteExpr(b.lit);
  return (a as { name: string }).name === (b as { name: string }).name;
}
