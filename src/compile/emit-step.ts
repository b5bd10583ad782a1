// Statements that run inside one step (atomic blocks, hardware and access rules, simple
// statements) to JavaScript statement text.
import type { Expr, LValue, Local, Model, RecordKind, ScalarType, Stmt } from '../ir/model.js';
import type { Layout } from './layout.js';
import { record, scalar, type EmitEnv } from './emit-expr.js';
import { recordFields, slotTypes, slotWidth, valueRange } from '../ir/types.js';
import { forEachStmt } from '../ir/walk.js';
import { earlySlot, pendingSlot, pteSlot, tlbSlot } from './layout.js';
import { commitPageStoreCode, commitPteStoreCode, commitPteStoresCode, markPageReadCode, dsbCommitCode, pendPteStoreCode, pteStoreGuard } from './relaxed.js';

/** Status codes a generated step returns: 0 done; > 0 violation of property (code - 1). */
export const OK = 0;
export const DISABLED = -1;
export const DONE = -2;
export const FAULT = -3;

export interface StepCtx {
  readonly env: EmitEnv;
  violation(name: string): number;
  /** Code that leaves the step through the `return` of a call that began outside it. */
  exitCall(callId: number): string;
  /** Calls inlined inside this step: their `return` is a `break` out of a labelled block. */
  readonly innerCalls: Set<number>;
  fresh(): string;
  /** Hardware rules: count the state slots actually changed in `ch`, so a no-op step is known without comparing states. */
  readonly track?: boolean;
  /**
   * Relaxed mode, a software step that stores a PTE: the JS name of the state copied at the
   * step's start, restored when the store must wait for a pending hardware update.
   */
  readonly savedState?: string;
}

/** `target = value;`, or, when tracking changes, only if it differs. */
function write(ctx: { track?: boolean }, target: string, value: string): string {
  return ctx.track && target.startsWith('s[') ? `if (${target} !== ${value}) { ${target} = ${value}; ch = 1; }` : `${target} = ${value};`;
}

/** Code storing `values` (one per field) into `lv`, returning the overflow code if out of range. */
export function store(ctx: StepCtx, lv: LValue, values: readonly string[]): string {
  const { env } = ctx;
  const overflow = ctx.violation('overflow');
  const names = values.map(() => ctx.fresh());
  const lines = values.map((v, i) => `const ${names[i]} = ${v};`);
  const check = (name: string, t: ScalarType) => {
    const [lo, hi] = valueRange(t, env.m);
    return t.k === 'bool' ? '' : `if (${name} < ${lo} || ${name} > ${hi}) return ${overflow}; `;
  };
  const put = (targets: readonly string[], types: readonly ScalarType[]) =>
    targets.map((t, i) => `${check(names[i]!, types[i]!)}${write(ctx, t, names[i]!)}`);
  const { m } = env;
  const recordTypes = (rec: RecordKind) => slotTypes(m.arch, { k: rec });
  switch (lv.k) {
    case 'local': {
      const t = lv.local.type;
      const targets = record(env, { k: 'local', local: lv.local });
      const types = t.k === 'pte' || t.k === 'tlbe' ? recordTypes(t.k) : [t as ScalarType];
      return [...lines, ...put(targets, types)].join(' ');
    }
    case 'global': return [...lines, ...put([scalar(env, lv)], [lv.v.type])].join(' ');
    case 'frameVersion': return [...lines, ...put([scalar(env, lv)], [{ k: 'int', lo: 0, hi: m.maxVersion }])].join(' ');
    case 'frameFreed': return [...lines, ...put([scalar(env, lv)], [{ k: 'bool' }])].join(' ');
    case 'rulePte': return [...lines, ...put(record(env, { k: 'rulePte' }), recordTypes('pte'))].join(' ');
    case 'ruleTlb': return [...lines, ...put(record(env, { k: 'ruleTlb' }), recordTypes('tlbe'))].join(' ');
    case 'field': {
      const whole = lv.target.k === 'local' ? record(env, { k: 'local', local: lv.target.local }) : record(env, { k: lv.target.k as 'rulePte' | 'ruleTlb' });
      return [...lines, ...put([whole[lv.index]!], [recordTypes(lv.rec)[lv.index]!])].join(' ');
    }
  }
}

/**
 * `set_pte(page, value)`. Relaxed mode: a `plain` store (a step of its own) becomes the CPU's
 * pending PTE store; software's other PTE stores (atomic blocks, interrupt handlers) wait for the
 * PTE's pending hardware updates and write the CPU's pending store to it first.
 */
