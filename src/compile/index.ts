// The compile stage: a program graph to a TransitionSystem whose steps are generated JavaScript
// over flat Int32Array states (the way SPIN generates C).
import { modelOf, type CheckOptions } from '../check/index.js';
import type { Model, ScalarType } from '../ir/model.js';
import { enabledHardware, ruleInstances } from '../ir/rules.js';
import { slotTypes, valueRange } from '../ir/types.js';
import type { SourceFile, Span } from '../lang/source.js';
import { programGraph, type ProgramGraph } from '../program/graph.js';
import { earlyReadTargets } from '../program/early-reads.js';
import { earlyWalkTargets, targetsPage, type EarlyWalkTarget } from '../program/early-walks.js';
import { scalar, type EmitEnv } from './emit-expr.js';
import { checkSize } from './bounds.js';
import { layoutOf, pteSlot, type Layout } from './layout.js';
import { independentPoints } from './independence.js';
import { finishedSource, programSource, ruleSource, type ProgramContext } from './program.js';
import { tlbiCompleteSource } from './emit-step.js';
import { huCommitStep, pteCommitStep, readEarlyStep, relaxedRule, storeCommitStep, walkEarlyStep } from './relaxed.js';
import { someStmt } from '../ir/walk.js';

export { OK, DISABLED } from './emit-step.js';
export type { Layout } from './layout.js';
export { earlySlot, huSlot, huValueSlot, pendingSlot, pteSlot, pteStoreSlot, pteStoreValueSlot, readSlot, readTargetSlot, readValueSlot, storeSlot, storeValueSlot, tlbSlot } from './layout.js';

export type Exec = (s: Int32Array) => number;

/** Action `index` is CPU `cpu`'s next step, whatever statement its program counter is at. */
export interface CpuAction {
  readonly index: number;
  readonly kind: 'cpu';
  readonly cpu: number;
  readonly name: string;
}

/** A spontaneous hardware step: rule `rule` for one CPU and page, or CPU `cpu` taking interrupt `rule` (page -1). */
export interface HardwareAction {
  readonly index: number;
  readonly kind: 'hardware';
  readonly rule: string;
  readonly cpu: number;
  readonly page: number;
  /** `fill P on writer`, `writer takes interrupt flush_tlb_func`. */
  readonly name: string;
  /** The rule's definition. */
  readonly span: Span;
  /** Runs the rule in place; DISABLED when it would change nothing. */
  readonly exec: Exec;
}

export type Action = CpuAction | HardwareAction;

export interface StateTest {
  readonly prop: number;
  readonly test: (s: Int32Array) => number;
}

export interface TransitionSystem {
  readonly model: Model;
  readonly graph: ProgramGraph;
  readonly layout: Layout;
  /** Slots that make up a state (steps run in place on a vector of this size). */
  readonly stateSize: number;
  /**
   * Every action, numbered as search, successors and traces number them: the CPU steps first
   * (action c is CPU c's next step), then the hardware actions.
   */
  readonly actions: readonly Action[];
  /** The CPU actions: actions 0 .. cpuActions - 1. */
  readonly cpuActions: number;
  /** The hardware actions, in action order (action cpuActions + i is hardware[i]). */
  readonly hardware: readonly HardwareAction[];
  readonly invariants: readonly StateTest[];
  readonly finals: readonly StateTest[];
  /** Cover goals: the test is 0 in a state that reaches the goal. */
  readonly covers: readonly StateTest[];
  /** Inclusive value range of every slot, for packing states. */
  readonly slotRange: readonly (readonly [number, number])[];
  initialStates(): Int32Array[];
  /**
   * Runs action `a` in place; OK, DISABLED, or 1 + the index of a violated property that stops
   * the step (a built-in such as `overflow`: the step has no result). Asserts and access
   * properties do not stop it: they are recorded in `stepFailures`.
   */
  step(a: number, s: Int32Array): number;
  /** Property index of each bit of `stepFailures`: the asserts and access properties, in model order. */
  readonly stepChecks: readonly number[];
  /**
   * Register the steps OR into: bit i (word i >> 5) set when a step broke `stepChecks[i]` and
   * completed. Steps never clear it; whoever reads it clears it before the next step.
   */
  readonly stepFailures: Int32Array;
  /** Runs CPU `cpu`'s next step in place (action `cpu`). */
  cpuStep(cpu: number, s: Int32Array): number;
  /** Whether CPU `cpu`'s next step in `s` commutes with every other step (independence.ts). */
  independentStep(cpu: number, s: Int32Array): boolean;
  /** CPU `cpu`'s program counter in `s`. */
  pcOf(cpu: number, s: Int32Array): number;
  finished(s: Int32Array): boolean;
}

