// A CPU program to generated JavaScript: one `switch` over the program counter (pc 0 =
// finished), one case per step. Control-only statements (blocks, calls, bare returns, unrolled
// loops) vanish into the pcs they lead to.
import type { Cpu, HardwareRule, Local, Model, Stmt } from '../check/model.js';
import { spanText } from '../lang/source.js';
import { scalar, widthOf, type EmitEnv } from './emit-expr.js';
import { clearCode, DISABLED, DONE, FAULT, flush, inStep, localsWithin, OK, store, storePte, values, lvalueType, type StepCtx } from './emit-step.js';
import type { Layout } from './layout.js';

export const FINISHED = 0;

export interface ProgramNode {
  readonly pc: number;
  readonly stmt: Stmt;
  /** Slots of the locals in scope at this node. */
  readonly scope: readonly number[];
  /** For a step inside an inlined procedure: the call as the scenario wrote it. */
  label?: string;
  /** For an access: where a fault goes (the handler's first step, or the access again). */
  faultPc?: number;
  /** The step's code; built once every pc is known. */
  code?: () => string;
  /** The step commutes with every other CPU's and hardware step (independence.ts). */
  independent?: boolean;
}

export interface CompiledProgram {
  readonly entry: number;
  /** Indexed by pc; index 0 (finished) is undefined. */
  readonly nodes: readonly (ProgramNode | undefined)[];
  /** `function (A) { return function step(s) { ... } }` where A holds the access-rule functions. */
  readonly source: string;
}

export interface ProgramContext {
  readonly m: Model;
  readonly l: Layout;
  violation(name: string): number;
  /** JS text naming access rule `kind` for this CPU and page `p` (a JS expression). */
  accessRule(kind: 'read' | 'write', page: string): string;
}

let uniq = 0;

export function compileProgram(ctx: ProgramContext, cpu: Cpu): CompiledProgram {
  const { m, l } = ctx;
  const cl = l.cpus[cpu.index]!;
  const pcSlot = cl.pc;
  const env: EmitEnv = { m, l, cpu: cpu.index, local: (lc) => ({ kind: 'slot', at: cl.localSlot[lc.id]! }) };
  const slotsOf = (locals: readonly Local[]) => locals.flatMap((lc) => Array.from({ length: widthOf(l, lc.type) }, (_, i) => cl.localSlot[lc.id]! + i));
  const nodes: (ProgramNode | undefined)[] = [undefined];
  const returnTo = new Map<number, number>();
  const fresh = () => `v${uniq++}`;

  /** Move to `to`: locals in scope here but not there are dropped, so they do not split states. */
  const jump = (from: ProgramNode, to: number) => {
    const keep = new Set(to === FINISHED ? [] : nodes[to]!.scope);
    return `${from.scope.filter((x) => !keep.has(x)).map((x) => `s[${x}] = 0;`).join(' ')} s[${pcSlot}] = ${to};`;
  };
  const node = (stmt: Stmt, scope: readonly number[]): ProgramNode => {
    const n: ProgramNode = { pc: nodes.length, stmt, scope };
    nodes.push(n);
    return n;
  };
  const stepCtx = (n: ProgramNode, innerLocals: readonly Local[]): StepCtx => ({
    env, innerCalls: new Set(), fresh, violation: ctx.violation,
    exitCall: (callId) => `${clearCode(env, innerLocals)} ${jump(n, returnTo.get(callId)!)} return ${OK};`,
  });

  // Compiles `st` so that it continues at pc `next`; returns the pc where it starts.
  const build = (st: Stmt, next: number, scope: readonly number[]): number => {
    switch (st.k) {
      case 'block': {
        const inner = [...scope, ...slotsOf(st.locals)];
        return st.body.reduceRight((after, s) => build(s, after, inner), next);
      }
      case 'call': {
        returnTo.set(st.callId, next);
        const first = nodes.length;
        const entry = build(st.body, next, scope);
        labelCall(nodes.slice(first) as ProgramNode[], st);
        return entry;
      }
      case 'return':
        if (!st.value) return returnTo.get(st.callId)!;
        break;
      case 'while': {
        const inner = [...scope, ...slotsOf([st.counter])];
        const n = node(st, inner);
        const body = build(st.body, n.pc, inner);
        const counter = cl.localSlot[st.counter.id]!;
        n.code = () => `if (!${scalar(env, st.test)}) { ${jump(n, next)} return ${OK}; }
          if (s[${counter}] >= ${st.bound}) return ${ctx.violation('loop_bound')};
          s[${counter}]++; ${jump(n, body)} return ${OK};`;
        return n.pc;
      }
      case 'if': {
        const n = node(st, scope);
        const a = build(st.then, next, scope);
        const b = st.else ? build(st.else, next, scope) : next;
        n.code = () => `if (${scalar(env, st.test)}) { ${jump(n, a)} } else { ${jump(n, b)} } return ${OK};`;
        return n.pc;
      }
      case 'access': {
        const n = node(st, scope);
        const handler = st.handler ? build(st.handler, n.pc, scope) : undefined;
        n.faultPc = handler ?? n.pc;
        n.code = () => accessCode(ctx, env, st, fresh, jump(n, next), handler === undefined ? undefined : jump(n, handler));
        return n.pc;
      }
      default:
        break;
    }
    const n = node(st, scope);
    const after = st.k === 'return' ? returnTo.get(st.callId)! : next;
    n.code = () => simpleStep(ctx, stepCtx(n, localsWithin(st)), st, jump(n, after));
    return n.pc;
  };

  const entry = build(cpu.body, FINISHED, []);
  const cases = nodes.flatMap((n) => (n ? [`case ${n.pc}: { ${n.code!()} }`] : []));
  const source = `return function step(s) {\n  switch (s[${pcSlot}]) {\n${cases.join('\n')}\n  }\n  return ${DISABLED};\n};`;
  return { entry, nodes, source };
}

