// A counterexample as a list of steps with the state after each, rebuilt from the parent links.
import type { Stmt } from '../check/model.js';
import type { TransitionSystem } from '../compile/index.js';
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

export function rebuildTrace(ts: TransitionSystem, r: ExploreResult, v: Violation): Trace {
  const chain: number[] = [];
  for (let i = v.state; i >= 0; i = r.parent.get(i)) chain.unshift(i);
  const steps: TraceStep[] = [];
  for (let k = 1; k < chain.length; k++) {
    const before = r.store.get(chain[k - 1]!);
    const after = r.store.get(chain[k]!);
    steps.push({ actor: actorOf(ts, r.action.get(chain[k]!), before, after), after, failing: false });
  }
  const last = r.store.get(chain[chain.length - 1]!);
  if (v.action !== undefined) {
    const work = new Int32Array(ts.workSize);
    work.set(last);
    const ncpu = ts.model.cpus.length;
    if (v.action < ncpu) ts.cpuStep(v.action, work);
    else ts.hardware[v.action - ncpu]!.exec(work);
    const after = work.slice(0, ts.stateSize);
    steps.push({ actor: actorOf(ts, v.action, last, after), after, failing: true });
  }
  return { initial: r.store.get(chain[0]!), steps, final: last };
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