/**
 * Runs action `a` on a copy of `s`, outside the search: its status, the state after it, and the
 * properties (asserts, access properties) it broke while completing, read from and cleared in
 * `stepFailures`.
 */
export function stepped(ts: TransitionSystem, a: number, s: Int32Array): { code: number; after: Int32Array; broke: number[] } {
  const after = s.slice();
  const { stepFailures, stepChecks } = ts;
  stepFailures.fill(0);
  const code = ts.step(a, after);
  const broke = stepChecks.filter((_, bit) => (stepFailures[bit >> 5]! & (1 << (bit & 31))) !== 0);
  stepFailures.fill(0);
  return { code, after, broke };
}

/** program → compile for a checked model. */
export function compileModel(m: Model): TransitionSystem {
  return compile(programGraph(m));
}

/** check → program → compile for a scenario text (what a worker thread rebuilds from). */
export function compileScenario(source: SourceFile, opts: CheckOptions = {}): TransitionSystem {
  return compileModel(modelOf(source, opts));
}

// Generated code is built from numbers and fixed keywords only, never from user text.
function generated<T>(params: string[], body: string): T {
  return new Function(...params, body) as T;
}

export function compile(graph: ProgramGraph): TransitionSystem {
  const m = graph.model;
  const l = layoutOf(m);
  const instances = ruleInstances(m);
  checkSize(m, l, enabledHardware(m).length + (m.usesTlbi ? 1 : 0) + (m.relaxed ? 4 : 0), m.interrupts.length);
  const propIndex = new Map(m.properties.map((p, i) => [p.name, i]));
  const violation = (name: string) => {
    const i = propIndex.get(name);
    if (i === undefined) throw new Error(`internal: no property '${name}'`);
    return i + 1;
  };
  const propertyEnv: EmitEnv = { m, l, cpu: -1, local: () => { throw new Error('internal: local in a property'); } };
  const tests = (kind: 'invariant' | 'final' | 'cover') => m.properties.flatMap((p, prop) => {
    if (p.kind !== kind) return [];
    // A state check fails where its test is 0: a cover goal's "failure" is its witness.
    const test = kind === 'cover' ? `!(${scalar(propertyEnv, p.expr)})` : scalar(propertyEnv, p.expr);
    return [{ prop, test: generated<(s: Int32Array) => number>(['s'], `return ${test};`) }];
  });

  const stepChecks = m.properties.flatMap((p, i) => (p.kind === 'assert' || p.kind === 'access' ? [i] : []));
  const stepFailures = new Int32Array(Math.ceil(stepChecks.length / 32));
  const stepFailure = (name: string) => {
    const bit = stepChecks.indexOf(propIndex.get(name)!);
    if (bit < 0) throw new Error(`internal: '${name}' is not a step property`);
    return `F[${bit >> 5}] |= ${1 << (bit & 31)};`;
  };
  const rule = (r: Model['arch']['hardware'][number], cpu: number, page: number, hw = false) =>
    generated<Exec>(['s'], ruleSource(m, l, r, cpu, page, violation, hw));
  // The access rules as the architecture writes them (what an early walk evaluates), and as a
  // CPU's access runs them (under the relaxed mode, with pending hardware updates).
  const rawAccess = m.cpus.map((c) => ({ read: m.pages.map((p) => rule(m.arch.access.read, c.index, p.index)), write: m.pages.map((p) => rule(m.arch.access.write, c.index, p.index)) }));
  const accessRules = rawAccess.map((a, cpu) => (m.relaxed
    ? { read: a.read.map((r, p) => relaxedRule(m, l, r, cpu, p, true)), write: a.write.map((r, p) => relaxedRule(m, l, r, cpu, p, true)) }
    : a));
  const walkTargets = earlyWalkTargets(graph);
  const steps = graph.cpus.map((program) => {
    const cpu = program.cpu.index;
    const access = accessRules[cpu]!;
    const targets = new Map(walkTargets[cpu]!.map((t) => [t.id, t.index]));
    const ctx: ProgramContext = { m, l, violation, stepFailure, accessRule: (kind, page) => `A.${kind}[${page}]`, walkTarget: (id) => targets.get(id)! };
    return generated<(A: unknown, F: Int32Array) => Exec>(['A', 'F'], programSource(ctx, program))(access, stepFailures);
  });
  const ncpu = m.cpus.length;
  const cpuActions: CpuAction[] = m.cpus.map((c) => ({ index: c.index, kind: 'cpu', cpu: c.index, name: c.name }));
  const hardware: HardwareAction[] = instances.map(({ rule: r, cpu, page, interrupt }, i) => ({
    index: ncpu + i, kind: 'hardware', rule: r.name, cpu, page,
    name: interrupt ? `${m.cpus[cpu]!.name} takes interrupt ${r.name}` : `${r.name} ${m.pages[page]!.name} on ${m.cpus[cpu]!.name}`,
    span: interrupt ? interrupt.span : r.body.span,
    exec: m.relaxed && !interrupt ? relaxedRule(m, l, rule(r, cpu, page, true), cpu, page) : rule(r, cpu, page, true),
  }));
  hardware.push(...tlbiCompletions(m, l, ncpu + hardware.length));
  hardware.push(...relaxedSteps(graph, l, ncpu + hardware.length, rawAccess, accessRules, walkTargets));
  const pcs = l.cpus.map((c) => c.pc);
  const independent = independentPoints(graph, l);
  const cpuStep = (cpu: number, s: Int32Array) => steps[cpu]!(s);

  return {
    model: m, graph, layout: l, stateSize: l.size, actions: [...cpuActions, ...hardware], cpuActions: ncpu, hardware,
    invariants: tests('invariant'), finals: tests('final'), covers: tests('cover'), stepChecks, stepFailures, slotRange: slotRanges(graph, l, walkTargets),
    initialStates: () => initialStates(graph, l),
    step: (a, s) => (a < ncpu ? cpuStep(a, s) : hardware[a - ncpu]!.exec(s)),
    cpuStep,
    independentStep: (cpu, s) => independent[cpu]![s[pcs[cpu]!]!] === true,
    pcOf: (cpu, s) => s[pcs[cpu]!]!,
    // Every CPU finished, or blocked at a valid end point.
    // Under the relaxed mode a state with a hardware update or a store still to be written is not final.
    finished: generated<(s: Int32Array) => boolean>(['s'], `return ${[...graph.cpus.map((p) => `(${finishedSource(m, l, p)})`), ...pendingUpdates(m, l)].join(' && ') || 'true'};`),
  };
}

