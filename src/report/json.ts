// Machine-readable result: the verdict, the numbers, and each violation's (or witness's) trace.
import type { TransitionSystem } from '../compile/index.js';
import type { ExploreResult } from '../explore/bfs.js';
import type { Verdict } from '../explore/verdict.js';
import { lineCol } from '../lang/source.js';
import { changes, describeState } from './decode.js';
import { rebuildTrace } from './trace.js';
import { stepText } from './text.js';

/** Bumped whenever a field changes meaning or disappears. */
export const JSON_SCHEMA_VERSION = 1;

export function resultJson(ts: TransitionSystem, r: ExploreResult, v: Verdict) {
  const m = ts.model;
  return {
    file: m.file,
    arch: m.arch.name,
    modelFiles: m.arch.files,
    cpus: m.cpus.map((c) => c.name),
    pages: m.pages.map((p) => p.name),
    outcome: v.outcome,
    expected: v.expected ?? null,
    exit: v.exit,
    stats: { states: r.states, transitions: r.transitions, finalStates: r.finalStates, depth: r.depth, ms: r.elapsedMs, limit: r.limit ?? null, hashCompaction: r.storage.exact ? null : { missProbability: r.storage.missProbability } },
    properties: v.properties.map((p) => {
      // A violation's trace, or a reached cover goal's shortest witness.
      if (!p.violation) return { name: p.property.name, kind: p.property.kind, status: p.status };
      const trace = rebuildTrace(ts, r, p.violation!);
      let before = trace.initial;
      return {
        name: p.property.name,
        kind: p.property.kind,
        status: p.status,
        depth: p.violation!.depth,
        initial: Object.fromEntries(describeState(ts, trace.initial)),
        trace: trace.steps.map((step, i) => {
          const loc = step.actor.kind === 'cpu' ? step.actor.point.stmt.span : undefined;
          const entry = {
            step: i + 1,
            actor: step.actor.kind === 'cpu' ? m.cpus[step.actor.cpu]!.name : `hw:${m.cpus[step.actor.cpu]!.name}`,
            hardware: step.actor.kind === 'hw',
            text: stepText(step.actor, m),
            location: loc ? { file: loc.file.path, ...lineCol(loc.file, loc.start) } : null,
            changes: changes(ts, before, step.after),
            failing: step.failing,
          };
          before = step.after;
          return entry;
        }),
        final: Object.fromEntries(describeState(ts, trace.final)),
        // A livelock's trace is a lasso: steps from `cycleFrom` (1-based) to the last repeat for ever.
        ...(trace.cycleFrom !== undefined ? { cycleFrom: trace.cycleFrom + 1 } : {}),
      };
    }),
  };
}
