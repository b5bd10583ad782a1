// The human report: a verdict line per property and, for violations, a trace with one column
// per CPU and the PTE/TLB changes after each step.
import type { Model, Property } from '../ir/model.js';
import type { TransitionSystem } from '../compile/index.js';
import type { ExploreResult, Limit } from '../explore/bfs.js';
import type { PropertyVerdict, Verdict } from '../explore/verdict.js';
import { spanText } from '../lang/source.js';
import { FINISHED, pointText } from '../program/graph.js';
import { changes, describeState } from './decode.js';
import { staleWrite } from './stale.js';
import { rebuildTrace, type Actor, type Trace } from './trace.js';

/** Width of a CPU's column; longer statements wrap onto indented continuation lines. */
const COLUMN = 40;

export interface TraceTextOptions {
  /** Also print every named value of the state after this step (0: the initial state). */
  readonly stateAt?: number;
}

export function statsLine(m: Model, r: ExploreResult): string {
  const n = (x: number, one: string) => `${x} ${one}${x === 1 ? '' : 's'}`;
  const lossy = r.storage.exact ? '' : `; hash compaction: probability of a missed state <= ${r.storage.missProbability.toPrecision(2)}`;
  return `${m.arch.name}, ${n(m.cpus.length, 'CPU')}, ${n(m.pages.length, 'page')}; ${r.states} states, ${r.transitions} transitions, search depth ${r.depth}, ${(r.elapsedMs / 1000).toFixed(2)} s${lossy}`;
}

export function stepText(actor: Actor, m: Model): string {
  // An interrupt delivery has no page: the CPU's column shows it taking the interrupt.
  if (actor.kind === 'hw') return actor.page < 0 ? `[interrupt] takes ${actor.rule}` : `[hw] ${actor.rule} ${m.pages[actor.page]!.name}`;
  const text = pointText(actor.point);
  return actor.fault ? `${text} -> fault` : text;
}

export function formatTrace(ts: TransitionSystem, r: ExploreResult, pv: PropertyVerdict, o: TraceTextOptions = {}): string {
  return traceText(ts, rebuildTrace(ts, r, pv.violation!), pv.property, o);
}

/** A trace as text; with `p`, what the property says and the state it fails in. */
export function traceText(ts: TransitionSystem, trace: Trace, p: Property | undefined, o: TraceTextOptions = {}): string {
  const m = ts.model;
  const header = ['step'.padEnd(5), ...m.cpus.map((c) => `${c.name} (cpu${c.index})`.padEnd(COLUMN)), 'changes'];
  const lines = [header.join(' ').trimEnd()];
  let before = trace.initial;
  trace.steps.forEach((step, i) => {
    if (i === trace.cycleFrom) lines.push(`----- the cycle: steps ${i + 1}-${trace.steps.length} repeat for ever -----`);
    const cells = m.cpus.map((c) => (step.actor.cpu === c.index ? wrap(stepText(step.actor, m), COLUMN - 1) : []));
    const delta = changes(ts, before, step.after).join('  ');
    const mark = step.failing ? '   <-- fails here' : staleWrite(ts, step.actor, before, step.after) ? '   <-- write through a stale TLB entry' : '';
    const rows = Math.max(1, ...cells.map((c) => c.length));
    for (let row = 0; row < rows; row++) {
      const cols = cells.map((c) => (c[row] ?? '').padEnd(COLUMN));
      const head = row === 0 ? String(i + 1) : '';
      lines.push(`${head.padEnd(5)} ${cols.join(' ')} ${row === 0 ? `${delta}${mark}` : ''}`.trimEnd());
    }
    before = step.after;
  });
  if (p) {
    const judged = describeState(ts, trace.final);
    const values = [...judged].filter(([k]) => !k.startsWith('tlb[') || judged.get(k) !== '-').map(([k, v]) => `${k}=${v}`).join(', ');
    const what = p.kind === 'builtin' || (p.kind === 'invariant' && p.builtin) ? describeBuiltin(p.name) : spanText(p.span).replace(/\s+/g, ' ');
    lines.push(`${p.name} ${p.kind === 'cover' ? 'reached' : 'fails'}: ${what}`);
    lines.push(`  in: ${values}`);
  }
  if (o.stateAt !== undefined) {
    const n = o.stateAt;
    if (n > trace.steps.length) lines.push(`state at step ${n}: the trace has ${trace.steps.length} steps`);
    else {
      lines.push(n === 0 ? 'state at step 0 (initial):' : `state after step ${n}:`);
      const s = n === 0 ? trace.initial : trace.steps[n - 1]!.after;
      for (const c of m.cpus) {
        const pc = ts.pcOf(c.index, s);
        lines.push(`  ${c.name}: ${pc === FINISHED ? 'finished' : `next ${pointText(ts.graph.cpus[c.index]!.points[pc]!)}`}`);
      }
      for (const [k, v] of describeState(ts, s)) lines.push(`  ${k} = ${v}`);
    }
  }
  return lines.join('\n');
}

