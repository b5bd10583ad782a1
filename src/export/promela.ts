// A checked Model to Promela, for cross-checking the explorer against SPIN. docs/PROMELA.md
// explains every choice; the short version:
//  * one proctype per CPU; each program point is a label, each step one `d_step` wrapped in an
//    `atomic` whose tail jumps (goto) to the next label, so SPIN stores exactly one state per step;
//  * every piece of state is a global (CPU locals as `c<cpu>_l<id>`), plus a mirror `pc<cpu>` of
//    each CPU's program point so that properties can name it;
//  * a step that stops on a built-in violation (overflow, lock_misuse, ...) reports `assert(p<K>)`
//    (property K), restores the state it started from and jumps back to its own label: a
//    self-loop, so it has no successor state, as in the explorer; a failing assert or access
//    property is reported by `assert(p<K>)` where it fails and the step completes;
//  * hardware rules are options of one `do` loop (label `end_hw`), each guarded by "running this
//    rule changes the state (or violates)", computed by symbolic execution of the rule;
//  * invariants, final properties and the lock-only part of `deadlock` are checked after every
//    step (and in the initial states); the rest of `deadlock` is SPIN's invalid end state.
// Generated names come from indexes only; user names appear in comments.
import type { Expr, HardwareRule, Local, LValue, Model, Property, ScalarType, Stmt } from '../ir/model.js';
import { enabledHardware, ruleInstances } from '../ir/rules.js';
import { recordFields, slotTypes, slotWidth, valueRange } from '../ir/types.js';
import { forEachExpr, forEachStmt, forEachStmtExpr, lvalueRoot, someExpr, someStmt, stmtChildren, stmtExprs, stmtTarget } from '../ir/walk.js';
import { Diagnostic, type Span } from '../lang/source.js';
import type { CpuProgram, ProgramGraph } from '../program/graph.js';

const FINISHED = 0;
const RETURN_BASE = -1000;
const DONE = -2;
const FAULT = -3;

export function toPromela(graph: ProgramGraph): string {
  const refused = exportRefusal(graph.model);
  if (refused) throw refused;
  return new Exporter(graph).run();
}

/**
 * The first construct the export cannot translate faithfully, as a located error: frame data
 * values, arm64 barriers and TLBIs (pending invalidations), arm64's relaxed mode. The export
 * refuses rather than drop their meaning; `crosscheck` reports the file as not comparable.
 */
export function exportRefusal(m: Model): Diagnostic | undefined {
  let found: Diagnostic | undefined;
  const say = (span: Span, what: string) => { found ??= new Diagnostic(span, `the Promela export does not support ${what}`, 'SPIN cannot check this scenario; check it with dirtyrace alone'); };
  const exprs = (span: Span, e: Expr) => forEachExpr(e, (x) => {
    if (x.k === 'frameData') say(span, "frame data values (F.data)");
  });
  for (const c of m.cpus) {
    forEachStmt(c.body, (s) => {
      if (s.k === 'access' && s.data) say(s.span, 'data values in accesses (write P = v; read P into a local)');
      if (s.k === 'barrier') say(s.span, `'${s.op}' (arm64 barriers)`);
      if (s.k === 'tlbi') say(s.span, "'tlbi' (pending TLB invalidations)");
      stmtExprs(s).forEach((e) => exprs(s.span, e));
    });
  }
  for (const r of [...m.arch.hardware, m.arch.access.read, m.arch.access.write]) forEachStmtExpr(r.body, (e) => exprs(r.body.span, e));
  for (const p of m.properties) if ('expr' in p) exprs(p.span, p.expr);
  // Promela processes are sequentially consistent; the CLI's export and crosscheck use --memory sc.
  if (m.relaxed) say(m.cpus[0]?.span ?? m.arch.access.read.body.span, "arm64's relaxed memory mode (pending hardware updates, early walks): use --memory sc");
  return found;
}

/** True when no hardware rule can change what `e` reads (so a CPU blocked on `e` stays blocked). */
export function hardwareIndependent(m: Model, e: Expr): boolean {
  const w = hardwareWrites(m);
  return !someExpr(e, (x) => {
    switch (x.k) {
      case 'pteOf': case 'rulePte': return w.pte;
      case 'tlbOf': case 'ruleTlb': return w.tlb;
      case 'global': return w.globals;
      case 'frameVersion': case 'frameFreed': return w.frames;
      default: return false;
    }
  });
}

/** Whether a CPU step at `st` can be disabled, and if so, its enabling condition reads no hardware-written state. */
export function blocksOnlyOnSoftware(m: Model, st: Stmt): boolean {
  switch (st.k) {
    case 'await': return hardwareIndependent(m, st.test);
    case 'atomic': case 'access': return st.guard !== undefined && hardwareIndependent(m, st.guard);
    case 'lock': return ['lock', 'down_read', 'down_write'].includes(st.op) && (!st.page || hardwareIndependent(m, st.page));
    default: return false;
  }
}

function hardwareWrites(m: Model): { pte: boolean; tlb: boolean; globals: boolean; frames: boolean } {
  const w = { pte: false, tlb: false, globals: false, frames: false };
  const note = (l: LValue): void => {
    switch (lvalueRoot(l).k) {
      case 'rulePte': w.pte = true; break;
      case 'ruleTlb': w.tlb = true; break;
      case 'global': w.globals = true; break;
      case 'frameVersion': case 'frameFreed': w.frames = true; break;
      default: break;
    }
  };
  for (const r of [...enabledHardware(m), ...m.interrupts.map((i) => i.rule)]) {
    forEachStmt(r.body, (st) => {
      const target = st.k === 'call' ? st.target : stmtTarget(st);
      if (target) note(target);
      if (st.k === 'setPte') w.pte = true;
      if (st.k === 'flush') w.tlb = true;
    });
  }
  return w;
}

function promelaType(lo: number, hi: number): string {
  if (lo >= 0 && hi <= 255) return 'byte';
  if (lo >= -32768 && hi <= 32767) return 'short';
  return 'int';
}

