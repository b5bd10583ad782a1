// The compile stage: a checked Model to a TransitionSystem whose steps are generated JavaScript
// over flat Int32Array states (the way SPIN generates C).
import { valueRange, type Model } from '../check/model.js';
import { scalar, type EmitEnv } from './emit-expr.js';
import { layoutOf, pteSlot, type Layout } from './layout.js';
import { markIndependent } from './independence.js';
import { compileProgram, ruleSource, type CompiledProgram, type ProgramContext } from './program.js';

export { OK, DISABLED } from './emit-step.js';
export { FINISHED, stmtHead } from './program.js';
export type { Layout } from './layout.js';
export { pteSlot, tlbSlot } from './layout.js';

export type Exec = (s: Int32Array) => number;

export interface HardwareAction {
  readonly rule: string;
  readonly cpu: number;
  readonly page: number;
  readonly exec: Exec;
}

export interface StateTest {
  readonly prop: number;
  readonly test: (s: Int32Array) => number;
}

export interface TransitionSystem {
  readonly model: Model;
  readonly layout: Layout;
  /** Slots that make up a state (steps run in place on a vector of this size). */
  readonly stateSize: number;
  readonly programs: readonly CompiledProgram[];
  /** Spontaneous hardware steps; `exec` returns DISABLED when it would change nothing. */
  readonly hardware: readonly HardwareAction[];
  readonly invariants: readonly StateTest[];
  readonly finals: readonly StateTest[];
  /** Inclusive value range of every slot, for packing states. */
  readonly slotRange: readonly (readonly [number, number])[];
  initialStates(): Int32Array[];
  /** Runs CPU `cpu`'s next step in place; OK, DISABLED, or 1 + the violated property's index. */
  cpuStep(cpu: number, s: Int32Array): number;
  /** Whether CPU `cpu`'s next step in `s` commutes with every other step (ProgramNode.independent). */
  independentStep(cpu: number, s: Int32Array): boolean;
  finished(s: Int32Array): boolean;
}

// Generated code is built from numbers and fixed keywords only, never from user text.
function generated<T>(params: string[], body: string): T {
  return new Function(...params, body) as T;
}

export function compile(m: Model): TransitionSystem {
  const l = layoutOf(m);
  const propIndex = new Map(m.properties.map((p, i) => [p.name, i]));
  const violation = (name: string) => {
    const i = propIndex.get(name);
    if (i === undefined) throw new Error(`internal: no property '${name}'`);
    return i + 1;
  };
  const propertyEnv: EmitEnv = { m, l, cpu: -1, local: () => { throw new Error('internal: local in a property'); } };
  const tests = (kind: 'invariant' | 'final') => m.properties.flatMap((p, prop) =>
    p.kind === kind ? [{ prop, test: generated<(s: Int32Array) => number>(['s'], `return ${scalar(propertyEnv, p.expr)};`) }] : []);

  const rule = (r: Model['arch']['hardware'][number], cpu: number, page: number, hw = false) =>
    generated<Exec>(['s'], ruleSource(m, l, r, cpu, page, violation, hw));
  const cpuSteps = m.cpus.map((cpu) => {
    const access = { read: m.pages.map((p) => rule(m.arch.access.read, cpu.index, p.index)), write: m.pages.map((p) => rule(m.arch.access.write, cpu.index, p.index)) };
    const ctx: ProgramContext = { m, l, violation, accessRule: (kind, page) => `A.${kind}[${page}]` };
    const program = compileProgram(ctx, cpu);
    return { program, step: generated<(A: unknown) => Exec>(['A'], program.source)(access) };
  });
  const programs = cpuSteps.map((c) => c.program);
  const steps = cpuSteps.map((c) => c.step);
  const hardware: HardwareAction[] = m.arch.hardware
    .filter((r) => !m.disabled.includes(r.name))
    .flatMap((r) => m.cpus.flatMap((c) => m.pages.map((p) => ({ rule: r.name, cpu: c.index, page: p.index, exec: rule(r, c.index, p.index, true) }))));
  const pcs = l.cpus.map((c) => c.pc);
  markIndependent(m, l, programs);

  return {
    model: m, layout: l, stateSize: l.size, programs, hardware,
    invariants: tests('invariant'), finals: tests('final'), slotRange: slotRanges(m, l, programs),
    initialStates: () => initialStates(m, l, programs),
    cpuStep: (cpu, s) => steps[cpu]!(s),
    independentStep: (cpu, s) => programs[cpu]!.nodes[s[pcs[cpu]!]!]?.independent === true,
    finished: generated<(s: Int32Array) => boolean>(['s'], `return ${pcs.map((pc) => `s[${pc}] === 0`).join(' && ') || 'true'};`),
  };
}

