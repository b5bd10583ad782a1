// The human report: a verdict line per property and, for violations, a trace with one column
// per CPU and the PTE/TLB changes after each step.
import type { Model } from '../ir/model.js';
import type { TransitionSystem } from '../compile/index.js';
import type { ExploreResult, Limit } from '../explore/bfs.js';
import type { PropertyVerdict, Verdict } from '../explore/verdict.js';
import { spanText } from '../lang/source.js';
import { pointText } from '../program/graph.js';
import { changes, describeState } from './decode.js';
import { rebuildTrace, type Actor } from './trace.js';

const COLUMN = 40;

export function statsLine(m: Model, r: ExploreResult): string {
  const n = (x: number, one: string) => `${x} ${one}${x === 1 ? '' : 's'}`;
  const lossy = r.storage.exact ? '' : `; hash compaction: probability of a missed state <= ${r.storage.missProbability.toPrecision(2)}`;
  return `${m.arch.name}, ${n(m.cpus.length, 'CPU')}, ${n(m.pages.length, 'page')}; ${r.states} states, ${r.transitions} transitions, search depth ${r.depth}, ${(r.elapsedMs / 1000).toFixed(2)} s${lossy}`;
}

export function stepText(actor: Actor, m: Model): string {
  if (actor.kind === 'hw') return `[hw] ${actor.rule} ${m.pages[actor.page]!.name}`;
  const text = pointText(actor.point);
  return actor.fault ? `${text} -> fault` : text;
}

export function formatTrace(ts: TransitionSystem, r: ExploreResult, pv: PropertyVerdict): string {
  const m = ts.model;
  const trace = rebuildTrace(ts, r, pv.violation!);
  const header = ['step'.padEnd(5), ...m.cpus.map((c) => `${c.name} (cpu${c.index})`.padEnd(COLUMN)), 'changes'];
  const lines = [header.join(' ').trimEnd()];
  let before = trace.initial;
  trace.steps.forEach((step, i) => {
    const cols = m.cpus.map((c) => (step.actor.cpu === c.index ? fit(stepText(step.actor, m)) : '').padEnd(COLUMN));
    const delta = changes(ts, before, step.after).join('  ');
    const mark = step.failing ? '   <-- fails here' : '';
    lines.push(`${String(i + 1).padEnd(5)} ${cols.join(' ')} ${delta}${mark}`.trimEnd());
    before = step.after;
  });
  const p = pv.property;
  const judged = describeState(ts, trace.final);
  const values = [...judged].filter(([k]) => !k.startsWith('tlb[') || judged.get(k) !== '-').map(([k, v]) => `${k}=${v}`).join(', ');
  const what = p.kind === 'builtin' ? describeBuiltin(p.name) : spanText(p.span).replace(/\s+/g, ' ');
  lines.push(`${p.name} fails: ${what}`);
  lines.push(`  in: ${values}`);
  return lines.join('\n');
}

function fit(text: string): string {
  return text.length > COLUMN - 1 ? `${text.slice(0, COLUMN - 4)}...` : text;
}

function describeBuiltin(name: string): string {
  switch (name) {
    case 'deadlock': return 'no CPU can make progress, and hardware steps cannot change that';
    case 'unhandled_fault': return 'an access faulted and the scenario has no fault handler for it';
    case 'loop_bound': return 'a while loop would run more often than its bound';
    case 'lock_misuse': return 'a lock was released by a CPU that does not hold it (or read-locked twice)';
    case 'overflow': return 'a value went outside the range of its type';
    default: return 'an access rule said done without a valid TLB entry';
  }
}

const LIMIT_TEXT: Record<Limit, string> = {
  states: 'state limit reached', time: 'time limit reached', memory: 'memory limit reached', interrupted: 'interrupted',
};

export function formatResult(ts: TransitionSystem, r: ExploreResult, v: Verdict, opts: { traces: boolean }): string {
  const m = ts.model;
  const out: string[] = [];
  const violated = v.properties.filter((p) => p.status === 'violated');
  const head = v.outcome === 'inconclusive'
    ? `inconclusive  (${LIMIT_TEXT[r.limit ?? 'states']}${r.limit === 'memory' ? ` with ${Math.round(r.storage.bytes / 2 ** 20)} MiB of states stored` : ''}: ${statsLine(m, r)})`
    : `${v.outcome}  ${violated.map((p) => p.property.name).join(', ') || 'all properties'}  (${statsLine(m, r)})`;
  out.push(head);
  if (v.expected) out.push(`expected ${v.expected}: ${v.exit === 0 ? 'met' : v.exit === 3 ? 'unknown' : 'MISSED'}`);
  if (opts.traces) {
    for (const p of violated) {
      out.push('', `violated ${p.property.name} after ${p.violation!.depth} steps (shortest):`, '', formatTrace(ts, r, p));
    }
  }
  return out.join('\n');
}
