// A counterexample as a list of steps with the state after each. The path is replayed from its
// stored initial state by the recorded actions (so it needs no other stored state: hash
// compaction drops them). Those states may be symmetry representatives, so the trace follows a
// concrete run alongside, with the permutation relating it to the stored path: each stored
// action is taken by the CPU it stands for in the concrete run, which keeps the trace in the
// user's own CPU names and of the same length. (Matching successors by their representative
// instead fails where group members tie: a representative then depends on the state it was
// computed from, not only on its orbit.)
import { DISABLED, OK, stepped, type TransitionSystem } from '../compile/index.js';
import type { ProgramPoint } from '../program/graph.js';
import type { ExploreResult, Violation } from '../explore/bfs.js';
import type { Lasso } from '../explore/monitors.js';

export type Actor =
  | { readonly kind: 'cpu'; readonly cpu: number; readonly point: ProgramPoint; readonly fault: boolean }
  /** A hardware rule for a page, or (page -1) the CPU taking interrupt `rule`. */
  | { readonly kind: 'hw'; readonly rule: string; readonly cpu: number; readonly page: number };

export interface TraceStep {
  /** The action taken (an index into the transition system's action table). */
  readonly action: number;
  readonly actor: Actor;
  /** The state after the step (for a failing step: as far as it got). */
  readonly after: Int32Array;
  /** This step is the one that broke the property. */
  readonly failing: boolean;
}

export interface Trace {
  readonly initial: Int32Array;
  readonly steps: readonly TraceStep[];
  /**
   * The state the property is judged in: the last state; for a step that stopped (a built-in
   * such as overflow), the state it started from.
   */
  readonly final: Int32Array;
  /** For a livelock: steps from this index on are the cycle, which ends where it began and repeats for ever. */
  readonly cycleFrom?: number;
}

/** Runs `action` on a copy of `from`: its status, its result, and whether it broke property `prop` while completing. */
function run(ts: TransitionSystem, action: number, from: Int32Array, prop = -1): { code: number; after: Int32Array; broke: boolean } {
  const { code, after, broke } = stepped(ts, action, from);
  return { code, after, broke: broke.includes(prop) };
}

export function rebuildTrace(ts: TransitionSystem, r: ExploreResult, v: Violation): Trace {
  if (v.lasso) return lassoTrace(ts, v.lasso);
  const sym = r.symmetry?.groups.length ? r.symmetry : undefined;
  const ncpu = ts.model.cpus.length;
  const { root, actions: recordedActions } = r.path(v.state);
  // The concrete run's CPU c is the stored path's CPU toPath[c].
  let toPath = Int32Array.from({ length: ncpu }, (_, c) => c);
  let initial = root;
  if (sym) {
    const moved = new Int32Array(ncpu);
    const represents = (s: Int32Array) => {
      const c = s.slice();
      sym.canonicalize(c, moved);
      return c.every((x, i) => x === root[i]);
    };
    const found = ts.initialStates().find(represents);
    if (!found) throw new Error('internal: no initial state is represented by the stored one');
    initial = found;
    toPath = moved.slice();
  }
  const rename = actionRenamer(ts);
  let state = initial;
  let path = root;
  const steps: TraceStep[] = [];
  const moved = new Int32Array(ncpu);
  for (const recorded of recordedActions) {
    const stored = run(ts, recorded, path).after;
    const action = rename(recorded, inverse(toPath));
    const step = run(ts, action, state);
    if (sym) {
      sym.canonicalize(stored, moved);
      toPath = toPath.map((p) => moved[p]!);
    }
    const seen = step.after.slice();
    sym?.permute(seen, toPath);
    if (step.code !== OK || !seen.every((x, i) => x === stored[i]))
      throw new Error('internal: a stored trace step could not be replayed');
    path = stored;
    steps.push({ action, actor: actorOf(ts, action, state, step.after), after: step.after, failing: false });
    state = step.after;
  }
  if (v.action !== undefined) {
    // The failing action as seen from the stored state, taken by the CPU it stands for: stopped
    // with the same status, or completed breaking the same step check.
    const prop = v.brokenCheck === undefined ? -1 : ts.stepChecks[v.brokenCheck]!;
    const want = run(ts, v.action, path, prop);
    const action = rename(v.action, inverse(toPath));
    const fail = run(ts, action, state, prop);
    if (fail.code !== want.code || fail.code === DISABLED || fail.broke !== want.broke) throw new Error('internal: the failing step could not be replayed');
    steps.push({ action, actor: actorOf(ts, action, state, fail.after), after: fail.after, failing: true });
    // A completed step is judged in the state it produced; a stopped one where it started.
    if (fail.broke) return { initial, steps, final: fail.after };
  }
  return { initial, steps, final: state };
}

