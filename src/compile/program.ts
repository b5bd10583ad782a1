// One CPU's program points (src/program) to generated JavaScript: one `switch` over the program
// counter (pc 0 = finished), one case per point.
import type { DataAccess, HardwareRule, Local, Model, Property, Stmt } from '../ir/model.js';
import { slotWidth } from '../ir/types.js';
import { FINISHED, type CpuProgram, type ProgramPoint } from '../program/graph.js';
import { scalar, type EmitEnv } from './emit-expr.js';
import { clearCode, DISABLED, DONE, dsbCode, FAULT, flush, inStep, localsWithin, OK, store, storePte, tlbiCode, values, lvalueType, type StepCtx } from './emit-step.js';
import { acquiresLock, fullBarrier, isAcquire, isRelease, ordersEarlierStores, ordersLaterLoads } from '../ir/model.js';
import { earlyLoadable } from '../ir/rules.js';
import { someStmt } from '../ir/walk.js';
import { commitPageStoreCode, commitPteStoresCode, commitStoresCode, contextSyncCode, dropFrameReadsCode, dropMarkedReadCode, dropReadsCode, forwardCode } from './relaxed.js';
import { earlySlot, readSlot, storeSlot } from './layout.js';
import type { Layout } from './layout.js';

export interface ProgramContext {
  readonly m: Model;
  readonly l: Layout;
  violation(name: string): number;
  /**
   * JS statement recording that the step broke property `name` (an assert or an access
   * property) without stopping it: the step completes and the search goes on from its result.
   */
  stepFailure(name: string): string;
  /** JS text naming access rule `kind` for this CPU and page `p` (a JS expression). */
  accessRule(kind: 'read' | 'write', page: string): string;
  /** Relaxed mode: the early-walk target number of this CPU's access statement `id` (src/program/early-walks.ts). */
  walkTarget(id: number): number;
}

let uniq = 0;

/**
 * `function (A, F) { return function step(s) { ... } }`: A holds the access-rule functions, F is
 * the register of broken step properties (TransitionSystem.stepFailures).
 */
export function programSource(ctx: ProgramContext, program: CpuProgram): string {
  const { m, l } = ctx;
  const cpu = program.cpu;
  const cl = l.cpus[cpu.index]!;
  const pcSlot = cl.pc;
  const env = cpuEnv(m, l, cpu.index);
  const slotsOf = (locals: readonly Local[]) => locals.flatMap((lc) => Array.from({ length: slotWidth(m.arch, lc.type) }, (_, i) => cl.localSlot[lc.id]! + i));
  const scopes = program.points.map((p) => (p ? slotsOf(p.scope) : []));
  const fresh = () => `v${uniq++}`;

  /** Move to `to`: locals in scope here but not there are dropped, so they do not split states. */
  const jump = (from: ProgramPoint, to: number) => {
    const keep = new Set(to === FINISHED ? [] : scopes[to]!);
    return `${scopes[from.pc]!.filter((x) => !keep.has(x)).map((x) => `s[${x}] = 0;`).join(' ')} s[${pcSlot}] = ${to};`;
  };
  const stepCtx = (p: ProgramPoint, innerLocals: readonly Local[]): StepCtx => ({
    env, innerCalls: new Set(), fresh, violation: ctx.violation, savedState: p.stmt.k !== 'setPte' && storesPte(m, p.stmt) ? 'S0' : undefined,
    exitCall: (callId) => `${clearCode(env, innerLocals)} ${jump(p, program.returnTo.get(callId)!)} return ${OK};`,
  });
  const code = (p: ProgramPoint): string => {
    const st = p.stmt;
    const next = p.next;
    switch (next.k) {
      case 'loop': {
        if (st.k !== 'while') break;
        const counter = cl.localSlot[st.counter.id]!;
        return `if (!${scalar(env, st.test)}) { ${jump(p, next.exit)} return ${OK}; }
          if (s[${counter}] >= ${st.bound}) return ${ctx.violation('loop_bound')};
          s[${counter}]++; ${jump(p, next.body)} return ${OK};`;
      }
      case 'branch':
        if (st.k !== 'if') break;
        return `if (${scalar(env, st.test)}) { ${jump(p, next.then)} } else { ${jump(p, next.else)} } return ${OK};`;
      case 'access':
        if (st.k !== 'access') break;
        return accessCode(ctx, stepCtx(p, []), st, jump(p, next.done), next.handled ? jump(p, next.fault) : undefined);
      case 'step': {
        const sc = stepCtx(p, localsWithin(st));
        return `${sc.savedState ? `const ${sc.savedState} = s.slice(); ` : ''}${simpleStep(ctx, sc, st, jump(p, next.next))}`;
      }
    }
    throw new Error(`internal: a '${st.k}' point with '${next.k}' successors`);
  };

  const cases = program.points.flatMap((p) => (p ? [`case ${p.pc}: { ${code(p)} }`] : []));
  return `return function step(s) {\n  switch (s[${pcSlot}]) {\n${cases.join('\n')}\n  }\n  return ${DISABLED};\n};`;
}

