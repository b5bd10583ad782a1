// A counterexample as a list of steps with the state after each. The path is replayed from its
// stored initial state by the recorded actions (so it needs no other stored state: hash
// compaction drops them). Those states may be symmetry representatives, so the trace follows a
// concrete run alongside: each step is the first action whose result represents the next state
// of the path, which keeps the trace in the user's own CPU names and of the same length.
import type { Stmt } from '../check/model.js';
import { DISABLED, OK, type TransitionSystem } from '../compile/index.js';
import type { ExploreResult, Violation } from '../explore/bfs.js';

export type Actor =
  | { readonly kind: 'cpu'; readonly cpu: number; readonly stmt: Stmt; readonly label?: string; readonly fault: boolean }
  | { readonly kind: 'hw'; readonly rule: string; readonly cpu: number; readonly page: number };

export interface TraceStep {
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
  const ncpu = ts.model.cpus.length;
  const code = action < ncpu ? ts.cpuStep(action, after) : ts.hardware[action - ncpu]!.exec(after);
  return { code, after };
}

export function rebuildTrace(ts: TransitionSystem, r: ExploreResult, v: Violation): Trace {
  const canon = r.symmetry?.groups.length ? r.symmetry.canonicalize : undefined;
  const represents = (concrete: Int32Array, stored: Int32Array) => {
    const c = concrete.slice();
    canon?.(c);
    return c.every((x, i) => x === stored[i]);
  };
  const chain: number[] = [];
  for (let i = v.state; i >= 0; i = r.parent.get(i)) chain.unshift(i);
  const actions = ts.model.cpus.length + ts.hardware.length;
  const root = r.store.get(chain[0]!);
  const initial = ts.initialStates().find((s) => represents(s, root)) ?? root;
  let state = initial;
  let path = root;
  const steps: TraceStep[] = [];
  for (let k = 1; k < chain.length; k++) {
    const recorded = r.action.get(chain[k]!);
    const stored = run(ts, recorded, path).after;
    canon?.(stored);
    path = stored;
    const order = [recorded, ...Array.from({ length: actions }, (_, a) => a).filter((a) => a !== recorded)];
    const step = order.map((a) => ({ a, ...run(ts, a, state) })).find((x) => x.code === OK && represents(x.after, stored));
    if (!step) throw new Error('internal: a stored trace step could not be replayed');
    steps.push({ actor: actorOf(ts, step.a, state, step.after), after: step.after, failing: false });
    state = step.after;
  }
  if (v.action !== undefined) {
    // The failing action as seen from the stored state; find the concrete action that fails alike.
    const want = run(ts, v.action, path).code;
    const order = [v.action, ...Array.from({ length: actions }, (_, a) => a).filter((a) => a !== v.action)];
    const fail = order.map((a) => ({ a, ...run(ts, a, state) })).find((x) => x.code === want && x.code !== DISABLED);
    if (!fail) throw new Error('internal: the failing step could not be replayed');
    steps.push({ actor: actorOf(ts, fail.a, state, fail.after), after: fail.after, failing: true });
  }
  return { initial, steps, final: state };
}

function actorOf(ts: TransitionSystem, action: number, before: Int32Array, after: Int32Array): Actor {
  const ncpu = ts.model.cpus.length;
  if (action >= ncpu) {
    const h = ts.hardware[action - ncpu]!;
    return { kind: 'hw', rule: h.rule, cpu: h.cpu, page: h.page };
  }
  const pcSlot = ts.layout.cpus[action]!.pc;
  const node = ts.programs[action]!.nodes[before[pcSlot]!]!;
  const fault = node.stmt.k === 'access' && node.faultPc === after[pcSlot] && !completedWrite(ts, before, after);
  return { kind: 'cpu', cpu: action, stmt: node.stmt, label: node.label, fault };
}

function completedWrite(ts: TransitionSystem, before: Int32Array, after: Int32Array): boolean {
  const { versionBase } = ts.layout;
  for (let f = 0; f < ts.model.frames.length; f++) if (after[versionBase + f] !== before[versionBase + f]) return true;
  return false;
}