/**
 * The built-in hardware step `tlbi_complete` per CPU and page, when a program issues TLBIs: a
 * pending invalidation takes effect at some point after its TLBI (Arm ARM D8.13: completion is
 * guaranteed only by a DSB, which may come much later; until then the entry may still be used).
 */
function tlbiCompletions(m: Model, l: Layout, first: number): HardwareAction[] {
  if (!m.usesTlbi) return [];
  const span = m.cpus.map((c) => firstTlbi(c.body)).find((x) => x !== undefined)!;
  return m.cpus.flatMap((c) => m.pages.map((p) => ({ cpu: c, page: p }))).map(({ cpu: c, page: p }, i) => ({
    index: first + i, kind: 'hardware' as const, rule: 'tlbi_complete', cpu: c.index, page: p.index,
    name: `tlbi_complete ${p.name} on ${c.name}`, span,
    exec: generated<Exec>(['s'], tlbiCompleteSource(m, l, c.index, p.index)),
  }));
}

function pendingUpdates(m: Model, l: Layout): string[] {
  const n = m.cpus.length * m.pages.length;
  const none = (base: number) => (base < 0 ? [] : Array.from({ length: n }, (_, i) => `!s[${base + i}]`));
  return m.relaxed ? [...none(l.huBase), ...none(l.storeBase), ...none(l.pteStoreBase)] : [];
}