export function storePte(ctx: StepCtx, page: Expr, value: Expr, plain = false): string {
  const { env } = ctx;
  const { l, m } = env;
  const vals = record(env, value);
  const names = vals.map(() => ctx.fresh());
  const head = vals.map((v, i) => `const ${names[i]} = ${v};`).join(' ');
  const p = page.k === 'const' ? page.value : ctx.fresh();
  const at = page.k === 'const' ? '' : `const ${p} = ${scalar(env, page)};`;
  if (plain && l.pteStoreBase >= 0) return `${head} ${at} ${pendPteStoreCode(m, l, env.cpu, p, names)}`;
  const wait = ctx.savedState ? `${pteStoreGuard(m, l, String(p), ctx.savedState)} ${commitPteStoreCode(m, l, env.cpu, p)}` : '';
  const slot = (f: number) => (typeof p === 'number' ? `s[${pteSlot(l, p, f)}]` : `s[${l.pteBase + f} + ${p} * ${l.pteWidth}]`);
  return `${head} ${at} ${wait} ${names.map((n, f) => write(ctx, slot(f), n)).join(' ')}`;
}

export function flush(env: EmitEnv, pages: 'all' | readonly Expr[], local: boolean, fresh: () => string, track = false): string {
  const { l, m } = env;
  const n = m.pages.length;
  const cpus = local ? [env.cpu] : m.cpus.map((c) => c.index);
  const zero = (at: string | number) => Array.from({ length: l.tlbWidth }, (_, f) => write({ track }, `s[${typeof at === 'number' ? at + f : `${at} + ${f}`}]`, '0')).join(' ');
  const list = pages === 'all' ? m.pages.map((p): Expr => ({ k: 'const', type: { k: 'page' }, value: p.index })) : pages;
  // Relaxed: a completed broadcast invalidation also ends the other CPUs' early walks of the page,
  // and writes every target's pending stores through it.
  const remote = m.relaxed ? cpus.filter((c) => c !== env.cpu) : [];
  // Relaxed: the kernel's flush helpers begin with dsb(ishst): the issuer's pending PTE stores are written.
  return commitPteStoresCode(m, l, env.cpu, track) + ' ' + list.map((p) => {
    if (p.k === 'const') return [...cpus.map((c) => `${zero(tlbSlot(l, n, c, p.value, 0))} ${commitPageStoreCode(m, l, c, p.value, track)} ${markPageReadCode(m, l, c, p.value, track)}`), ...remote.map((c) => write({ track }, `s[${earlySlot(l, n, c, p.value)}]`, '0'))].join(' ');
    const v = fresh();
    return `const ${v} = ${scalar(env, p)}; ${cpus.map((c) => `${zero(`${l.tlbBase} + (${c * n} + ${v}) * ${l.tlbWidth}`)} ${commitPageStoreCode(m, l, c, v, track)} ${markPageReadCode(m, l, c, v, track)}`).join(' ')} ${remote.map((c) => write({ track }, `s[${earlySlot(l, n, c, 0)} + ${v}]`, '0')).join(' ')}`;
  }).join(' ');
}

/**
 * `tlbi(op, P)` (Arm ARM D8.13, TLB maintenance instructions): the invalidation of the pages
 * becomes pending on each target CPU (every CPU for the broadcast ...IS forms, the issuer
 * otherwise); it takes effect later, by `tlbi_complete` or the issuer's next full DSB.
 */
export function tlbiCode(env: EmitEnv, pages: 'all' | readonly Expr[], broadcast: boolean, fresh: () => string): string {
  const { l, m } = env;
  const [nc, np] = [m.cpus.length, m.pages.length];
  const targets = broadcast ? m.cpus.map((c) => c.index) : [env.cpu];
  const list = pages === 'all' ? m.pages.map((p): Expr => ({ k: 'const', type: { k: 'page' }, value: p.index })) : pages;
  return list.map((p) => {
    if (p.k === 'const') return targets.map((t) => `s[${pendingSlot(l, nc, np, env.cpu, t, p.value)}] = 1;`).join(' ');
    const v = fresh();
    return `const ${v} = ${scalar(env, p)}; ${targets.map((t) => `s[${pendingSlot(l, nc, np, env.cpu, t, 0)} + ${v}] = 1;`).join(' ')}`;
  }).join(' ');
}

/**
 * A full DSB (Arm ARM D8.13.? "completion of TLB maintenance"; herd's DSB-ob): every TLBI the
 * running CPU issued is complete when the DSB completes: each pending invalidation drops its
 * target's entry now; under the relaxed mode its pending hardware updates are written too.
 */
