// The simulate stage: one random run of a transition system, reproducible from its seed. From a
// random initial state, each step is an enabled action (CPU step or hardware step) picked
// uniformly by a seeded generator; the run ends when a property fails, when every CPU has
// finished or none can move (a deadlock, judged as the search judges one), or after a step limit.
import { DISABLED, OK, stepped, type TransitionSystem } from '../compile/index.js';
import { deadlocked } from '../explain/judge.js';
import { actorOf, type Trace, type TraceStep } from '../report/trace.js';

export interface SimulateOptions {
  /** Seeds the generator: the same seed gives the same run. */
  readonly seed: number;
  /** Steps after which the run stops. */
  readonly steps: number;
}

export interface Simulation {
  readonly trace: Trace;
  /** How the run ended. */
  readonly end: 'violated' | 'finished' | 'steps';
  /** The violated property's index in the model (with end 'violated'). */
  readonly property?: number;
}

export const DEFAULT_SIMULATE_STEPS = 1000;

/** mulberry32: a small, well-mixed 32-bit generator; returns numbers in [0, 1). */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export function simulate(ts: TransitionSystem, o: SimulateOptions): Simulation {
  const random = generator(o.seed);
  const initials = ts.initialStates();
  const initial = initials[Math.floor(random() * initials.length)]!;
  const steps: TraceStep[] = [];
  const deadlock = ts.model.properties.findIndex((p) => p.name === 'deadlock');
  const done = (end: Simulation['end'], final: Int32Array, property?: number): Simulation => ({ trace: { initial, steps, final }, end, property });
  let s = initial;
  for (;;) {
    const broken = failedCheck(ts, s);
    if (broken !== undefined) return done('violated', s, broken);
    if (steps.length >= o.steps) return done('steps', s);
    const enabled = ts.actions.map((a) => ({ a: a.index, ...stepped(ts, a.index, s) })).filter((x) => x.code !== DISABLED);
    const cpuCanMove = enabled.some((x) => x.a < ts.cpuActions);
    if (!cpuCanMove && ts.finished(s)) return done('finished', s);
    // Nothing enabled at all is a deadlock too (every scenario has the built-in property).
    if (!cpuCanMove && deadlocked(ts, s)) return done('violated', s, deadlock);
    const pick = enabled[Math.floor(random() * enabled.length)]!;
    // A step stopped by a built-in violation, or one that completed breaking an assert or access property.
    const failing = pick.code !== OK || pick.broke.length > 0;
    steps.push({ action: pick.a, actor: actorOf(ts, pick.a, s, pick.after), after: pick.after, failing });
    if (pick.code !== OK) return done('violated', s, pick.code - 1);
    if (failing) return done('violated', pick.after, pick.broke[0]);
    s = pick.after;
  }
}

/** The first invariant (or, where every CPU has finished, final) property `s` breaks. */
function failedCheck(ts: TransitionSystem, s: Int32Array): number | undefined {
  const inv = ts.invariants.find((t) => !t.test(s));
  if (inv) return inv.prop;
  return ts.finished(s) ? ts.finals.find((t) => !t.test(s))?.prop : undefined;
}