/** Relaxed mode: whether a step (with what runs inside it) stores a PTE, so may have to wait. */
export function storesPte(m: Model, st: Stmt): boolean {
  return m.relaxed && st.k !== 'if' && st.k !== 'while' && st.k !== 'access' && someStmt(st, (x) => x.k === 'setPte');
}

/** Expressions of CPU `cpu`'s program: its locals live in its slots. */
function cpuEnv(m: Model, l: Layout, cpu: number): EmitEnv {
  const cl = l.cpus[cpu]!;
  return { m, l, cpu, ownPte: true, local: (lc) => ({ kind: 'slot', at: cl.localSlot[lc.id]! }) };
}

/**
 * JS test over `s`: the CPU has finished, or waits at a valid end point (an `end...:` label,
 * Stmt.validEnd) whose step is disabled.
 */
export function finishedSource(m: Model, l: Layout, program: CpuProgram): string {
  const env = cpuEnv(m, l, program.cpu.index);
  const pc = l.cpus[program.cpu.index]!.pc;
  const ends = program.points.flatMap((p) => (p?.stmt.validEnd ? [`(s[${pc}] === ${p.pc} && !(${enabledCode(env, p.stmt)}))`] : []));
  return [`s[${pc}] === ${FINISHED}`, ...ends].join(' || ');
}

/** Whether a step that can block is enabled (the tests its generated code makes before acting). */
function enabledCode(env: EmitEnv, st: Stmt): string {
  switch (st.k) {
    case 'await': return scalar(env, st.test);
    case 'atomic': case 'access': return st.guard ? scalar(env, st.guard) : 'true';
    case 'lock': {
      const width = env.l.lockWidth[st.lock.id]!;
      const base = env.l.lockSlot[st.lock.id]!;
      const at = st.page ? `${base} + (${scalar(env, st.page)}) * ${width}` : String(base);
      if (st.op === 'down_write') return `(s[${at}] === 0 && s[${at} + 1] === 0)`;
      return st.op === 'lock' || st.op === 'down_read' ? `s[${at}] === 0` : 'true';
    }
    default: return 'true';
  }
}

