// The reference interpreter: a deliberately naive second engine that executes the checked
// `Model` directly over Immutable.js states, breadth-first, with an Immutable `Set` of seen
// states. It shares nothing with src/compile or src/explore, so property tests can compare them
// (state count, transition count, per-property verdict and shortest-trace depth).
//
// Choices where docs/LANGUAGE.md and the brief are silent:
//  * Continuation = stack of items (statement ids still to run, loop re-tests, local drops, call
//    ends); it depends only on the program point, so equal points give equal states.
//  * A `while` counter is absent (reads 0) until the first true test and is dropped on exit or
//    when a `return` leaves the loop; a test that is true with the counter at the bound violates
//    `loop_bound`.
//  * A CPU that has finished has no live locals (even lets not listed in any block's locals).
//  * Inside `atomic`, a disabled `lock`/`await` disables the whole atomic step.
//  * `down_read` of an rwsem the CPU already holds for reading violates `lock_misuse` (the
//    holders are a set; a recursive read acquisition cannot be represented).
//  * The access rule's effects before `fault` are kept; the handler runs, then the access again.
//    A rule that ends without done/fault is a model error (throws).
//  * Storing a TLB entry with valid = 0 stores all zeros.
//  * Records are range-checked field by field on every store (`overflow`), as are scalars;
//    frame versions range over 0..maxVersion, freed over bool.
//  * A failing `assert` or access property does not stop the step: the step completes, every
//    such property it broke is recorded, and the search goes on from its result. The built-in
//    step violations (overflow, lock_misuse, ...) stop the step: it has no result.
//  * Invariant and final properties and cover goals are checked when a state is first stored; a
//    state that violates them (or reaches a goal) is still expanded (they do not cut the search).
//    A reached cover goal is reported as `violated` with the witness's depth.
//  * Hardware steps run in finished states too, and so do interrupt deliveries (an idle CPU
//    takes interrupts); a delivery is a hardware step for the deadlock analysis.
//  * `maxStates`: no more than that many states are stored; limitHit is set (and the search stops
//    at once) only when a new state had to be discarded. A search that stops early still runs
//    the deadlock analysis on the stuck states it found.
import { is, Set as ISet } from 'immutable';
import type { Expr, Model } from '../ir/model.js';
import { targetsPage } from '../program/early-walks.js';
import { Broken, evalExpr, Halt } from './eval.js';
import { cpuStep, finished, hardwareStep, huCommitStep, pteCommitStep, readEarlyStep, settleAll, storeCommitStep, tlbiCompleteStep, walkEarlyStep } from './exec.js';
import { livelockDepth } from './livelock.js';
import { buildTables, initialStates, type State, type Tables, Thread } from './state.js';

export interface ReferenceResult {
  states: number;
  transitions: number;
  properties: { name: string; violated: boolean; depth?: number }[];
  limitHit: boolean;
}

/**
 * Hardware steps enabled by the model: every (rule, cpu, page) not disabled, then every
 * interrupt's delivery on every CPU (written out here rather than taken from ir/rules.ts, so the
 * two engines do not share the enumeration).
 */
function* hardwareSuccessors(t: Tables, st: State): Generator<State | Halt> {
  const m = t.model;
  for (const rule of m.arch.hardware) {
    if (m.disabled.includes(rule.name)) continue;
    for (const cpu of m.cpus) for (const page of m.pages) yield hardwareStep(t, st, rule, cpu.index, page.index);
  }
  for (const irq of m.interrupts) for (const cpu of m.cpus) yield hardwareStep(t, st, irq.rule, cpu.index, -1);
  if (m.usesTlbi) for (const cpu of m.cpus) for (const page of m.pages) yield tlbiCompleteStep(t, st, cpu.index, page.index);
  if (m.relaxed) {
    for (const cpu of m.cpus) for (const page of m.pages) yield huCommitStep(t, st, cpu.index, page.index);
    for (const cpu of m.cpus) for (const page of m.pages) {
      for (const target of t.walkTargets[cpu.index]!) if (targetsPage(target, page.index)) yield walkEarlyStep(t, st, cpu.index, page.index, target);
    }
    if (m.usesData) for (const cpu of m.cpus) for (const page of m.pages) {
      for (const target of t.readTargets[cpu.index]!) if (targetsPage(target, page.index)) yield readEarlyStep(t, st, cpu.index, page.index, target);
    }
    if (m.usesData) for (const cpu of m.cpus) for (const page of m.pages) yield storeCommitStep(t, st, cpu.index, page.index);
    if (!st.pteStores.isEmpty()) for (const cpu of m.cpus) for (const page of m.pages) yield pteCommitStep(t, st, cpu.index, page.index);
  }
}