/** Where expressions are evaluated: which CPU runs, which page a rule runs for, how names read. */
interface Ctx {
  readonly cpu: number;
  readonly rulePage?: number;
  /** Name of a local's storage (field index for records). */
  local(l: Local, field?: number): string;
  /** Symbolic execution: the current value of a storage name, if written. */
  readonly sub?: (name: string) => string | undefined;
}

const comment = (s: string) => s.replace(/\*\//g, '* /').replace(/\s+/g, ' ');

/** Conjunction/disjunction with constant folding (for the symbolic rule guards). */
const and = (a: string, b: string) => (a === '0' || b === '0' ? '0' : a === '1' ? b : b === '1' ? a : `(${a} && ${b})`);
const or = (a: string, b: string) => (a === '1' || b === '1' ? '1' : a === '0' ? b : b === '0' ? a : `(${a} || ${b})`);
const not = (a: string) => (a === '1' ? '0' : a === '0' ? '1' : `(!${a})`);

interface Node {
  readonly pc: number;
  readonly stmt: Stmt;
  readonly scope: readonly string[];
  /** Promela body of the step, set after all nodes exist (targets are known then). */
  code?: string;
}

class Exporter {
  readonly m: Model;
  private readonly out: string[] = [];
  private readonly np: number;
  private readonly propIndex: Map<string, number>;
  private readonly rules: readonly HardwareRule[];
  private readonly tempCount = { n: 0 };
  /** Some handler has `sigsegv;`: the model keeps a killed flag per CPU. */
  private readonly kills: boolean;

  constructor(private readonly graph: ProgramGraph) {
    const m = graph.model;
    this.m = m;
    this.np = m.pages.length;
    this.propIndex = new Map(m.properties.map((p, i) => [p.name, i]));
    this.rules = [...m.arch.hardware, m.arch.access.read, m.arch.access.write];
    this.kills = m.cpus.some((c) => someStmt(c.body, (s) => s.k === 'kill'));
  }

  private prop(name: string): number {
    const i = this.propIndex.get(name);
    if (i === undefined) throw new Error(`internal: no property '${name}'`);
    return i;
  }

  // -------------------------------------------------------------------------------------------
  // Names

  private pte(f: number, page: string): string { return `pte_f${f}[${page}]`; }
  private tlbIndex(cpu: string, page: string): string {
    return /^\d+$/.test(cpu) && /^\d+$/.test(page) ? String(Number(cpu) * this.np + Number(page)) : `(${cpu})*${this.np}+(${page})`;
  }
  private tlb(f: number, cpu: string, page: string): string { return `tlb_f${f}[${this.tlbIndex(cpu, page)}]`; }
  private isRecord(t: { k: string }): boolean { return t.k === 'pte' || t.k === 'tlbe'; }
  private cpuLocal(cpu: number) {
    return (l: Local, field?: number) => (this.isRecord(l.type) ? `c${cpu}_l${l.id}_${field ?? 0}` : `c${cpu}_l${l.id}`);
  }
  private ruleLocal(rule: HardwareRule) {
    const ri = this.rules.indexOf(rule);
    return (l: Local, field?: number) => {
      const i = rule.locals.indexOf(l);
      if (i < 0) throw new Error('internal: local not in rule');
      return this.isRecord(l.type) ? `r${ri}_${i}_${field ?? 0}` : `r${ri}_${i}`;
    };
  }
  private localNames(ctx: Ctx, l: Local): string[] {
    return this.isRecord(l.type) ? Array.from({ length: slotWidth(this.m.arch, l.type) }, (_, f) => ctx.local(l, f)) : [ctx.local(l)];
  }
  private temp(): string { return `t${this.tempCount.n++}`; }

  // -------------------------------------------------------------------------------------------
  // Expressions

  private read(ctx: Ctx, name: string): string { return ctx.sub?.(name) ?? name; }

  /** In symbolic mode, only constant indexes (anything else could alias a written location). */
  private index(ctx: Ctx, e: Expr): string {
    const s = this.sx(ctx, e);
    if (ctx.sub && !/^\d+$/.test(s)) throw new Error('export: a hardware rule reads state at a computed index (not supported)');
    return s;
  }

  sx(ctx: Ctx, e: Expr): string {
    switch (e.k) {
      case 'const': return e.value < 0 ? `(${e.value})` : String(e.value);
      case 'self': return String(ctx.cpu);
      case 'accessCpu': return 'ac_c';
      case 'accessPage': return 'ac_p';
      case 'accessFrame': return 'ac_f';
      case 'local': return this.read(ctx, ctx.local(e.local));
      case 'global': {
        if (!e.index) return this.read(ctx, e.v.indexBy ? `g${e.v.id}[0]` : `g${e.v.id}`);
        return this.read(ctx, `g${e.v.id}[${this.index(ctx, e.index)}]`);
      }
      case 'frameVersion': return this.read(ctx, `ver[${this.index(ctx, e.frame)}]`);
      case 'frameFreed': return this.read(ctx, `frd[${this.index(ctx, e.frame)}]`);
      case 'killed': return this.kills ? this.read(ctx, `kld[${this.index(ctx, e.cpu)}]`) : '0';
      case 'field': return this.rx(ctx, e.target)[e.index]!;
      case 'not': return `(!${this.sx(ctx, e.arg)})`;
      case 'neg': return `(-${this.sx(ctx, e.arg)})`;
      case 'ite': return `(${this.sx(ctx, e.test)} -> ${this.sx(ctx, e.then)} : ${this.sx(ctx, e.else)})`;
      case 'bin': {
        if (e.rec) {
          const a = this.rx(ctx, e.left);
          const b = this.rx(ctx, e.right);
          const eq = `(${a.map((x, i) => `${x} == ${b[i]}`).join(' && ')})`;
          return e.op === '==' ? eq : `(!${eq})`;
        }
        return `(${this.sx(ctx, e.left)} ${e.op} ${this.sx(ctx, e.right)})`;
      }
      case 'record': case 'pteOf': case 'tlbOf': case 'with': case 'rulePte': case 'ruleTlb': throw new Error(`internal: ${e.k} is not a scalar expression`);
      case 'frameData': throw new Error('internal: frame data reached the export (exportRefusal refuses it)');
      case 'cpuTable': {
        // A per-CPU parameter: its value for a known CPU, else a choice on the CPU index.
        const at = e.cpu.k === 'self' ? ctx.cpu : e.cpu.k === 'const' ? e.cpu.value : undefined;
        if (at !== undefined && at >= 0) return String(e.values[at]);
        const i = this.sx(ctx, e.cpu);
        return e.values.slice(0, -1).reduceRight((rest, v, c) => `(${i} == ${c} -> ${v} : ${rest})`, String(e.values[e.values.length - 1]));
      }
    }
  }

  rx(ctx: Ctx, e: Expr): string[] {
    const pf = this.m.arch.pteFields.length;
    const tf = this.m.arch.tlbFields.length;
    switch (e.k) {
      case 'local': return this.localNames(ctx, e.local).map((n) => this.read(ctx, n));
      case 'pteOf': { const p = this.index(ctx, e.page); return Array.from({ length: pf }, (_, f) => this.read(ctx, this.pte(f, p))); }
      case 'tlbOf': {
        const c = this.index(ctx, e.cpu); const p = this.index(ctx, e.page);
        return Array.from({ length: tf }, (_, f) => this.read(ctx, this.tlb(f, c, p)));
      }
      case 'rulePte': return Array.from({ length: pf }, (_, f) => this.read(ctx, this.pte(f, String(ctx.rulePage!))));
      case 'ruleTlb': return Array.from({ length: tf }, (_, f) => this.read(ctx, this.tlb(f, String(ctx.cpu), String(ctx.rulePage!))));
      case 'record': return e.fields.map((f) => this.sx(ctx, f));
      case 'with': {
        const fields = this.rx(ctx, e.target).slice();
        for (const [i, v] of e.sets) fields[i] = this.sx(ctx, v);
        return fields;
      }
      case 'ite': {
        const t = this.sx(ctx, e.test); const a = this.rx(ctx, e.then); const b = this.rx(ctx, e.else);
        return a.map((x, i) => `(${t} -> ${x} : ${b[i]})`);
      }
      case 'const': case 'global': case 'self': case 'frameVersion': case 'frameFreed': case 'frameData': case 'cpuTable': case 'killed': case 'field': case 'not': case 'neg': case 'bin': case 'accessCpu': case 'accessPage': case 'accessFrame': throw new Error(`internal: ${e.k} is not a record expression`);
    }
  }

  /** Storage names an l-value writes, with each name's range (undefined: a whole record, unchecked). */
  private lvalue(ctx: Ctx, lv: LValue): { names: string[]; range?: [number, number] } {
    const m = this.m;
    switch (lv.k) {
      case 'local': {
        const t = lv.local.type;
        if (this.isRecord(t)) return { names: this.localNames(ctx, lv.local) };
        return { names: [ctx.local(lv.local)], range: valueRange(t as ScalarType, m) };
      }
      case 'global':
        return { names: [lv.v.indexBy || lv.index ? `g${lv.v.id}[${lv.index ? this.index(ctx, lv.index) : '0'}]` : `g${lv.v.id}`], range: valueRange(lv.v.type, m) };
      case 'frameVersion': return { names: [`ver[${this.index(ctx, lv.frame)}]`], range: [0, m.maxVersion] };
      case 'frameFreed': return { names: [`frd[${this.index(ctx, lv.frame)}]`], range: [0, 1] };
      case 'rulePte': return { names: m.arch.pteFields.map((_, f) => this.pte(f, String(ctx.rulePage!))) };
      case 'ruleTlb': return { names: m.arch.tlbFields.map((_, f) => this.tlb(f, String(ctx.cpu), String(ctx.rulePage!))) };
      case 'field': {
        const base = this.lvalue(ctx, lv.target).names;
        const fields = recordFields(m.arch, lv.rec);
        return { names: [base[lv.index]!], range: valueRange(fields[lv.index]!.type, m) };
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Statements inside one step (imperative; `st` is the status, as in compile/emit-step.ts inStep)

  /** A store: all values are computed before anything is written (as compileValue does). */
  private store(ctx: Ctx, lv: LValue, value: Expr, ind: string): string[] {
    const { names, range } = this.lvalue(ctx, lv);
    const vals = names.length > 1 ? this.rx(ctx, value) : [this.sx(ctx, value)];
    if (range) {
      const t = this.temp();
      return [`${ind}${t} = ${vals[0]};`,
        `${ind}if :: (${t} < ${range[0]} || ${t} > ${range[1]}) -> st = ${this.prop('overflow') + 1} :: else -> ${names[0]} = ${t} fi;`];
    }
    const temps = vals.map(() => this.temp());
    return [...vals.map((v, i) => `${ind}${temps[i]} = ${v};`), ...names.map((n, i) => `${ind}${n} = ${temps[i]};`)];
  }

  private flush(ctx: Ctx, pages: 'all' | readonly Expr[], local: boolean, ind: string): string[] {
    const cpus = local ? [ctx.cpu] : this.m.cpus.map((c) => c.index);
    const ps = pages === 'all' ? this.m.pages.map((p) => String(p.index)) : pages.map((p) => this.sx(ctx, p));
    const out: string[] = [];
    for (const p of ps) {
      const t = this.temp();
      out.push(`${ind}${t} = ${p};`);
      for (const c of cpus) for (let f = 0; f < this.m.arch.tlbFields.length; f++) out.push(`${ind}${this.tlb(f, String(c), t)} = 0;`);
    }
    return out;
  }

  private setPte(ctx: Ctx, page: Expr, value: Expr, ind: string): string[] {
    const p = this.temp();
    const vals = this.rx(ctx, value);
    const temps = vals.map(() => this.temp());
    return [`${ind}${p} = ${this.sx(ctx, page)};`, ...vals.map((v, i) => `${ind}${temps[i]} = ${v};`),
      ...temps.map((t, f) => `${ind}${this.pte(f, p)} = ${t};`)];
  }

  private clearLocals(ctx: Ctx, locals: readonly Local[], ind: string): string[] {
    return locals.flatMap((l) => this.localNames(ctx, l)).map((n) => `${ind}${n} = 0;`);
  }

  /** Statements in sequence; after one that may set `st`, the rest run only while `st == 0`. */
  private seq(ctx: Ctx, stmts: readonly Stmt[], ind: string): string[] {
    if (!stmts.length) return [];
    const [first, ...rest] = stmts;
    const head = this.inStep(ctx, first!, ind);
    if (!rest.length) return head;
    if (!mayStop(first!)) return [...head, ...this.seq(ctx, rest, ind)];
    const tail = this.seq(ctx, rest, `${ind}  `);
    return [...head, `${ind}if`, `${ind}:: st == 0 ->`, ...(tail.length ? tail : [`${ind}  skip;`]), `${ind}:: else -> skip`, `${ind}fi;`];
  }

  private inStep(ctx: Ctx, st: Stmt, ind: string): string[] {
    switch (st.k) {
      case 'block': case 'atomic':
        return [...this.seq(ctx, st.body, ind), ...this.clearLocals(ctx, st.locals, ind)];
      case 'let': return this.store(ctx, { k: 'local', local: st.local }, st.value, ind);
      case 'assign': return this.store(ctx, st.target, st.value, ind);
      case 'setPte': return this.setPte(ctx, st.page, st.value, ind);
      case 'if': {
        const a = this.inStep(ctx, st.then, `${ind}  `);
        const b = st.else ? this.inStep(ctx, st.else, `${ind}  `) : [];
        return [`${ind}if`, `${ind}:: ${this.sx(ctx, st.test)} ->`, ...(a.length ? a : [`${ind}  skip;`]),
          `${ind}:: else ->`, ...(b.length ? b : [`${ind}  skip;`]), `${ind}fi;`];
      }
      case 'call': {
        const body = this.inStep(ctx, st.body, ind);
        return [...body, `${ind}if :: st == ${RETURN_BASE - st.callId} -> st = 0 :: else -> skip fi;`];
      }
      case 'return': {
        const code = RETURN_BASE - st.callId;
        if (!st.value || !st.target) return [`${ind}st = ${code};`];
        return [...this.store(ctx, st.target, st.value, ind), `${ind}if :: st == 0 -> st = ${code} :: else -> skip fi;`];
      }
      case 'flush': return this.flush(ctx, st.pages, st.local, ind);
      case 'skip': return [];
      case 'done': return [`${ind}st = ${DONE};`];
      case 'fault': return [`${ind}st = ${FAULT};`];
      default: throw new Error(`internal: '${st.k}' cannot run inside one step`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Symbolic execution of a hardware rule: does running it change the state, or violate?

  private ruleGuard(rule: HardwareRule, cpu: number, page: number): string {
    const env = new Map<string, string>();
    const ctx: Ctx = { cpu, rulePage: page, local: this.ruleLocal(rule), sub: (n) => env.get(n) };
    let viol = '0';
    const stateNames = new Set<string>();
    const write = (names: string[], vals: string[], run: string, range?: [number, number]): string => {
      if (range) {
        const bad = `(${vals[0]} < ${range[0]} || ${vals[0]} > ${range[1]})`;
        viol = or(viol, and(run, bad));
        run = and(run, not(bad));
      }
      names.forEach((n, i) => {
        const old = env.get(n) ?? n;
        env.set(n, run === '1' ? vals[i]! : run === '0' ? old : `(${run} -> ${vals[i]} : ${old})`);
        if (!/^r\d/.test(n)) stateNames.add(n);
      });
      return run;
    };
    const rets = new Map<number, string>();
    const exec = (st: Stmt, run: string): string => {
      if (run === '0') return run;
      switch (st.k) {
        case 'block': case 'atomic': for (const s of st.body) run = exec(s, run); return run;
        case 'let': case 'assign': {
          const lv: LValue = st.k === 'let' ? { k: 'local', local: st.local } : st.target;
          const { names, range } = this.lvalue(ctx, lv);
          const vals = names.length > 1 ? this.rx(ctx, st.value) : [this.sx(ctx, st.value)];
          return write(names, vals, run, range);
        }
        case 'if': {
          const t = this.sx(ctx, st.test);
          const a = exec(st.then, and(run, t));
          const b = st.else ? exec(st.else, and(run, not(t))) : and(run, not(t));
          return or(a, b);
        }
        case 'call': {
          rets.set(st.callId, '0');
          const after = exec(st.body, run);
          return or(after, rets.get(st.callId)!);
        }
        case 'return': {
          if (st.value && st.target) {
            const { names, range } = this.lvalue(ctx, st.target);
            const vals = names.length > 1 ? this.rx(ctx, st.value) : [this.sx(ctx, st.value)];
            run = write(names, vals, run, range);
          }
          rets.set(st.callId, or(rets.get(st.callId) ?? '0', run));
          return '0';
        }
        case 'skip': return run;
        case 'done': case 'fault': return '0';
        default: throw new Error(`export: '${st.k}' in a hardware rule is not supported`);
      }
    };
    exec(rule.body, '1');
    const changed = [...stateNames].filter((n) => env.get(n) !== n).map((n) => `${env.get(n)} != ${n}`).reduce((a, b) => or(a, `(${b})`), '0');
    return or(viol, changed);
  }

  // -------------------------------------------------------------------------------------------
  // Programs

  private cpuProgram(program: CpuProgram): string[] {
    const cpu = program.cpu;
    const ctx: Ctx = { cpu: cpu.index, local: this.cpuLocal(cpu.index) };
    const names = (locals: readonly Local[]) => locals.flatMap((l) => this.localNames(ctx, l));
    const nodes = program.points.map((p): Node | undefined => (p ? { pc: p.pc, stmt: p.stmt, scope: names(p.scope) } : undefined));
    const entry = program.entry;
    const returnTo = program.returnTo;
    for (const p of program.points) {
      if (!p) continue;
      const n = nodes[p.pc]!;
      const st = p.stmt;
      const next = p.next;
      if (next.k === 'loop' && st.k === 'while') {
        const counter = ctx.local(st.counter);
        n.code = [
          `if`,
          `:: !${this.sx(ctx, st.test)} -> tg = ${next.exit}`,
          `:: else ->`,
          `  if`,
          `  :: ${counter} >= ${st.bound} -> st = ${this.prop('loop_bound') + 1}`,
          `  :: else -> ${counter} = ${counter} + 1; tg = ${next.body}`,
          `  fi`,
          `fi;`,
        ].join('\n');
      } else if (next.k === 'branch' && st.k === 'if') {
        n.code = `if :: ${this.sx(ctx, st.test)} -> tg = ${next.then} :: else -> tg = ${next.else} fi;`;
      } else if (next.k === 'access' && st.k === 'access') {
        n.code = this.access(ctx, st, p.pc, next.done, next.handled ? next.fault : undefined).join('\n');
      } else if (next.k === 'step') {
        const body = this.step(ctx, st);
        const rets = collectReturns(st).map((id) => `:: st == ${RETURN_BASE - id} -> st = 0; tg = ${returnTo.get(id)!}`);
        n.code = [...body, `if`, `:: st == 0 -> tg = ${next.next}`, ...rets, `:: else -> skip`, `fi;`].join('\n');
      } else {
        throw new Error(`internal: a '${st.k}' point with '${next.k}' successors`);
      }
    }
    this.entries.push(entry);
    this.nodeCount.push(nodes.length);
    this.guardedNodes.push(nodes.flatMap((n) => (n && blocksOnlyOnSoftware(this.m, n.stmt) ? [{ pc: n.pc, enabled: this.enabled(ctx, n.stmt) }] : [])));
    this.endNodes.push(nodes.flatMap((n) => (n?.stmt.validEnd ? [{ pc: n.pc, enabled: this.enabled(ctx, n.stmt) }] : [])));
    // SPIN's own end labels: a process blocked at a label starting with `end` is a valid end state.
    const label = (pc: number) => (nodes[pc]?.stmt.validEnd ? `endN${pc}` : `N${pc}`);

    const c = cpu.index;
    const lines = [`/* CPU ${c}: ${comment(cpu.name)} */`, `proctype cpu${c}() {`];
    const order = [entry, ...nodes.flatMap((n) => (n && n.pc !== entry ? [n.pc] : []))].filter((pc) => pc !== FINISHED);
    for (const pc of order) {
      const n = nodes[pc]!;
      const targets = new Set<number>();
      const code = n.code!;
      for (const mt of code.matchAll(/tg = (\d+)/g)) targets.add(Number(mt[1]));
      const snap = n.stmt.k === 'atomic' || n.stmt.k === 'access';
      const guard = this.enabled(ctx, n.stmt);
      const resolve: string[] = [];
      for (const t of targets) {
        const keep = new Set(t === FINISHED ? [] : nodes[t]!.scope);
        const clear = n.scope.filter((x) => !keep.has(x)).map((x) => `${x} = 0; `).join('');
        resolve.push(`  :: tg == ${t} -> ${clear}pc${c} = ${t}; nx${c} = ${t}; post()`);
      }
      lines.push(
        `${label(pc)}: /* ${comment(stmtText(n.stmt))} */`,
        `  if :: atomic { d_step { ${guard} ->`,
        `    st = 0; tg = -1;${snap ? ` snap${c}();` : ''}`,
        ...indentLines(code, '    '),
        `    if`,
        `    :: st > 0 ->${snap ? ` restore${c}();` : ''} report(); nx${c} = ${pc}`,
        ...resolve.map((r) => `  ${r}`),
        `    fi`,
        `  };`,
        `  if`,
        ...[...targets, pc].filter((t, i, a) => a.indexOf(t) === i).map((t) => `  :: nx${c} == ${t} -> nx${c} = 0; goto ${t === FINISHED ? 'end_fin' : label(t)}`),
        `  fi } fi;`,
      );
    }
    lines.push('end_fin: (0)', '}');
    return lines;
  }

  /** The enabling condition of a step, in the state before it (true for steps never disabled). */
  private enabled(ctx: Ctx, st: Stmt): string {
    switch (st.k) {
      case 'await': return this.sx(ctx, st.test);
      case 'atomic': case 'access': return st.guard ? this.sx(ctx, st.guard) : '1';
      case 'lock': {
        const at = st.page ? this.sx(ctx, st.page) : '0';
        const id = st.lock.id;
        switch (st.op) {
          case 'lock': return `(lk${id}[${at}] == 0)`;
          case 'down_read': return `(lkw${id}[${at}] == 0)`;
          case 'down_write': return `(lkw${id}[${at}] == 0 && lkr${id}[${at}] == 0)`;
          default: return '1';
        }
      }
      default: return '1';
    }
  }

  /** The effect of a simple step (compile/program.ts simpleStep), setting `st`. */
  private step(ctx: Ctx, st: Stmt): string[] {
    switch (st.k) {
      case 'let': return this.store(ctx, { k: 'local', local: st.local }, st.value, '');
      case 'assign': return this.store(ctx, st.target, st.value, '');
      case 'setPte': return this.setPte(ctx, st.page, st.value, '');
      // A discarded result (`probe(P);`): still one step, nothing stored (compile/program.ts).
      case 'return': return st.target ? this.store(ctx, st.target, st.value!, '') : [];
      case 'atomic': return this.inStep(ctx, { ...st, k: 'block' } as Stmt, '');
      case 'await': return [];
      // A failing assert is reported and the step completes (monitors.ts): no restore.
      case 'assert': return [`if :: !${this.sx(ctx, st.test)} -> assert(p${this.prop(st.name)}) :: else -> skip fi;`];
      case 'flush': return this.flush(ctx, st.pages, st.local, '');
      case 'skip': return [];
      // A fatal fault: the CPU is killed; the program graph sends it to its end.
      case 'kill': return [`kld[${ctx.cpu}] = 1;`];
      case 'lock': {
        const at = this.temp();
        const id = st.lock.id;
        const me = ctx.cpu + 1;
        const bit = 1 << ctx.cpu;
        const misuse = this.prop('lock_misuse') + 1;
        const head = `${at} = ${st.page ? this.sx(ctx, st.page) : '0'};`;
        switch (st.op) {
          case 'lock': return [head, `lk${id}[${at}] = ${me};`];
          case 'unlock': return [head, `if :: lk${id}[${at}] != ${me} -> st = ${misuse} :: else -> lk${id}[${at}] = 0 fi;`];
          case 'down_read': return [head, `if :: (lkr${id}[${at}] & ${bit}) != 0 -> st = ${misuse} :: else -> lkr${id}[${at}] = lkr${id}[${at}] | ${bit} fi;`];
          case 'up_read': return [head, `if :: (lkr${id}[${at}] & ${bit}) == 0 -> st = ${misuse} :: else -> lkr${id}[${at}] = lkr${id}[${at}] - ${bit} fi;`];
          case 'down_write': return [head, `lkw${id}[${at}] = ${me};`];
          case 'up_write': return [head, `if :: lkw${id}[${at}] != ${me} -> st = ${misuse} :: else -> lkw${id}[${at}] = 0 fi;`];
          case 'downgrade_write': return [head, `if :: lkw${id}[${at}] != ${me} -> st = ${misuse} :: else -> lkw${id}[${at}] = 0; lkr${id}[${at}] = lkr${id}[${at}] | ${bit} fi;`];
        }
      }
      // falls through (unreachable)
      default: throw new Error(`internal: no step for '${st.k}'`);
    }
  }

  /** An access step (compile/program.ts accessCode). */
  private access(ctx: Ctx, st: Stmt & { k: 'access' }, self: number, next: number, handler: number | undefined): string[] {
    const m = this.m;
    const rule = m.arch.access[st.access];
    const c = ctx.cpu;
    const out = [`ac_p = ${this.sx(ctx, st.page)};`, 'if'];
    for (const p of m.pages) {
      const rctx: Ctx = { cpu: c, rulePage: p.index, local: this.ruleLocal(rule) };
      const body = this.inStep(rctx, rule.body, '  ');
      out.push(`:: ac_p == ${p.index} ->`, ...(body.length ? body : ['  skip;']));
    }
    out.push('fi;');
    const valid = `tlb_f0[${this.tlbIndex(String(c), 'ac_p')}]`;
    const pfn = `tlb_f${m.arch.tlbPfn}[${this.tlbIndex(String(c), 'ac_p')}]`;
    const props = m.properties.flatMap((pr, i) => (pr.kind === 'access' && pr.access === st.access ? [{ pr, i }] : []));
    const pctx: Ctx = { cpu: -1, local: () => { throw new Error('internal: local in property'); } };
    // A broken access property is reported and the access completes (monitors.ts), unless it
    // already stopped on overflow.
    const checks = props.map(({ pr, i }) => `  if :: st == 0 && !${this.sx(pctx, (pr as Property & { kind: 'access' }).expr)} -> assert(p${i}) :: else -> skip fi;`);
    // `expect fault`: completing is the violation.
    if (st.expectFault) checks.push(`  if :: st == 0 -> assert(p${this.prop(st.expectFault)}) :: else -> skip fi;`);
    out.push(
      'if',
      `:: st == ${FAULT} -> ${handler === undefined ? `st = ${this.prop('unhandled_fault') + 1}` : `st = 0; tg = ${handler}`}`,
      `:: st == ${DONE} ->`,
      '  st = 0;',
      `  if :: !${valid} -> st = ${this.prop('no_translation') + 1} :: else -> skip fi;`,
      '  if',
      '  :: st == 0 ->',
      `    ac_f = ${pfn}; ac_c = ${c};`,
      ...(st.access === 'write' ? [`    if :: ver[ac_f] >= ${m.maxVersion} -> st = ${this.prop('overflow') + 1} :: else -> ver[ac_f] = ver[ac_f] + 1 fi;`] : []),
      ...checks.map((x) => `  ${x}`),
      `    if :: st == 0 -> tg = ${next} :: else -> skip fi`,
      '  :: else -> skip',
      '  fi',
      // The rule fell off its end: the explorer keeps the effects and the program point.
      `:: st == 0 -> tg = ${self}`,
      ':: else -> skip',
      'fi;',
    );
    return out;
  }

  private readonly entries: number[] = [];
  private readonly nodeCount: number[] = [];
  private readonly guardedNodes: { pc: number; enabled: string }[][] = [];
  /** Per CPU: its valid end points (`end...:` labels) and when each is enabled. */
  private readonly endNodes: { pc: number; enabled: string }[][] = [];

  // -------------------------------------------------------------------------------------------
  // The whole file

  run(): string {
    const m = this.m;
    const o = this.out;
    // Programs first (they fill in entries, guards and temporaries), then the declarations.
    const programs = this.graph.cpus.map((p) => this.cpuProgram(p));
    const hw = this.hardware();
    const pf = m.arch.pteFields;
    const tf = m.arch.tlbFields;
    o.push(`/* dirtyrace export of ${comment(m.file)} (architecture ${comment(m.arch.name)}).`,
      `   Run: spin -o1 -o2 -o3 -a FILE && gcc -DSAFETY -DNOREDUCE -o pan pan.c && ./pan -c0 -n`,
      '   See docs/PROMELA.md for how this maps to the dirtyrace semantics. */', '');
    o.push('/* Properties: assert(pK) reports property K. */');
    m.properties.forEach((p, i) => o.push(`hidden byte p${i}; /* ${p.kind} ${comment(p.name)} */`));
    o.push('', '/* PTE fields, one array per field, indexed by page */');
    pf.forEach((f, i) => {
      const [lo, hi] = valueRange(f.type, m);
      o.push(`${promelaType(lo, hi)} pte_f${i}[${m.pages.length}]; /* ${comment(f.name)} */`);
    });
    o.push('/* TLB entry fields, indexed by cpu * pages + page; field 0 is valid */');
    tf.forEach((f, i) => {
      const [lo, hi] = valueRange(f.type, m);
      o.push(`${promelaType(lo, hi)} tlb_f${i}[${m.cpus.length * m.pages.length}]; /* ${comment(f.name)} */`);
    });
    o.push(`${promelaType(0, m.maxVersion)} ver[${m.frames.length}]; /* frame versions */`, `byte frd[${m.frames.length}]; /* frame freed flags */`);
    if (this.kills) o.push(`byte kld[${m.cpus.length}]; /* CPUs killed by a fatal fault (sigsegv) */`);
    for (const g of m.globals) {
      const [lo, hi] = valueRange(g.type, m);
      const arr = g.indexBy ? `[${g.init.length}]` : '';
      o.push(`${promelaType(lo, hi)} g${g.id}${arr}; /* ${g.ghost ? 'ghost ' : ''}${comment(g.name)} */`);
    }
    for (const l of m.locks) {
      const n = l.perPage ? m.pages.length : 1;
      if (l.kind === 'spinlock') o.push(`byte lk${l.id}[${n}]; /* spinlock ${comment(l.name)}: owner cpu + 1 */`);
      else o.push(`byte lkw${l.id}[${n}]; byte lkr${l.id}[${n}]; /* rwsem ${comment(l.name)}: writer + 1, reader bitmask */`);
    }
    const cpuLocalDecls: string[][] = [];
    for (const c of m.cpus) {
      const ctx: Ctx = { cpu: c.index, local: this.cpuLocal(c.index) };
      cpuLocalDecls.push(c.locals.flatMap((l) => this.localNames(ctx, l)));
      o.push(`/* CPU ${c.index} (${comment(c.name)}): program point (0 = finished), goto selector, locals */`);
      o.push(`${promelaType(0, this.nodeCount[c.index]!)} pc${c.index}; ${promelaType(0, this.nodeCount[c.index]!)} nx${c.index};`);
      c.locals.forEach((l) => {
        const names = this.localNames(ctx, l);
        const types = slotTypes(m.arch, l.type).map((t) => valueRange(t, m));
        o.push(`${names.map((n, i) => `${promelaType(types[i]![0], types[i]![1])} ${n};`).join(' ')} /* ${comment(l.name)} */`);
      });
    }

    const hidden: string[] = ['', '/* Scratch, not part of the state: status, target, temporaries, access registers, rule locals */',
      'hidden int st; hidden int tg; hidden int ac_p, ac_f, ac_c;'];
    for (let i = 0; i < this.tempCount.n; i++) hidden.push(`hidden int t${i};`);
    this.rules.forEach((r) => {
      const loc = this.ruleLocal(r);
      for (const l of r.locals) {
        const ctx: Ctx = { cpu: 0, local: loc };
        for (const n of this.localNames(ctx, l)) hidden.push(`hidden int ${n};`);
      }
    });
    // Snapshot/restore: the whole state for a step that may be undone.
    const stateNames = this.stateNames(cpuLocalDecls);
    hidden.push(...stateNames.all.map((n) => `hidden int s_${n.replace(/\[(\d+)\]/, '_$1')};`));
    o.push(...hidden, '');
    o.push(...m.cpus.map((c) => [
      `inline snap${c.index}() { ${stateNames.forCpu(c.index).map((n) => `s_${flat(n)} = ${n};`).join(' ')} }`,
      `inline restore${c.index}() { ${stateNames.forCpu(c.index).map((n) => `${n} = s_${flat(n)};`).join(' ')} }`,
    ].join('\n')));
    o.push(`inline snaphw() { ${stateNames.shared.map((n) => `s_${flat(n)} = ${n};`).join(' ')} }`);
    o.push(`inline restorehw() { ${stateNames.shared.map((n) => `${n} = s_${flat(n)};`).join(' ')} }`);
    o.push('', '/* A violating step: st = property index + 1 */', 'inline report() {', '  if');
    m.properties.forEach((_, i) => o.push(`  :: st == ${i + 1} -> assert(p${i})`));
    o.push('  :: else -> skip', '  fi', '}', '');
    o.push(...this.post(), '');
    for (const p of programs) o.push(...p, '');
    o.push(...hw, '');
    o.push(...this.init());
    return `${o.join('\n')}\n`;
  }

  private stateNames(cpuLocals: string[][]): { all: string[]; shared: string[]; forCpu(c: number): string[] } {
    const m = this.m;
    const shared: string[] = [];
    const arr = (name: string, n: number) => { for (let i = 0; i < n; i++) shared.push(`${name}[${i}]`); };
    m.arch.pteFields.forEach((_, f) => arr(`pte_f${f}`, m.pages.length));
    m.arch.tlbFields.forEach((_, f) => arr(`tlb_f${f}`, m.cpus.length * m.pages.length));
    arr('ver', m.frames.length);
    arr('frd', m.frames.length);
    for (const g of m.globals) { if (g.indexBy) arr(`g${g.id}`, g.init.length); else shared.push(`g${g.id}`); }
    for (const l of m.locks) {
      const n = l.perPage ? m.pages.length : 1;
      if (l.kind === 'spinlock') arr(`lk${l.id}`, n); else { arr(`lkw${l.id}`, n); arr(`lkr${l.id}`, n); }
    }
    return { all: [...shared, ...cpuLocals.flat()], shared, forCpu: (c) => [...shared, ...cpuLocals[c]!] };
  }

  /** Checks made in every state a step reaches (and in the initial states). */
  private post(): string[] {
    const m = this.m;
    const pctx: Ctx = { cpu: -1, local: () => { throw new Error('internal: local in property'); } };
    const out = ['inline post() {'];
    m.properties.forEach((p, i) => {
      if (p.kind === 'invariant') out.push(`  if :: !${this.sx(pctx, p.expr)} -> assert(p${i}) :: else -> skip fi;`);
      // A cover goal: SPIN's "violation" is a state that reaches it (the witness).
      if (p.kind === 'cover') out.push(`  if :: ${this.sx(pctx, p.expr)} -> assert(p${i}) :: else -> skip fi;`);
    });
    // Finished: every CPU at its end, or blocked at a valid end point (compile/program.ts finishedSource).
    const finished = m.cpus.map((c) => `(pc${c.index} == 0${this.endNodes[c.index]!.map((e) => ` || (pc${c.index} == ${e.pc} && !${e.enabled})`).join('')})`).join(' && ') || '1';
    const finals = m.properties.flatMap((p, i) => (p.kind === 'final' ? [`    if :: !${this.sx(pctx, p.expr)} -> assert(p${i}) :: else -> skip fi;`] : []));
    if (finals.length) out.push(`  if`, `  :: ${finished} ->`, ...finals, `  :: else -> skip`, `  fi;`);
    // Every unfinished CPU waits on a lock or a condition no hardware step can change.
    const blocked = m.cpus.map((c) => {
      const g = this.guardedNodes[c.index]!;
      const waits = g.map((n) => `(pc${c.index} == ${n.pc} && !${n.enabled})`);
      return `(pc${c.index} == 0${waits.map((w) => ` || ${w}`).join('')})`;
    });
    if (m.cpus.length) out.push(`  if :: ${blocked.join(' && ')} && !(${finished}) -> assert(p${this.prop('deadlock')}) :: else -> skip fi;`);
    out.push('  skip', '}');
    return out;
  }

  private hardware(): string[] {
    const m = this.m;
    const opts: string[] = [];
    for (const { rule, cpu, page, interrupt } of ruleInstances(m)) {
      const ctx: Ctx = { cpu, rulePage: page, local: this.ruleLocal(rule) };
      // A delivery always clears its pending flag, so it changes the state exactly when its
      // test (pending[self] && GUARD) holds.
      const guard = interrupt ? this.sx(ctx, (rule.body as Stmt & { k: 'if' }).test) : this.ruleGuard(rule, cpu, page);
      if (guard === '0') continue;
      const body = this.inStep(ctx, rule.body, '      ');
      opts.push(`  :: d_step { /* ${interrupt ? `cpu ${cpu} takes interrupt ${comment(rule.name)}` : `${comment(rule.name)} on cpu ${cpu}, page ${page}`} */`,
        `      ${guard} ->`,
        '      st = 0; snaphw();',
        ...body,
        '      if :: st > 0 -> restorehw(); report() :: else -> post() fi',
        '    }');
    }
    if (!opts.length) return ['/* No hardware step can change the state. */'];
    // An interrupt delivery is one of them: CPU c running the handler in one step (docs/PROMELA.md).
    return ['/* Spontaneous hardware steps: each (rule, cpu, page), and each interrupt delivery, whenever it changes the state */',
      'proctype hw() {', 'end_hw:', '  do', ...opts, '  od', '}'];
  }

  private init(): string[] {
    const m = this.m;
    const lines = ['init {', '  atomic {'];
    const choose = (name: string, v: number | undefined, t: ScalarType) => {
      if (v !== undefined) { if (v !== 0) lines.push(`    ${name} = ${v};`); return; }
      const [lo, hi] = valueRange(t, m);
      const opts = [];
      for (let x = lo; x <= hi; x++) opts.push(`:: ${name} = ${x}`);
      lines.push(`    if ${opts.join(' ')} fi;`);
    };
    for (const g of m.globals) g.init.forEach((v, i) => choose(g.indexBy ? `g${g.id}[${i}]` : `g${g.id}`, v, g.type));
    for (const p of m.pages) p.init.forEach((v, f) => choose(this.pte(f, String(p.index)), v, m.arch.pteFields[f]!.type));
    m.cpus.forEach((c) => lines.push(`    pc${c.index} = ${this.entries[c.index]};`));
    lines.push('    post();');
    m.cpus.forEach((c) => lines.push(`    run cpu${c.index}();`));
    if (this.hasHw()) lines.push('    run hw();');
    lines.push('  }', '}');
    return lines;
  }

  private hasHw(): boolean {
    return ruleInstances(this.m).some((r) => r.interrupt !== undefined || this.ruleGuard(r.rule, r.cpu, r.page) !== '0');
  }
}

function flat(n: string): string { return n.replace(/\[(\d+)\]/, '_$1'); }

function indentLines(code: string, ind: string): string[] {
  return code.split('\n').map((l) => `${ind}${l}`);
}

/** Whether a statement may leave `st` non-zero (a violation, a return, done or fault). */
function mayStop(st: Stmt): boolean {
  switch (st.k) {
    case 'skip': case 'flush': case 'setPte': return false;
    case 'block': case 'atomic': case 'if': return stmtChildren(st).some(mayStop);
    default: return true;
  }
}

/** Calls left by `return` statements inside a step (an atomic block), outermost first. */
function collectReturns(st: Stmt): number[] {
  if (st.k !== 'atomic') return [];
  const inner = new Set<number>();
  const out: number[] = [];
  forEachStmt(st, (s) => {
    if (s.k === 'call') inner.add(s.callId);
    else if (s.k === 'return' && !inner.has(s.callId) && !out.includes(s.callId)) out.push(s.callId);
  });
  return out;
}

function stmtText(st: Stmt): string {
  return `${st.k} at ${st.span.file.path}:${st.span.start}`;
}