/** A step that is neither control flow nor an access: its effect, then the jump. */
function simpleStep(ctx: ProgramContext, sc: StepCtx, st: Stmt, go: string): string {
  const { env } = sc;
  const done = `${go} return ${OK};`;
  switch (st.k) {
    case 'let': return `${store(sc, { k: 'local', local: st.local }, values(env, st.value, st.local.type))} ${done}`;
    case 'assign': return `${store(sc, st.target, values(env, st.value, lvalueType(env, st.target)))} ${done}`;
    // `probe(P);` discards a value-returning procedure's result: its `return e;` is still one step.
    case 'return': return st.target ? `${store(sc, st.target, values(env, st.value!, lvalueType(env, st.target)))} ${done}` : done;
    case 'setPte': return `${storePte(sc, st.page, st.value, true)} ${done}`;
    case 'atomic': {
      const guard = st.guard ? `if (!${scalar(env, st.guard)}) return ${DISABLED}; ` : '';
      return `${guard}{ ${st.body.map((b) => inStep(sc, b)).join(' ')} } ${clearCode(env, localsWithin(st))} ${done}`;
    }
    case 'await': return `if (!${scalar(env, st.test)}) return ${DISABLED}; ${done}`;
    case 'assert': return `if (!${scalar(env, st.test)}) { ${ctx.stepFailure(st.name)} } ${done}`;
    case 'flush': return `${flush(env, st.pages, st.local, sc.fresh)} ${done}`;
    case 'tlbi': return `${tlbiCode(env, st.pages, st.broadcast, sc.fresh)} ${done}`;
    // A full DSB completes TLBIs (and, relaxed, hardware updates); an ISB drops early walks
    // (relaxed). DMB and the other DSBs order nothing the model can observe.
    // Relaxed: a barrier that orders later loads drops the CPU's early reads; one that orders
    // earlier stores writes its pending stores.
    case 'barrier': {
      const stores = ordersEarlierStores(st.op, st.option) ? `${commitStoresCode(env.m, env.l, env.cpu)} ${commitPteStoresCode(env.m, env.l, env.cpu)}` : '';
      const reads = `${stores} ${ordersLaterLoads(st.op, st.option) ? dropReadsCode(env.m, env.l, env.cpu) : ''}`;
      if (st.op === 'dsb' && fullBarrier(st.option)) return `${dsbCode(env)} ${reads} ${done}`;
      return st.op === 'isb' ? `${contextSyncCode(env.m, env.l, env.cpu)} ${done}` : `${reads} ${done}`;
    }
    case 'skip': return done;
    // A fatal fault: the CPU is killed and its program ends (its locals are dropped by the jump).
    case 'kill': return `s[${env.l.killedBase + env.cpu}] = 1; ${done}`;
    // Relaxed: taking a lock is an acquire (the CPU's early reads are dropped), releasing it a
    // release (its pending stores are written first).
    case 'lock': return `${lockCode(ctx, env, st, sc.fresh)} ${acquiresLock(st.op) ? dropReadsCode(env.m, env.l, env.cpu) : `${commitStoresCode(env.m, env.l, env.cpu)} ${commitPteStoresCode(env.m, env.l, env.cpu)}`} ${done}`;
    default: throw new Error(`internal: no step for '${st.k}'`);
  }
}

function lockCode(ctx: ProgramContext, env: EmitEnv, st: Stmt & { k: 'lock' }, fresh: () => string): string {
  const { l } = env;
  const width = l.lockWidth[st.lock.id]!;
  const base = l.lockSlot[st.lock.id]!;
  const a = fresh();
  const at = `const ${a} = ${st.page ? `${base} + (${scalar(env, st.page)}) * ${width}` : base};`;
  const me = env.cpu + 1;
  const bit = 1 << env.cpu;
  const misuse = ctx.violation('lock_misuse');
  switch (st.op) {
    case 'lock': return `${at} if (s[${a}] !== 0) return ${DISABLED}; s[${a}] = ${me};`;
    case 'unlock': return `${at} if (s[${a}] !== ${me}) return ${misuse}; s[${a}] = 0;`;
    case 'down_read': return `${at} if (s[${a}] !== 0) return ${DISABLED}; if (s[${a} + 1] & ${bit}) return ${misuse}; s[${a} + 1] |= ${bit};`;
    case 'up_read': return `${at} if (!(s[${a} + 1] & ${bit})) return ${misuse}; s[${a} + 1] &= ${~bit};`;
    case 'down_write': return `${at} if (s[${a}] !== 0 || s[${a} + 1] !== 0) return ${DISABLED}; s[${a}] = ${me};`;
    case 'up_write': return `${at} if (s[${a}] !== ${me}) return ${misuse}; s[${a}] = 0;`;
    // downgrade_write (mmap_write_downgrade): the writer becomes a reader in the same step.
    case 'downgrade_write': return `${at} if (s[${a}] !== ${me}) return ${misuse}; s[${a}] = 0; s[${a} + 1] |= ${bit};`;
  }
}