/**
 * The relaxed mode's built-in hardware steps (src/compile/relaxed.ts), per CPU and page:
 * `hu_commit` (a pending hardware update is written), then `walk_early` per access point of the
 * page (that access's walk performed ahead, its fault held for it), then, with data,
 * `read_early` per plain load of the page (that load performed now) and `store_commit` (a
 * pending plain store is written to memory), then, with plain PTE stores, `pte_commit` (a
 * pending PTE store is written).
 */
function relaxedSteps(graph: ProgramGraph, l: Layout, first: number, raw: readonly { read: Exec[]; write: Exec[] }[], access: readonly { read: Exec[] }[], targets: readonly (readonly EarlyWalkTarget[])[]): HardwareAction[] {
  const m = graph.model;
  if (!m.relaxed) return [];
  const pairs = m.cpus.flatMap((c) => m.pages.map((p) => ({ cpu: c.index, page: p.index })));
  const span = m.arch.access.read.body.span;
  const make = (rule: string, at: readonly { cpu: number; page: number }[], exec: (cpu: number, page: number) => Exec, first: number) => at.map(({ cpu, page }, i) => ({
    index: first + i, kind: 'hardware' as const, rule, cpu, page, name: `${rule} ${m.pages[page]!.name} on ${m.cpus[cpu]!.name}`, span, exec: exec(cpu, page),
  }));
  const commits = make('hu_commit', pairs, (c, p) => huCommitStep(m, l, c, p), first);
  // Per CPU, page and target on the page (an access point; for read_early a plain load):
  // src/program/early-walks.ts, early-reads.ts.
  const targeted = <T extends { readonly page: number | undefined; readonly place: string }>(rule: string, per: readonly (readonly T[])[], what: (t: T) => string, exec: (cpu: number, page: number, t: T) => Exec, from: number) =>
    pairs.flatMap(({ cpu, page }) => per[cpu]!.filter((t) => targetsPage(t, page)).map((t) => ({ cpu, page, t }))).map(({ cpu, page, t }, i) => ({
      index: from + i, kind: 'hardware' as const, rule, cpu, page, name: `${rule} ${m.pages[page]!.name} on ${m.cpus[cpu]!.name} for ${what(t)} at ${t.place}`, span, exec: exec(cpu, page, t),
    }));
  const walks = targeted('walk_early', targets, (t) => t.access, (c, p, t) => walkEarlyStep(m, l, graph.cpus[c]!, raw[c]![t.access][p]!, t, p), first + commits.length);
  const reads = l.readBase < 0 ? [] : targeted('read_early', earlyReadTargets(graph), () => 'read', (c, p, t) => readEarlyStep(m, l, graph.cpus[c]!, t, access[c]!.read[p]!, p), first + commits.length + walks.length);
  const stored = make('store_commit', l.storeBase < 0 ? [] : pairs, (c, p) => storeCommitStep(m, l, c, p), first + commits.length + walks.length + reads.length);
  const ptes = make('pte_commit', l.pteStoreBase < 0 ? [] : pairs, (c, p) => pteCommitStep(m, l, c, p), first + commits.length + walks.length + reads.length + stored.length);
  return [...commits, ...walks, ...reads, ...stored, ...ptes];
}

function firstTlbi(body: Model['cpus'][number]['body']): Span | undefined {
  let found: Span | undefined;
  someStmt(body, (s) => { if (s.k === 'tlbi') found = s.span; return found !== undefined; });
  return found;
}