function slotRanges(m: Model, l: Layout, programs: readonly CompiledProgram[]): [number, number][] {
  const r: [number, number][] = Array.from({ length: l.size }, () => [0, 0]);
  const typed = (t: { k: string }, at: number) => {
    const fields = t.k === 'pte' ? m.arch.pteFields : t.k === 'tlbe' ? m.arch.tlbFields : undefined;
    if (fields) fields.forEach((f, i) => { r[at + i] = valueRange(f.type, m); });
    else r[at] = valueRange(t as import('../check/model.js').ScalarType, m);
  };
  m.cpus.forEach((c, i) => {
    const cl = l.cpus[i]!;
    r[cl.pc] = [0, programs[i]!.nodes.length - 1];
    c.locals.forEach((lc) => typed(lc.type, cl.localSlot[lc.id]!));
  });
  m.globals.forEach((g) => g.init.forEach((_, i) => { r[l.globalSlot[g.id]! + i] = valueRange(g.type, m); }));
  m.pages.forEach((p) => typed({ k: 'pte' }, pteSlot(l, p.index, 0)));
  for (let i = 0; i < m.cpus.length * m.pages.length; i++) typed({ k: 'tlbe' }, l.tlbBase + i * l.tlbWidth);
  m.frames.forEach((f) => { r[l.versionBase + f.index] = [0, m.maxVersion]; r[l.freedBase + f.index] = [0, 1]; });
  m.locks.forEach((lock) => {
    const width = l.lockWidth[lock.id]!;
    for (let i = 0; i < (lock.perPage ? m.pages.length : 1); i++) {
      const at = l.lockSlot[lock.id]! + i * width;
      r[at] = [0, m.cpus.length];
      if (width === 2) r[at + 1] = [0, 2 ** m.cpus.length - 1];
    }
  });
  return r;
}

/** Every combination of the values written `any`, in a fixed order. */
function initialStates(m: Model, l: Layout, programs: readonly CompiledProgram[]): Int32Array[] {
  const base = new Int32Array(l.size);
  const choices: { slot: number; lo: number; hi: number }[] = [];
  programs.forEach((p, i) => { base[l.cpus[i]!.pc] = p.entry; });
  m.globals.forEach((g) => g.init.forEach((v, i) => {
    const slot = l.globalSlot[g.id]! + i;
    if (v === undefined) { const [lo, hi] = valueRange(g.type, m); choices.push({ slot, lo, hi }); } else base[slot] = v;
  }));
  m.pages.forEach((p) => p.init.forEach((v, f) => {
    const slot = pteSlot(l, p.index, f);
    if (v === undefined) { const [lo, hi] = valueRange(m.arch.pteFields[f]!.type, m); choices.push({ slot, lo, hi }); } else base[slot] = v;
  }));
  const out: Int32Array[] = [];
  const fill = (i: number) => {
    if (i === choices.length) { out.push(base.slice()); return; }
    const c = choices[i]!;
    for (let v = c.lo; v <= c.hi; v++) { base[c.slot] = v; fill(i + 1); }
  };
  fill(0);
  return out;
}
