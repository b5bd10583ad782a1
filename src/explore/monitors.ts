// Property monitors: what the search tells them (a state was reached, a step failed, a state is
// stuck) and how they turn it into each property's shortest violation. The search loop only
// reports events; which states break which property is decided here.
//   - state properties (invariants in every state, finals in states where every CPU has
//     finished, cover goals) are tests the successor writer runs on each successor; bit i of
//     its `failing` mask says check i failed (for a cover goal: the state reaches it, and the
//     "violation" kept is its shortest witness);
//   - asserts and on-access properties arrive as the bits a completed step set in
//     TransitionSystem.stepFailures: the step goes on, so a later violation is still found;
//   - the built-ins a step detects (overflow, lock misuse, ...) arrive as the failing step's
//     status code: such a step has no result, so nothing follows it on that path;
//   - deadlock is decided once the search is complete, from the stuck states.
import type { TransitionSystem } from '../compile/index.js';

/** A violation: reached state `state`, plus (for a failing step) the action that failed there. */
export interface Violation {
  readonly state: number;
  readonly action?: number;
  readonly depth: number;
  /** For a step that completed breaking an assert or access property: its bit in TransitionSystem.stepChecks. */
  readonly brokenCheck?: number;
  /** For a livelock (livelock.ts): the run that reaches the cycle and the cycle; `state` is then -1. */
  readonly lasso?: Lasso;
}

/** A run from initial state `root`: `prefix`, then `cycle` (back to where it started) for ever. */
export interface Lasso {
  readonly root: Int32Array;
  readonly prefix: readonly number[];
  readonly cycle: readonly number[];
  /** The CPU that keeps retrying its access along the cycle. */
  readonly cpu: number;
}

/** A test run on every reached state; bit i of a successor's `failing` mask is check i. */
export interface StateCheck {
  /** The property's index in the model. */
  readonly prop: number;
  readonly test: (s: Int32Array) => number;
  /** Judged only in states where every CPU has finished. */
  readonly final: boolean;
}

/** The most state checks one `failing` mask holds. */
export const MAX_STATE_CHECKS = 31;

/** The invariants and cover goals, then the finals; undefined when there are more than one mask holds. */
export function stateChecks(ts: TransitionSystem): StateCheck[] | undefined {
  const checks = [...ts.invariants, ...ts.covers].map((t) => ({ ...t, final: false }));
  checks.push(...ts.finals.map((t) => ({ ...t, final: true })));
  return checks.length > MAX_STATE_CHECKS ? undefined : checks;
}

export class Monitors {
  /** Per property (model order): the shortest violation found. */
  readonly violations: (Violation | undefined)[];
  private readonly deadlock: number;
  private readonly stepChecks: readonly number[];
  private readonly stuckStates: number[] = [];
  private readonly stuckEdges = new Map<number, number[]>();

  constructor(ts: TransitionSystem, private readonly checks: readonly StateCheck[]) {
    const props = ts.model.properties;
    this.violations = props.map(() => undefined);
    this.deadlock = props.findIndex((p) => p.name === 'deadlock');
    this.stepChecks = ts.stepChecks;
  }

  /** New state `index`, first reached at `depth`, failing the state checks in `failing`. */
  reached(index: number, failing: number, depth: number): void {
    for (let bit = 0; failing; failing >>>= 1, bit++) {
      const prop = this.checks[bit]!.prop;
      if (failing & 1 && !this.violations[prop]) this.violations[prop] = { state: index, depth };
    }
  }

  /** Action `action` from state `from` (at `depth`) failed with status `code` (1 + property). */
  stepFailed(code: number, from: number, action: number, depth: number): void {
    if (!this.violations[code - 1]) this.violations[code - 1] = { state: from, action, depth: depth + 1 };
  }

  /** Action `action` from state `from` (at `depth`) completed, breaking the step checks in word `word` of `bits`. */
  stepsBroke(word: number, bits: number, from: number, action: number, depth: number): void {
    for (let bit = 0; bits; bits >>>= 1, bit++) {
      const check = word * 32 + bit;
      const prop = this.stepChecks[check]!;
      if (bits & 1 && !this.violations[prop]) this.violations[prop] = { state: from, action, depth: depth + 1, brokenCheck: check };
    }
  }

  /** State `index` has no enabled CPU step; hardware steps lead from it to `edges`. */
  stuck(index: number, edges: number[]): void {
    this.stuckStates.push(index);
    this.stuckEdges.set(index, edges);
  }

  /**
   * The search is over. Deadlock is judged only over a complete search: a stuck state from which
   * hardware steps alone cannot reach a state where a CPU can step; the first in BFS order is the
   * shortest.
   */
  finish(complete: boolean, depthOf: (index: number) => number): void {
    if (!complete || this.deadlock < 0) return;
    const edges = this.stuckEdges;
    const escapes = new Set<number>();
    let changed = true;
    while (changed) {
      changed = false;
      for (const s of this.stuckStates) {
        if (escapes.has(s)) continue;
        if (edges.get(s)!.some((t) => !edges.has(t) || escapes.has(t))) { escapes.add(s); changed = true; }
      }
    }
    const dead = this.stuckStates.find((s) => !escapes.has(s));
    if (dead !== undefined) this.violations[this.deadlock] = { state: dead, depth: depthOf(dead) };
  }
}
