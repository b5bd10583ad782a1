// Both engines behind one result shape, for differential tests.
import type { Model } from '../../src/ir/model.js';
import { compileModel } from '../../src/compile/index.js';
import { explore } from '../../src/explore/bfs.js';
import { withLivelock } from '../../src/explore/livelock.js';
import { exploreReference } from '../../src/reference/index.js';

export interface Verdicts {
  states: number;
  transitions: number;
  /** The engine stopped at maxStates. */
  limited: boolean;
  /** Per property, model order. */
  properties: { name: string; violated: boolean; depth?: number }[];
}

export function runFast(model: Model, maxStates: number): Verdicts {
  const ts = compileModel(model);
  const r = withLivelock(ts, explore(ts, { maxStates }), { maxStates });
  return {
    states: r.states, transitions: r.transitions, limited: r.limit !== undefined,
    properties: model.properties.map((p, i) => {
      const v = r.violations[i];
      return v ? { name: p.name, violated: true, depth: v.depth } : { name: p.name, violated: false };
    }),
  };
}

export function runReference(model: Model, maxStates: number): Verdicts {
  const r = exploreReference(model, { maxStates });
  return { states: r.states, transitions: r.transitions, limited: r.limitHit, properties: r.properties };
}