function accessCode(ctx: ProgramContext, sc: StepCtx, st: Stmt & { k: 'access' }, next: string, handler: string | undefined): string {
  const { env, fresh } = sc;
  const { l, m } = env;
  const [p, r, e, f] = [fresh(), fresh(), fresh(), fresh()];
  const props = m.properties.filter((prop): prop is Property & { kind: 'access' } => prop.kind === 'access' && prop.access === st.access);
  const propEnv: EmitEnv = { ...env, access: [String(env.cpu), p, f] };
  const n = m.pages.length;
  const checks = [
    ...props.map((prop) => `if (!${scalar(propEnv, prop.expr)}) { ${ctx.stepFailure(prop.name)} }`),
    st.expectFault ? ctx.stepFailure(st.expectFault) : '',
  ];
  return [
    // A gated access: the guard is tested in the access's own step.
    st.guard ? `if (!${scalar(env, st.guard)}) return ${DISABLED};` : '',
    `const ${p} = ${scalar(env, st.page)};`,
    m.relaxed ? earlyLoadCode(sc, st, ctx.walkTarget(st.id), p, f, [...checks, next]) : '',
    // Relaxed: an early walk held for this access point is its walk: it faults (an exception entry).
    m.relaxed
      ? `let ${r}; if (s[${earlySlot(l, n, env.cpu, 0)} + ${p}] === ${ctx.walkTarget(st.id)}) { ${contextSyncCode(m, l, env.cpu)} ${r} = ${FAULT}; } else ${r} = ${ctx.accessRule(st.access, p)}(s);`
      : `const ${r} = ${ctx.accessRule(st.access, p)}(s);`,
    `if (${r} === ${FAULT}) { ${handler === undefined ? `return ${ctx.violation('unhandled_fault')};` : `${handler} return ${OK};`} }`,
    `if (${r} !== ${DONE}) return ${r};`,
    // Relaxed: a release or an acquire writes the CPU's pending PTE stores first (its data stores: relaxedDataCode).
    isAcquire(st.order) || isRelease(st.order) ? commitPteStoresCode(m, l, env.cpu) : '',
    `const ${e} = ${l.tlbBase} + (${env.cpu * n} + ${p}) * ${l.tlbWidth};`,
    `if (s[${e}] === 0) return ${ctx.violation('no_translation')};`,
    `const ${f} = s[${e} + ${m.arch.tlbPfn}];`,
    st.access === 'write' ? `if (s[${l.versionBase} + ${f}] >= ${m.maxVersion}) return ${ctx.violation('overflow')}; s[${l.versionBase} + ${f}]++;` : '',
    st.data ? relaxedDataCode(sc, st, p, f) : '',
    // Relaxed: what this access makes the CPU's early reads (coherence; an acquire orders later loads).
    st.data ? dropFrameReadsCode(m, l, env.cpu, f) : '',
    // Relaxed: an early read of the page held across a completed TLBI is dropped (markPageReadCode).
    dropMarkedReadCode(m, l, env.cpu, p),
    isAcquire(st.order) ? dropReadsCode(m, l, env.cpu) : '',
    ...checks,
    `${next} return ${OK};`,
  ].join('\n    ');
}

/**
 * Relaxed mode, a plain data load: when the CPU holds an early read of page `p` (JS name) made
 * for this load (`target`), the load completes with it, without walking (its translation was done
 * then); `f` is declared as its frame for `rest` (the access checks and the jump).
 */
function earlyLoadCode(sc: StepCtx, st: Stmt & { k: 'access' }, target: number, p: string, f: string, rest: readonly string[]): string {
  const { l, m, cpu } = sc.env;
  if (l.readBase < 0 || !earlyLoadable(st) || st.data?.op !== 'load') return '';
  const [at, v] = [sc.fresh(), sc.fresh()];
  return `const ${at} = ${readSlot(l, m.pages.length, cpu, 0)} + ${p};
    if (s[${at}] && Math.abs(s[${at} + ${l.readTargetBase - l.readBase}]) === ${target}) { const ${f} = s[${at}] - 1; const ${v} = s[${at} + ${l.readValueBase - l.readBase}];
      ${dropFrameReadsCode(m, l, cpu, f)} ${store(sc, st.data.into, [v])} ${rest.join(' ')} return ${OK}; }`;
}