export function dsbCode(env: EmitEnv): string {
  const { l, m } = env;
  const updates = dsbCommitCode(m, l, env.cpu);
  if (l.pendingBase < 0) return updates;
  const [nc, np] = [m.cpus.length, m.pages.length];
  return m.cpus.flatMap((t) => m.pages.map((p) => {
    const at = pendingSlot(l, nc, np, env.cpu, t.index, p.index);
    const e = tlbSlot(l, np, t.index, p.index, 0);
    const early = m.relaxed && t.index !== env.cpu ? `s[${earlySlot(l, np, t.index, p.index)}] = 0;` : '';
    return `if (s[${at}]) { s[${at}] = 0; ${Array.from({ length: l.tlbWidth }, (_, f) => `s[${e + f}] = 0;`).join(' ')} ${early} ${commitPageStoreCode(m, l, t.index, p.index)} ${markPageReadCode(m, l, t.index, p.index)} }`;
  })).join(' ') + ` ${updates}`;
}

/**
 * Hardware step `tlbi_complete` for CPU `cpu` and page `page`: the invalidations pending there
 * (from any issuer) take effect: the entry is dropped. DISABLED when none is pending.
 */
export function tlbiCompleteSource(m: Model, l: Layout, cpu: number, page: number): string {
  const [nc, np] = [m.cpus.length, m.pages.length];
  const flags = m.cpus.map((i) => pendingSlot(l, nc, np, i.index, cpu, page));
  const e = tlbSlot(l, np, cpu, page, 0);
  // Relaxed: another CPU's invalidation also ends this CPU's early walk of the page (the issuer's
  // own instruction stream needs an ISB for that).
  const remote = flags.filter((_, i) => i !== cpu).map((f) => `s[${f}]`);
  const early = m.relaxed && remote.length ? `if (${remote.join(' || ')}) s[${earlySlot(l, np, cpu, page)}] = 0;` : '';
  return `if (!(${flags.map((f) => `s[${f}]`).join(' || ')})) return ${DISABLED};
    ${early} ${flags.map((f) => `s[${f}] = 0;`).join(' ')} ${Array.from({ length: l.tlbWidth }, (_, f) => `s[${e + f}] = 0;`).join(' ')} ${commitPageStoreCode(m, l, cpu, page)} ${markPageReadCode(m, l, cpu, page)} return ${OK};`;
}

export function inStep(ctx: StepCtx, st: Stmt): string {
  const { env } = ctx;
  switch (st.k) {
    case 'block':
    case 'atomic': return `{ ${st.body.map((s) => inStep(ctx, s)).join(' ')} }`;
    case 'let': return `{ ${store(ctx, { k: 'local', local: st.local }, values(env, st.value, st.local.type))} }`;
    case 'assign': return `{ ${store(ctx, st.target, values(env, st.value, lvalueType(env, st.target)))} }`;
    case 'setPte': return `{ ${storePte(ctx, st.page, st.value)} }`;
    case 'if': return `if (${scalar(env, st.test)}) ${inStep(ctx, st.then)}${st.else ? ` else ${inStep(ctx, st.else)}` : ''}`;
    case 'call':
      ctx.innerCalls.add(st.callId);
      return `c${st.callId}: ${inStep(ctx, st.body)}`;
    case 'return': {
      const set = st.value && st.target ? store(ctx, st.target, values(env, st.value, lvalueType(env, st.target))) : '';
      const leave = ctx.innerCalls.has(st.callId) ? `break c${st.callId};` : ctx.exitCall(st.callId);
      return `{ ${set} ${leave} }`;
    }
    case 'flush': return `{ ${flush(env, st.pages, st.local, () => ctx.fresh(), ctx.track)} }`;
    case 'skip': return '';
    case 'done': return `return ${DONE};`;
    case 'fault': return `return ${FAULT};`;
    default: throw new Error(`internal: '${st.k}' cannot run inside one step (the checker should have refused it)`);
  }
}

export function values(env: EmitEnv, e: Expr, t: { k: string }): string[] {
  return t.k === 'pte' || t.k === 'tlbe' ? record(env, e) : [scalar(env, e)];
}

export function lvalueType(env: EmitEnv, lv: LValue): { k: string } {
  switch (lv.k) {
    case 'local': return lv.local.type;
    case 'global': return lv.v.type;
    case 'frameVersion': return { k: 'int' };
    case 'frameFreed': return { k: 'bool' };
    case 'rulePte': return { k: 'pte' };
    case 'ruleTlb': return { k: 'tlbe' };
    case 'field': return recordFields(env.m.arch, lv.rec)[lv.index]!.type;
  }
}

/** Every local declared anywhere inside `st` (blocks, inlined calls), for clearing at step end. */
export function localsWithin(st: Stmt): Local[] {
  const out: Local[] = [];
  forEachStmt(st, (s) => { if (s.k === 'block' || s.k === 'atomic') out.push(...s.locals); });
  return out;
}

export function clearCode(env: EmitEnv, locals: readonly Local[]): string {
  return locals.flatMap((lc) => {
    const home = env.local(lc);
    if (home.kind !== 'slot') return [];
    return Array.from({ length: slotWidth(env.m.arch, lc.type) }, (_, i) => `s[${home.at + i}] = 0;`);
  }).join(' ');
}
