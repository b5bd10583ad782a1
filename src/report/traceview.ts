// A violation's trace as plain data for the file reports (JUnit, SARIF, HTML): each step with its
// source location, the whole state after it, and whether it is a write through a stale TLB entry
// (one whose flags disagree with the PTE it was filled from). Plain data, so the search result
// can be dropped as soon as a file is checked. States are lists of [name, value] pairs, never
// objects keyed by name: the names are the user's (a page may be called `__proto__`).
import type { TransitionSystem } from '../compile/index.js';
import type { ExploreResult } from '../explore/bfs.js';
import type { Verdict } from '../explore/verdict.js';
import { spanText } from '../lang/source.js';
import { locationOf, type Location } from './coverage.js';
import { changes, describeState } from './decode.js';
import { staleEntryOf } from './stale.js';
import { formatTrace, stepText } from './text.js';
import { rebuildTrace } from './trace.js';

export interface StepView {
  readonly step: number;
  readonly cpu: number;
  readonly actor: string;
  readonly hardware: boolean;
  readonly text: string;
  readonly location: Location | null;
  /** Character offsets of the statement in its file (for highlighting the source). */
  readonly span: { readonly file: string; readonly start: number; readonly end: number } | null;
  readonly changes: readonly string[];
  readonly failing: boolean;
  /** A completed write through a TLB entry that disagrees with the PTE. */
  readonly staleWrite: boolean;
  /** That entry (`tlb[cpu][page]`), for a stale write. */
  readonly staleEntry: string | null;
  /** The state after the step: PTEs, TLB entries, globals, frames, locks, live locals. */
  readonly state: StateView;
}

/** A described state, in state order. */
export type StateView = readonly (readonly [name: string, value: string])[];

export interface TraceView {
  readonly property: string;
  readonly kind: string;
  /** The scenario expects this violation. */
  readonly expected: boolean;
  readonly description: string;
  readonly location: Location | null;
  readonly depth: number;
  readonly cpus: readonly string[];
  /** PTE and TLB entry names, in state order. */
  readonly memoryKeys: readonly string[];
  /** The other shared state (globals, frame versions, locks), in state order; not CPUs' locals. */
  readonly globalKeys: readonly string[];
  readonly initial: StateView;
  readonly steps: readonly StepView[];
  /** The trace as the text report prints it. */
  readonly text: string;
}

export function traceViews(ts: TransitionSystem, r: ExploreResult, v: Verdict): TraceView[] {
  const m = ts.model;
  const want = new Set(m.expectation?.violated ?? []);
  return v.properties.filter((p) => p.status === 'violated').map((pv) => {
    const trace = rebuildTrace(ts, r, pv.violation!);
    let before = trace.initial;
    const steps = trace.steps.map((step, i): StepView => {
      const a = step.actor;
      const span = a.kind === 'cpu' ? a.point.stmt.span : undefined;
      const staleEntry = staleEntryOf(ts, a, before, step.after);
      const view: StepView = {
        step: i + 1,
        cpu: a.cpu,
        actor: a.kind === 'cpu' ? m.cpus[a.cpu]!.name : `hw:${m.cpus[a.cpu]!.name}`,
        hardware: a.kind === 'hw',
        text: stepText(a, m),
        location: span ? locationOf(span) : null,
        span: span ? { file: span.file.path, start: span.start, end: span.end } : null,
        changes: changes(ts, before, step.after),
        failing: step.failing,
        staleWrite: staleEntry !== null,
        staleEntry,
        state: [...describeState(ts, step.after)],
      };
      before = step.after;
      return view;
    });
    const p = pv.property;
    const initial = [...describeState(ts, trace.initial)];
    const names = initial.map(([k]) => k);
    const isMemory = (k: string) => k.startsWith('tlb[') || m.pages.some((pg) => pg.name === k);
    const isLocal = (k: string) => m.cpus.some((c) => k.startsWith(`${c.name}.`));
    return {
      property: p.name,
      kind: p.kind,
      expected: want.has(p.name),
      description: p.kind === 'builtin' ? p.name : spanText(p.span).replace(/\s+/g, ' '),
      location: p.span ? locationOf(p.span) : null,
      depth: pv.violation!.depth,
      cpus: m.cpus.map((c) => c.name),
      memoryKeys: names.filter(isMemory),
      globalKeys: names.filter((k) => !isMemory(k) && !isLocal(k)),
      initial,
      steps,
      text: formatTrace(ts, r, pv),
    };
  });
}
