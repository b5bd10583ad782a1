// The explain stage: the window of a race. A counterexample is one interleaving; this searches
// every interleaving of the *same steps* — each CPU's steps in its own order and along the same
// statements (same program counters, so the same branches and access outcomes), each hardware
// step as often as in the trace — from the trace's initial state, with the real transition
// system. The constrained product (state × how many of each action's steps have run) is a DAG
// layered by the number of steps taken; the interleavings that keep the violation are its paths
// to the judged end (judge.ts). From the live edges (on such a path) it reads, for each step,
// the positions it takes, and which steps precede it in every violating interleaving: the
// orderings the race needs, those a fix must make impossible. When the violation is a failing
// step, that step must fail where it runs, and the steps after it no longer matter: they run
// "after the violation" in any order.
import { DISABLED, OK, stepped, type TransitionSystem } from '../compile/index.js';
import type { ExploreResult } from '../explore/bfs.js';
import type { PropertyVerdict } from '../explore/verdict.js';
import { stepText } from '../report/text.js';
import { rebuildTrace, type Trace } from '../report/trace.js';
import { failsAsJudged, judgeOf, type Judge } from './judge.js';

/** Where one step of the counterexample can go and keep the violation. */
export interface StepWindow {
  /** Its position in the counterexample (1-based). */
  readonly step: number;
  /** The CPU, or `hw:CPU` for a hardware step, and the statement, as the trace shows them. */
  readonly actor: string;
  readonly text: string;
  /** The first and last position it takes in a violating interleaving of these steps. */
  readonly earliest: number;
  readonly latest: number;
  /** The step that broke the property (the steps placed after it run after the violation). */
  readonly failing: boolean;
  /** Steps of other actors it comes after / before in every violating interleaving (the nearest ones). */
  readonly after: readonly number[];
  readonly before: readonly number[];
}

/** Step `first` comes before step `then` in every violating interleaving. */
export interface Ordering {
  readonly first: number;
  readonly then: number;
  /**
   * Step `then` waits for step `first` (a lock, an await): it is enabled in no reached state
   * where `first` has not run. Such an ordering is the program's synchronization, not the race;
   * a fix must prevent one of the others.
   */
  readonly forced: boolean;
}

export interface Explanation {
  readonly property: string;
  /** False when the constrained search stopped at its state limit: nothing below is reliable. */
  readonly complete: boolean;
  /** States of the constrained search. */
  readonly states: number;
  /**
   * Interleavings of the steps that run to the end (with a failing step: up to it, and it runs,
   * failing or not) / that also keep the violation.
   */
  readonly interleavings: number;
  readonly violating: number;
  /** One per step of the counterexample, in order. */
  readonly windows: readonly StepWindow[];
  /**
   * The orderings between steps of different actors that every violating interleaving has, less
   * those implied by others (a transitive reduction); program order within a CPU is left out.
   */
  readonly orderings: readonly Ordering[];
}

export interface ExplainOptions {
  /** States of the constrained search after which it stops (complete: false). */
  readonly maxStates?: number;
}

export const DEFAULT_EXPLAIN_STATES = 1_000_000;

export function explainViolation(ts: TransitionSystem, r: ExploreResult, pv: PropertyVerdict, o: ExplainOptions = {}): Explanation {
  return explainTrace(ts, rebuildTrace(ts, r, pv.violation!), judgeOf(ts, pv.index, pv.violation!), pv.property.name, o);
}

interface Edge { readonly from: number; readonly to: number; readonly event: number }