/** Steps of an inlined call are shown as the call the scenario wrote (plus the inner step if several). */
function labelCall(inner: ProgramNode[], call: Stmt & { k: 'call' }): void {
  const text = spanText(call.span).replace(/\s+/g, ' ');
  for (const n of inner) {
    if (inner.length === 1) n.label = text;
    else n.label = `${text} > ${n.label ?? stmtHead(n.stmt)}`;
  }
}

/** The first line of a statement: `if (cond)` rather than its whole body. */
export function stmtHead(st: Stmt): string {
  const text = spanText(st.span).replace(/\s+/g, ' ').trim();
  return st.k === 'if' || st.k === 'while' ? text.replace(/\s*\{.*$/, '') : text;
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
    case 'setPte': return `${storePte(sc, st.page, st.value)} ${done}`;
    case 'atomic': {
      const guard = st.guard ? `if (!${scalar(env, st.guard)}) return ${DISABLED}; ` : '';
      return `${guard}{ ${st.body.map((b) => inStep(sc, b)).join(' ')} } ${clearCode(env, localsWithin(st))} ${done}`;
    }
    case 'await': return `if (!${scalar(env, st.test)}) return ${DISABLED}; ${done}`;
    case 'assert': return `if (!${scalar(env, st.test)}) return ${ctx.violation(st.name)}; ${done}`;
    case 'flush': return `${flush(env, st.pages, st.local, sc.fresh)} ${done}`;
    case 'skip': return done;
    case 'lock': return `${lockCode(ctx, env, st, sc.fresh)} ${done}`;
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
  }
}

function accessCode(ctx: ProgramContext, env: EmitEnv, st: Stmt & { k: 'access' }, fresh: () => string, next: string, handler: string | undefined): string {
  const { l, m } = env;
  const [p, r, e, f] = [fresh(), fresh(), fresh(), fresh()];
  const props = m.properties.flatMap((prop, i) => (prop.kind === 'access' && prop.access === st.access ? [{ i, prop }] : []));
  const propEnv: EmitEnv = { ...env, access: [String(env.cpu), p, f] };
  const n = m.pages.length;
  return [
    `const ${p} = ${scalar(env, st.page)};`,
    `const ${r} = ${ctx.accessRule(st.access, p)}(s);`,
    `if (${r} === ${FAULT}) { ${handler === undefined ? `return ${ctx.violation('unhandled_fault')};` : `${handler} return ${OK};`} }`,
    `if (${r} !== ${DONE}) return ${r};`,
    `const ${e} = ${l.tlbBase} + (${env.cpu * n} + ${p}) * ${l.tlbWidth};`,
    `if (s[${e}] === 0) return ${ctx.violation('no_translation')};`,
    `const ${f} = s[${e} + ${m.arch.tlbPfn}];`,
    st.access === 'write' ? `if (s[${l.versionBase} + ${f}] >= ${m.maxVersion}) return ${ctx.violation('overflow')}; s[${l.versionBase} + ${f}]++;` : '',
    ...props.map(({ i, prop }) => `if (!${scalar(propEnv, (prop as { expr: import('../check/model.js').Expr }).expr)}) return ${i + 1};`),
    `${next} return ${OK};`,
  ].join('\n    ');
}

/**
 * A hardware or access rule for one CPU and page, as a function body over `s`; its locals are JS
 * variables. A hardware rule returns DISABLED when it changed nothing.
 */
export function ruleSource(m: Model, l: Layout, rule: HardwareRule, cpu: number, page: number, violation: (name: string) => number, hardware: boolean): string {
  const names = new Map<Local, string>(rule.locals.map((lc, i) => [lc, `t${i}`]));
  const env: EmitEnv = { m, l, cpu, rulePage: page, local: (lc) => ({ kind: 'var', name: names.get(lc)! }) };
  const decls = rule.locals.map((lc) => {
    const name = names.get(lc)!;
    const w = widthOf(l, lc.type);
    return Array.from({ length: w }, (_, i) => `let ${name}_${i} = 0;`).join(' ');
  }).join(' ');
  const sc: StepCtx = {
    env, innerCalls: new Set(), violation, fresh: () => `v${uniq++}`, track: hardware,
    exitCall: () => { throw new Error('internal: return outside a call in a rule'); },
  };
  return hardware ? `let ch = 0; ${decls} ${inStep(sc, rule.body)} return ch ? ${OK} : ${DISABLED};` : `${decls} ${inStep(sc, rule.body)} return ${OK};`;
}