/** A livelock's lasso, replayed from its (real, unreduced) initial state: the prefix, then the cycle. */
function lassoTrace(ts: TransitionSystem, lasso: Lasso): Trace {
  let state = lasso.root;
  const steps: TraceStep[] = [];
  for (const action of [...lasso.prefix, ...lasso.cycle]) {
    const step = run(ts, action, state);
    if (step.code !== OK) throw new Error('internal: a livelock step could not be replayed');
    steps.push({ action, actor: actorOf(ts, action, state, step.after), after: step.after, failing: false });
    state = step.after;
  }
  const entry = steps[lasso.prefix.length - 1]?.after ?? lasso.root;
  if (!state.every((x, i) => x === entry[i])) throw new Error('internal: a livelock cycle does not return to its start');
  return { initial: lasso.root, steps, final: state, cycleFrom: lasso.prefix.length };
}

function inverse(map: Int32Array): Int32Array {
  const out = new Int32Array(map.length);
  map.forEach((to, from) => { out[to] = from; });
  return out;
}

/** `rename(a, map)`: action `a` with its CPU c replaced by map[c] (same rule, same page). */
function actionRenamer(ts: TransitionSystem): (action: number, map: Int32Array) => number {
  // A rule may have several actions per CPU and page (walk_early: one per target); the n-th of
  // them on one CPU stands for the n-th on another (symmetric CPUs run the same program).
  const key = (kind: string, cpu: number, rule = '', page = -1, nth = 0) => `${kind} ${rule} ${cpu} ${page} ${nth}`;
  const seen = new Map<string, number>();
  const nth = ts.actions.map((a) => {
    const k = a.kind === 'cpu' ? key('cpu', a.cpu) : key('hw', a.cpu, a.rule, a.page);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    return n;
  });
  const index = new Map(ts.actions.map((a) => [a.kind === 'cpu' ? key('cpu', a.cpu) : key('hw', a.cpu, a.rule, a.page, nth[a.index]), a.index]));
  return (action, map) => {
    const a = ts.actions[action]!;
    const k = a.kind === 'cpu' ? key('cpu', map[a.cpu]!) : key('hw', map[a.cpu]!, a.rule, a.page, nth[action]);
    return index.get(k)!;
  };
}

/** Who took action `action` from `before` to `after`, and (for a CPU) at which statement. */
export function actorOf(ts: TransitionSystem, action: number, before: Int32Array, after: Int32Array): Actor {
  const a = ts.actions[action]!;
  if (a.kind === 'hardware') return { kind: 'hw', rule: a.rule, cpu: a.cpu, page: a.page };
  const point = ts.graph.cpus[a.cpu]!.points[ts.pcOf(a.cpu, before)]!;
  const fault = point.next.k === 'access' && point.next.fault === ts.pcOf(a.cpu, after) && !completedWrite(ts, before, after);
  return { kind: 'cpu', cpu: a.cpu, point, fault };
}

function completedWrite(ts: TransitionSystem, before: Int32Array, after: Int32Array): boolean {
  const { versionBase } = ts.layout;
  for (let f = 0; f < ts.model.frames.length; f++) if (after[versionBase + f] !== before[versionBase + f]) return true;
  return false;
}