export function explainTrace(ts: TransitionSystem, trace: Trace, judge: Judge, property: string, o: ExplainOptions = {}): Explanation {
  const maxStates = o.maxStates ?? DEFAULT_EXPLAIN_STATES;
  const moving = trace.steps;
  const n = moving.length;
  /** The failing step (for a step judge, the trace's last), or -1. */
  const failing = judge.kind === 'step' ? n - 1 : -1;
  // The steps as events: the k-th step of each action used (a dense slot per action).
  const slotOf = new Map<number, number>();
  const slotAction: number[] = [];
  const eventsOf: number[][] = [];
  /** For a CPU step: the program counter its CPU must be at after it. */
  const pcAfter: number[] = [];
  moving.forEach((s, i) => {
    let slot = slotOf.get(s.action);
    if (slot === undefined) { slot = slotAction.length; slotOf.set(s.action, slot); slotAction.push(s.action); eventsOf.push([]); }
    eventsOf[slot]!.push(i);
    pcAfter.push(s.actor.kind === 'cpu' ? ts.pcOf(s.actor.cpu, s.after) : -1);
  });
  const slots = slotAction.length;
  /** Marks `row * n + i` in `m` for every step i that has not run where `f` says how many of each action have. */
  const markUnrun = (m: Uint8Array, row: number, f: Uint16Array) => {
    for (let slot = 0; slot < slots; slot++) {
      const evs = eventsOf[slot]!;
      for (let k = f[slot]!; k < evs.length; k++) m[row * n + evs[k]!] = 1;
    }
  };
  // canRunBefore[j * n + i]: step j is enabled in some reached state where step i has not run.
  const canRunBefore = new Uint8Array(n * n);

  const states: Int32Array[] = [trace.initial];
  const fired: Uint16Array[] = [new Uint16Array(slots)];
  const depth: number[] = [0];
  /** After the failing step: 0 not yet, FAILED it failed as in the trace, PASSED it ran without failing so. */
  const outcome: number[] = [0];
  const index = new Map<string, number>([[keyOf(trace.initial, fired[0]!, 0), 0]]);
  const edges: Edge[] = [];
  let complete = true;
  for (let cur = 0; cur < states.length && complete; cur++) {
    const s = states[cur]!;
    const f = fired[cur]!;
    for (let slot = 0; slot < slots; slot++) {
      const event = eventsOf[slot]![f[slot]!];
      if (event === undefined) continue;
      let after = s;
      let out = outcome[cur]!;
      // After the failing step the run is over: the remaining steps come after it, unrun.
      if (!out) {
        const r = stepped(ts, slotAction[slot]!, s);
        if (r.code !== DISABLED) markUnrun(canRunBefore, event, f);
        if (event === failing) {
          if (r.code === DISABLED) continue;
          out = judge.kind === 'step' && failsAsJudged(judge, r) ? FAILED : PASSED;
        } else {
          const step = moving[event]!;
          if (r.code !== OK || (step.actor.kind === 'cpu' && ts.pcOf(step.actor.cpu, r.after) !== pcAfter[event])) continue;
          after = r.after;
        }
      }
      const nf = f.slice();
      nf[slot]!++;
      const key = keyOf(after, nf, out);
      let to = index.get(key);
      if (to === undefined) {
        if (states.length >= maxStates) { complete = false; break; }
        to = states.length;
        index.set(key, to);
        states.push(after); fired.push(nf); depth.push(depth[cur]! + 1); outcome.push(out);
      }
      edges.push({ from: cur, to, event });
    }
  }

  // Per product state, the ways from it to an end `isEnd` accepts (edges are in order of their
  // source, whose layer precedes their target's, so one backward pass suffices).
  const waysTo = (isEnd: (i: number) => boolean) => {
    const ways = new Float64Array(states.length);
    states.forEach((_, i) => { if (depth[i] === n && isEnd(i)) ways[i] = 1; });
    for (let e = edges.length - 1; e >= 0; e--) ways[edges[e]!.from]! += ways[edges[e]!.to]!;
    return ways;
  };
  const toViolation = waysTo((i) => (judge.kind === 'step' ? outcome[i] === FAILED : judge.violated(states[i]!)));
  const toEnd = waysTo(() => true);
  /** Whether step i must precede step j on every way `ways` counts: no edge of j on such a way leaves a state where i has not run. */
  const orderOn = (ways: Float64Array) => {
    const free = new Uint8Array(n * n);
    for (const { from, to, event } of edges) if (ways[to]) markUnrun(free, event, fired[from]!);
    return (i: number, j: number) => i !== j && !free[j * n + i];
  };

  const earliest = new Array<number>(n).fill(Infinity);
  const latest = new Array<number>(n).fill(-Infinity);
  for (const { from, to, event } of edges) {
    if (!toViolation[to]) continue;
    const at = depth[from]! + 1;
    if (at < earliest[event]!) earliest[event] = at;
    if (at > latest[event]!) latest[event] = at;
  }
  const sameCpu = (i: number, j: number) => {
    const a = moving[i]!.actor, b = moving[j]!.actor;
    return a.kind === 'cpu' && b.kind === 'cpu' && a.cpu === b.cpu;
  };
  if (complete && !toViolation[0]) throw new Error('internal: the counterexample does not keep its own violation when replayed');
  const orderings: Ordering[] = [];
  if (complete) {
    const must = orderOn(toViolation);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      if (!must(i, j) || sameCpu(i, j)) continue;
      let implied = false;
      for (let k = i + 1; k < j && !implied; k++) implied = must(i, k) && must(k, j);
      if (!implied) orderings.push({ first: i + 1, then: j + 1, forced: !canRunBefore[j * n + i] });
    }
  }
  const m = ts.model;
  const windows: StepWindow[] = trace.steps.map(({ actor }, i) => {
    const named = { step: i + 1, actor: actor.kind === 'cpu' ? m.cpus[actor.cpu]!.name : `hw:${m.cpus[actor.cpu]!.name}`, text: stepText(actor, m) };
    return {
      ...named, failing: i === failing, earliest: earliest[i]!, latest: latest[i]!,
      after: orderings.filter((x) => x.then === i + 1).map((x) => x.first),
      before: orderings.filter((x) => x.first === i + 1).map((x) => x.then),
    };
  });
  return { property, complete, states: states.length, interleavings: toEnd[0]!, violating: toViolation[0]!, windows: complete ? windows : [], orderings };
}

const FAILED = 1;
const PASSED = 2;

function keyOf(s: Int32Array, fired: Uint16Array, outcome: number): string {
  return `${s.join(',')}|${fired.join(',')}|${outcome}`;
}