/** `text` in lines of at most `width` characters, broken at spaces where possible; continuation lines are indented. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  const indent = '  ';
  let rest = text;
  while (rest.length > width) {
    const lead = out.length ? indent.length : 0;
    const space = rest.lastIndexOf(' ', width);
    const cut = space > lead ? space : width;
    out.push(rest.slice(0, cut).trimEnd());
    rest = indent + rest.slice(cut).trimStart();
  }
  out.push(rest);
  return out;
}

function describeBuiltin(name: string): string {
  switch (name) {
    case 'deadlock': return 'no CPU can make progress, and hardware steps cannot change that';
    case 'unhandled_fault': return 'an access faulted and the scenario has no fault handler for it';
    case 'loop_bound': return 'a while loop would run more often than its bound';
    case 'lock_misuse': return 'a lock was released by a CPU that does not hold it (or read-locked twice)';
    case 'overflow': return 'a value went outside the range of its type';
    case 'bbm': return 'break-before-make: a CPU holds a TLB entry for a page whose PTE is valid and maps another frame (the PTE went from valid to valid with a new output address without an invalid PTE and a completed TLBI in between; Arm ARM D8.16.1)';
    case 'livelock': return 'a CPU keeps faulting and retrying an access without completing it, while every other CPU is treated fairly (if the fault cannot be fixed, end the handler with `sigsegv;`; if the access must never complete, mark it `expect fault`)';
    default: return 'an access rule said done without a valid TLB entry';
  }
}

const LIMIT_TEXT: Record<Limit, string> = {
  states: 'state limit reached', time: 'time limit reached', memory: 'memory limit reached', interrupted: 'interrupted',
};
/** `violated a, b; never reached c`: what made a check fail. */
export function failedText(v: Verdict): string {
  const names = (status: string) => v.properties.filter((p) => p.status === status).map((p) => p.property.name).join(', ');
  const violated = names('violated');
  const unreached = names('unreached');
  return [violated && `violated  ${violated}`, unreached && `never reached  ${unreached}`].filter(Boolean).join('; ');
}

export function formatResult(ts: TransitionSystem, r: ExploreResult, v: Verdict, opts: { traces: boolean } & TraceTextOptions): string {
  const m = ts.model;
  const out: string[] = [];
  const violated = v.properties.filter((p) => p.status === 'violated');
  const head = v.outcome === 'inconclusive'
    ? `inconclusive  (${LIMIT_TEXT[r.limit ?? 'states']}${r.limit === 'memory' ? ` with ${Math.round(r.storage.bytes / 2 ** 20)} MiB of states stored` : ''}: ${statsLine(m, r)})`
    : `${v.outcome === 'holds' ? 'holds  all properties' : failedText(v)}  (${statsLine(m, r)})`;
  out.push(head);
  if (v.expected) out.push(`expected ${v.expected}: ${v.exit === 0 ? 'met' : v.exit === 3 ? 'unknown' : 'MISSED'}`);
  if (opts.traces) {
    for (const p of violated) {
      const lasso = p.violation!.lasso;
      const what = lasso
        ? `violated ${p.property.name}: after ${lasso.prefix.length} step${lasso.prefix.length === 1 ? '' : 's'} (the shortest), a cycle of ${lasso.cycle.length} step${lasso.cycle.length === 1 ? '' : 's'} in which ${m.cpus[lasso.cpu]!.name} never completes its access:`
        : `violated ${p.property.name} after ${p.violation!.depth} steps (shortest):`;
      out.push('', what, '', formatTrace(ts, r, p, opts));
    }
    for (const p of v.properties.filter((q) => q.status === 'reached')) {
      out.push('', `reached ${p.property.name} after ${p.violation!.depth} steps (shortest witness):`, '', formatTrace(ts, r, p, opts));
    }
  }
  return out.join('\n');
}