/** Some CPU has not finished and none has an enabled step (a violating step counts as enabled). */
function isStuck(t: Tables, st: State): boolean {
  if (finished(t, st)) return false;
  return t.model.cpus.every((cpu) => {
    const r = cpuStep(t, st, cpu.index);
    return r === undefined || (r instanceof Halt && r.kind === 'disabled');
  });
}

/** A stuck state deadlocks unless hardware steps alone can reach a state that is not stuck. */
function isDeadlock(t: Tables, st: State): boolean {
  let seen = ISet<State>([st]);
  const queue = [st];
  for (let i = 0; i < queue.length; i++) {
    for (const r of hardwareSuccessors(t, queue[i]!)) {
      if (r instanceof Halt || seen.has(r)) continue;
      if (!isStuck(t, r)) return false;
      seen = seen.add(r);
      queue.push(r);
    }
  }
  return true;
}

function holds(t: Tables, st: State, e: Expr): boolean {
  return evalExpr({ t, st, th: Thread(), cpu: -1, page: -1 }, e) !== 0;
}

/**
 * `everyEarlyRead`: `read_early` is enabled wherever the CPU has not finished, not only where a
 * load could use the read (src/program/early-reads.ts); for checking that that pruning loses no
 * verdict.
 */
export function exploreReference(model: Model, opts: { maxStates?: number; everyEarlyRead?: boolean } = {}): ReferenceResult {
  const t = buildTables(model, opts.everyEarlyRead);
  const maxStates = opts.maxStates ?? Infinity;
  const minDepth = new Map<string, number>();
  const violated = (name: string, depth: number): void => {
    if (!(minDepth.get(name)! <= depth)) minDepth.set(name, depth);
  };
  let seen = ISet<State>();
  const queue: { st: State; depth: number }[] = [];
  let limitHit = false;
  let transitions = 0;

  /** Stores a new state and checks its state properties; false when the store is full. */
  const store = (st: State, depth: number): boolean => {
    if (seen.has(st)) return true;
    if (seen.size >= maxStates) { limitHit = true; return false; }
    seen = seen.add(st);
    queue.push({ st, depth });
    const done = finished(t, st);
    for (const p of model.properties) {
      if ((p.kind === 'invariant' || (p.kind === 'final' && done)) && !holds(t, st, p.expr)) violated(p.name, depth);
      // A cover goal's "violation" is its witness: a state where the goal holds.
      if (p.kind === 'cover' && holds(t, st, p.expr)) violated(p.name, depth);
    }
    return true;
  };

  /** Counts a step from `from` (at `depth`); false when the search must stop. */
  const step = (from: State, result: State | Halt | Broken, depth: number): boolean => {
    if (result instanceof Halt) {
      if (result.kind === 'violation') for (const n of result.names) violated(n, depth + 1);
      return true;
    }
    if (result instanceof Broken) for (const n of result.names) violated(n, depth + 1);
    const r = result instanceof Broken ? result.st : result;
    if (is(r, from)) return true;
    transitions++;
    return store(r, depth + 1);
  };

  const stuck: { st: State; depth: number }[] = [];
  search: {
    for (const init of initialStates(model)) if (!store(settleAll(t, init), 0)) break search;
    for (let i = 0; i < queue.length; i++) {
      const { st, depth } = queue[i]!;
      let anyEnabled = false;
      for (const cpu of model.cpus) {
        const r = cpuStep(t, st, cpu.index);
        if (r === undefined || (r instanceof Halt && r.kind === 'disabled')) continue;
        anyEnabled = true;
        if (!step(st, r, depth)) break search;
      }
      if (!anyEnabled && !finished(t, st)) stuck.push({ st, depth });
      for (const r of hardwareSuccessors(t, st)) if (!step(st, r, depth)) break search;
    }
  }
  for (const { st, depth } of stuck) if (isDeadlock(t, st)) violated('deadlock', depth);
  // A cycle property: decided only over the complete graph (reference/livelock.ts).
  if (!limitHit && model.properties.some((p) => p.name === 'livelock')) {
    const depth = livelockDepth(t, queue, (st) => hardwareSuccessors(t, st));
    if (depth !== undefined) violated('livelock', depth);
  }

  return {
    states: seen.size,
    transitions,
    properties: model.properties.map((p) => {
      const depth = minDepth.get(p.name);
      return depth === undefined ? { name: p.name, violated: false } : { name: p.name, violated: true, depth };
    }),
    limitHit,
  };
}