function slotRanges(graph: ProgramGraph, l: Layout, targets: readonly (readonly EarlyWalkTarget[])[]): [number, number][] {
  const m = graph.model;
  const r: [number, number][] = Array.from({ length: l.size }, () => [0, 0]);
  const typed = (t: Parameters<typeof slotTypes>[1], at: number) => slotTypes(m.arch, t).forEach((st, i) => { r[at + i] = valueRange(st, m); });
  m.cpus.forEach((c, i) => {
    const cl = l.cpus[i]!;
    r[cl.pc] = [0, graph.cpus[i]!.points.length - 1];
    c.locals.forEach((lc) => typed(lc.type, cl.localSlot[lc.id]!));
  });
  m.globals.forEach((g) => g.init.forEach((_, i) => { r[l.globalSlot[g.id]! + i] = valueRange(g.type, m); }));
  m.pages.forEach((p) => typed({ k: 'pte' }, pteSlot(l, p.index, 0)));
  for (let i = 0; i < m.cpus.length * m.pages.length; i++) typed({ k: 'tlbe' }, l.tlbBase + i * l.tlbWidth);
  m.frames.forEach((f) => { r[l.versionBase + f.index] = [0, m.maxVersion]; r[l.freedBase + f.index] = [0, 1]; });
  if (l.killedBase >= 0) m.cpus.forEach((c) => { r[l.killedBase + c.index] = [0, 1]; });
  if (l.dataBase >= 0) m.frames.forEach((f) => { r[l.dataBase + f.index] = [m.dataType.lo, m.dataType.hi]; });
  if (l.pendingBase >= 0) for (let i = 0; i < m.cpus.length ** 2 * m.pages.length; i++) r[l.pendingBase + i] = [0, 1];
  if (m.relaxed) {
    const n = m.cpus.length * m.pages.length;
    for (let i = 0; i < n; i++) { r[l.earlyBase + i] = [0, targets[Math.floor(i / m.pages.length)]!.length]; r[l.huBase + i] = [0, 1]; typed({ k: 'pte' }, l.huValueBase + i * l.pteWidth); }
    const values: [number, number] = [Math.min(0, m.dataType.lo), Math.max(0, m.dataType.hi)];
    if (l.pteStoreBase >= 0) for (let i = 0; i < n; i++) { r[l.pteStoreBase + i] = [0, 1]; typed({ k: 'pte' }, l.pteStoreValueBase + i * l.pteWidth); }
    if (l.readBase >= 0) for (let i = 0; i < n; i++) { r[l.readBase + i] = [0, m.frames.length]; r[l.readValueBase + i] = values; r[l.readTargetBase + i] = [-targets[Math.floor(i / m.pages.length)]!.length, targets[Math.floor(i / m.pages.length)]!.length]; r[l.storeBase + i] = [0, m.frames.length]; r[l.storeValueBase + i] = values; }
  }
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
function initialStates(graph: ProgramGraph, l: Layout): Int32Array[] {
  const m = graph.model;
  const base = new Int32Array(l.size);
  const choices: { slot: number; type: ScalarType }[] = [];
  graph.cpus.forEach((p, i) => { base[l.cpus[i]!.pc] = p.entry; });
  if (l.dataBase >= 0) m.frames.forEach((f) => { base[l.dataBase + f.index] = f.data; });
  m.globals.forEach((g) => g.init.forEach((v, i) => {
    const slot = l.globalSlot[g.id]! + i;
    if (v === undefined) choices.push({ slot, type: g.type }); else base[slot] = v;
  }));
  m.pages.forEach((p) => p.init.forEach((v, f) => {
    const slot = pteSlot(l, p.index, f);
    if (v === undefined) choices.push({ slot, type: m.arch.pteFields[f]!.type }); else base[slot] = v;
  }));
  const out: Int32Array[] = [];
  const fill = (i: number) => {
    if (i === choices.length) { out.push(base.slice()); return; }
    const c = choices[i]!;
    const [lo, hi] = valueRange(c.type, m);
    for (let v = lo; v <= hi; v++) { base[c.slot] = v; fill(i + 1); }
  };
  fill(0);
  return out;
}
