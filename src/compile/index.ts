// The compile stage: a checked Model to a TransitionSystem over flat Int32Array states.
import type { Model } from '../check/model.js';
import type { Exec } from './atomic.js';
import { bounds, compileScalar, type Env } from './expr.js';
import { layoutOf, pteSlot, type Layout } from './layout.js';
import { compileProgram, compileRule, FINISHED, ruleScratch, type CompiledProgram, type ProgramContext } from './program.js';

export { OK, DISABLED } from './atomic.js';
export { FINISHED } from './program.js';
export type { Layout } from './layout.js';
export { pteSlot, tlbSlot } from './layout.js';

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
  /** Slots that make up a state; the working vector may be longer (rule scratch). */
  readonly stateSize: number;
  readonly workSize: number;
  readonly programs: readonly CompiledProgram[];
  readonly hardware: readonly HardwareAction[];
  readonly invariants: readonly StateTest[];
  readonly finals: readonly StateTest[];
  initialStates(): Int32Array[];
  /** Runs CPU `cpu`'s next step in place; OK, DISABLED, or 1 + the violated property's index. */
  cpuStep(cpu: number, s: Int32Array): number;
  finished(s: Int32Array): boolean;
}

export function compile(m: Model): TransitionSystem {
  const l = layoutOf(m);
  const regs = new Int32Array(3);
  const propIndex = new Map(m.properties.map((p, i) => [p.name, i]));
  const violation = (name: string) => {
    const i = propIndex.get(name);
    if (i === undefined) throw new Error(`internal: no property '${name}'`);
    return i + 1;
  };
  const propertyEnv: Env = { m, l, cpu: -1, regs, localSlot: () => { throw new Error('internal: local in property'); } };
  const tests = (kind: 'invariant' | 'final') => m.properties.flatMap((p, prop) =>
    p.kind === kind ? [{ prop, test: compileScalar(propertyEnv, p.expr) }] : []);
  const accessProps = (access: 'read' | 'write') => m.properties.flatMap((p, prop) =>
    p.kind === 'access' && p.access === access ? [{ prop, test: compileScalar(propertyEnv, p.expr) }] : []);
  const props = { read: accessProps('read'), write: accessProps('write') };

  const perPage = (rule: Model['arch']['hardware'][number], cpu: number) => ({
    byPage: m.pages.map((p) => compileRule(m, l, rule, cpu, p.index, violation, regs)),
  });
  const programs = m.cpus.map((cpu) => {
    const ctx: ProgramContext = {
      m, l, violation, regs, accessProps: props,
      accessRules: { read: perPage(m.arch.access.read, cpu.index), write: perPage(m.arch.access.write, cpu.index) },
    };
    return compileProgram(ctx, cpu);
  });
  const hardware: HardwareAction[] = m.arch.hardware
    .filter((r) => !m.disabled.includes(r.name))
    .flatMap((rule) => m.cpus.flatMap((c) => m.pages.map((p) => ({
      rule: rule.name, cpu: c.index, page: p.index, exec: compileRule(m, l, rule, c.index, p.index, violation, regs),
    }))));
  const rules = [...m.arch.hardware, m.arch.access.read, m.arch.access.write];
  const workSize = l.size + Math.max(0, ...rules.map((r) => ruleScratch(l, r)));
  const pcs = l.cpus.map((c) => c.pc);

  return {
    model: m, layout: l, stateSize: l.size, workSize, programs, hardware,
    invariants: tests('invariant'), finals: tests('final'),
    initialStates: () => initialStates(m, l, programs, workSize),
    cpuStep: (cpu, s) => {
      const node = programs[cpu]!.nodes[s[pcs[cpu]!]!];
      return node ? node.exec(s) : -1;
    },
    finished: (s) => pcs.every((pc) => s[pc] === FINISHED),
  };
}

/** Every combination of the values written `any`, in a fixed order. */
function initialStates(m: Model, l: Layout, programs: readonly CompiledProgram[], workSize: number): Int32Array[] {
  const base = new Int32Array(workSize);
  const choices: { slot: number; lo: number; hi: number }[] = [];
  programs.forEach((p, i) => { base[l.cpus[i]!.pc] = p.entry; });
  m.globals.forEach((g) => g.init.forEach((v, i) => {
    const slot = l.globalSlot[g.id]! + i;
    if (v === undefined) { const [lo, hi] = bounds(g.type, m); choices.push({ slot, lo, hi }); } else base[slot] = v;
  }));
  m.pages.forEach((p) => p.init.forEach((v, f) => {
    const slot = pteSlot(l, p.index, f);
    if (v === undefined) { const [lo, hi] = bounds(m.arch.pteFields[f]!.type, m); choices.push({ slot, lo, hi }); } else base[slot] = v;
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
