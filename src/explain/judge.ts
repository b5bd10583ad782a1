// Whether a run of the counterexample's steps ends in the same violation: the test the
// constrained re-exploration (index.ts) applies to each complete interleaving. State properties
// are judged in the last state, a failing step by the status it fails with, a deadlock by what the
// search's monitors call one (no CPU step enabled, and hardware steps alone cannot change that).
import { DISABLED, OK, stepped, type TransitionSystem } from '../compile/index.js';
import type { Violation } from '../explore/bfs.js';

export type Judge =
  /** The violation is a property of the state the steps end in. */
  | { readonly kind: 'state'; violated(s: Int32Array): boolean }
  /**
   * The violation is the trace's last step: stopped with status `code` (a built-in such as
   * overflow), or completed breaking property `prop` (an assert or access property).
   */
  | { readonly kind: 'step'; readonly code: number; readonly prop: number };

/** Whether a step's outcome is the judged step violation. */
export function failsAsJudged(judge: Judge & { kind: 'step' }, r: { code: number; broke: readonly number[] }): boolean {
  return r.code === judge.code || (r.code === OK && r.broke.includes(judge.prop));
}

/** The judge for property `prop`'s violation `v`. */
export function judgeOf(ts: TransitionSystem, prop: number, v: Violation): Judge {
  if (v.action !== undefined) return { kind: 'step', code: prop + 1, prop };
  const p = ts.model.properties[prop]!;
  if (p.kind === 'builtin' && p.name === 'deadlock') return { kind: 'state', violated: (s) => deadlocked(ts, s) };
  const inv = ts.invariants.find((t) => t.prop === prop);
  if (inv) return { kind: 'state', violated: (s) => !inv.test(s) };
  const cover = ts.covers.find((t) => t.prop === prop);
  if (cover) return { kind: 'state', violated: (s) => !cover.test(s) };
  const fin = ts.finals.find((t) => t.prop === prop);
  if (fin) return { kind: 'state', violated: (s) => ts.finished(s) && !fin.test(s) };
  throw new Error(`internal: no state test for property '${p.name}'`);
}


/** A finished-less state no CPU can leave, even after any hardware steps. */
export function deadlocked(ts: TransitionSystem, s: Int32Array): boolean {
  if (ts.finished(s)) return false;
  const seen = new Set<string>([s.join(',')]);
  const todo = [s];
  for (let cur = todo.pop(); cur; cur = todo.pop()) {
    for (let c = 0; c < ts.cpuActions; c++) if (stepped(ts, c, cur).code !== DISABLED) return false;
    for (let a = ts.cpuActions; a < ts.actions.length; a++) {
      const { code, after } = stepped(ts, a, cur);
      const key = after.join(',');
      if (code === OK && !seen.has(key)) { seen.add(key); todo.push(after); }
    }
  }
  return true;
}