/**
 * The data part of a completed access through page `p` on frame `f` (JS names). Relaxed mode with
 * data: a load reads the CPU's own pending store to the frame first; a store becomes pending
 * (after the CPU's earlier pending store to the frame or through the page is written, or all of
 * them for a release); an atomic writes the CPU's pending stores to the frame first; an acquire
 * or a release writes all of them first (RCsc: an acquire does not pass an earlier release).
 */
function relaxedDataCode(sc: StepCtx, st: Stmt & { k: 'access' }, p: string, f: string): string {
  const { env } = sc;
  const { l, m, cpu } = env;
  const d = st.data!;
  const cell = `s[${l.dataBase} + ${f}]`;
  if (l.storeBase < 0) return dataCode(sc, d, cell);
  const [release, acquire] = [isRelease(st.order), isAcquire(st.order)];
  if (d.op === 'load') { const v = sc.fresh(); return `${acquire ? commitStoresCode(m, l, cpu) : ''} ${forwardCode(m, l, cpu, f, v)} ${dataCode(sc, d, v)}`; }
  if (d.op === 'store') {
    // The value goes to the CPU's pending store through the page instead of the frame.
    const at = sc.fresh();
    return `${commitStoresCode(m, l, cpu, release ? undefined : f)} ${commitPageStoreCode(m, l, cpu, p)}
      const ${at} = ${storeSlot(l, m.pages.length, cpu, 0)} + ${p}; s[${at}] = ${f} + 1; ${dataCode(sc, d, `s[${at} + ${l.storeValueBase - l.storeBase}]`)}`;
  }
  return `${commitStoresCode(m, l, cpu, release || acquire ? undefined : f)} ${dataCode(sc, d, cell)}`;
}

/** The data part of a completed access on the frame whose data slot is `cell` (JS text). */
function dataCode(sc: StepCtx, d: DataAccess, cell: string): string {
  const { env } = sc;
  const dt = env.m.dataType;
  const put = (v: string) => { const x = sc.fresh(); return `const ${x} = ${v}; if (${x} < ${dt.lo} || ${x} > ${dt.hi}) return ${sc.violation('overflow')}; ${cell} = ${x};`; };
  switch (d.op) {
    case 'store': return put(scalar(env, d.value));
    case 'load': return store(sc, d.into, [cell]);
    case 'swap': { const old = sc.fresh(); return `const ${old} = ${cell}; ${put(scalar(env, d.value))} ${store(sc, d.into, [old])}`; }
    case 'cas': {
      const old = sc.fresh();
      return `const ${old} = ${cell}; if (${old} === ${scalar(env, d.expected)}) { ${put(scalar(env, d.value))} } ${store(sc, d.into, [old])}`;
    }
  }
}

/**
 * A hardware or access rule for one CPU and page, as a function body over `s`; its locals are JS
 * variables. A hardware rule returns DISABLED when it changed nothing.
 */
export function ruleSource(m: Model, l: Layout, rule: HardwareRule, cpu: number, page: number, violation: (name: string) => number, hardware: boolean): string {
  const names = new Map<Local, string>(rule.locals.map((lc, i) => [lc, `t${i}`]));
  const env: EmitEnv = { m, l, cpu, rulePage: page, ownPte: page < 0, local: (lc) => ({ kind: 'var', name: names.get(lc)! }) };
  const decls = rule.locals.map((lc) => {
    const name = names.get(lc)!;
    const w = slotWidth(m.arch, lc.type);
    return Array.from({ length: w }, (_, i) => `let ${name}_${i} = 0;`).join(' ');
  }).join(' ');
  // An interrupt handler (page -1) is software: its PTE stores wait for pending hardware updates.
  const saved = page < 0 && storesPte(m, rule.body) ? 'S0' : undefined;
  const sc: StepCtx = {
    env, innerCalls: new Set(), violation, fresh: () => `v${uniq++}`, track: hardware, savedState: saved,
    exitCall: () => { throw new Error('internal: return outside a call in a rule'); },
  };
  const body = `${saved ? `const ${saved} = s.slice(); ` : ''}${decls} ${inStep(sc, rule.body)}`;
  return hardware ? `let ch = 0; ${body} return ch ? ${OK} : ${DISABLED};` : `${body} return ${OK};`;
}
