// A counterexample as a list of steps with the state after each. The path is replayed from its
// stored initial state by the recorded actions (so it needs no other stored state: hash
// compaction drops them). Those states may be symmetry representatives, so the trace follows a
// concrete run alongside: each step is the first action whose result represents the next state
// of the path, which keeps the trace in the user's own CPU names and of the same length.
import { DISABLED, OK, type TransitionSystem } from '../compile/index.js';
import type { ProgramPoint } from '../program/graph.js';
import type { ExploreResult, Violation } from '../explore/bfs.js';

export type Actor =
  | { readonly kind: 'cpu'; readonly cpu: number; readonly point: ProgramPoint; readonly fault: boolean }
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
  /** The state the property is judged in: the last state, or the state a failing step started from. */
  readonly final: Int32Array;
}

function run(ts: TransitionSystem, action: number, from: Int32Array): { code: number; after: Int32Array } {
  const after = from.slice();
  return { code: ts.step(action, after), after };
}

export function rebuildTrace(ts: TransitionSystem, r: ExploreResult, v: Violation): Trace {
  const canon = r.symmetry?.groups.length ? r.symmetry.canonicalize : undefined;
  const represents = (concrete: Int32Array, stored: Int32Array) => {
    const c = concrete.slice();
    canon?.(c);
    return c.every((x, i) => x === stored[i]);
  };
  const { root, actions: recordedActions } = r.path(v.state);
  const actions = ts.actions.length;
  const initial = ts.initialStates().find((s) => represents(s, root)) ?? root;
  let state = initial;
  let path = root;
  const steps: TraceStep[] = [];
  for (const recorded of recordedActions) {
    const stored = run(ts, recorded, path).after;
    canon?.(stored);
    path = stored;
    const order = [recorded, ...Array.from({ length: actions }, (_, a) => a).filter((a) => a !== recorded)];
    const step = order.map((a) => ({ a, ...run(ts, a, state) })).find((x) => x.code === OK && represents(x.after, stored));
    if (!step) throw new Error('internal: a stored trace step could not be replayed');
    steps.push({ action: step.a, actor: actorOf(ts, step.a, state, step.after), after: step.after, failing: false });
    state = step.after;
  }
  if (v.action !== undefined) {
    // The failing action as seen from the stored state; find the concrete action that fails alike.
    const want = run(ts, v.action, path).code;
    const order = [v.action, ...Array.from({ length: actions }, (_, a) => a).filter((a) => a !== v.action)];
    const fail = order.map((a) => ({ a, ...run(ts, a, state) })).find((x) => x.code === want && x.code !== DISABLED);
    if (!fail) throw new Error('internal: the failing step could not be replayed');
    steps.push({ action: fail.a, actor: actorOf(ts, fail.a, state, fail.after), after: fail.after, failing: true });
  }
  return { initial, steps, final: state };
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
