// The program stage: each CPU's checked statement tree flattened into program points, one per
// step, with their successors, the locals live at each point and the text a trace shows for it.
// Control-only statements (blocks, inlined calls, value-less returns, unrolled loops) take no
// step and vanish into the points they lead to. Compilation, the Promela export, coverage and
// traces all read this graph; nothing else flattens programs.
import type { Cpu, Local, Model, Stmt } from '../ir/model.js';
import { spanText } from '../lang/source.js';

/** The program counter of a finished CPU; real points start at 1. */
export const FINISHED = 0;

/** Where control goes after a point's step. */
export type Successors =
  /** Every other step (a `return e;` goes to its call's continuation). */
  | { readonly k: 'step'; readonly next: number }
  /** `if`: the test's outcome picks the branch. */
  | { readonly k: 'branch'; readonly then: number; readonly else: number }
  /** `while`: a true test enters the body (which falls back to the test), a false one leaves. */
  | { readonly k: 'loop'; readonly body: number; readonly exit: number }
  /**
   * A user access: `done` when it completes; when it faults, `fault`: the handler's first step
   * (or the access again when the handler takes no step), or the access itself when there is no
   * handler, which is the violation `unhandled_fault`.
   */
  | { readonly k: 'access'; readonly done: number; readonly fault: number; readonly handled: boolean };

export interface ProgramPoint {
  readonly pc: number;
  readonly stmt: Stmt;
  /** The locals live at this point, outermost first; leaving a point drops those its target lacks. */
  readonly scope: readonly Local[];
  /** For a step of an inlined procedure: the call as the scenario wrote it (and the inner step). */
  readonly label?: string;
  readonly next: Successors;
}

export interface CpuProgram {
  readonly cpu: Cpu;
  readonly entry: number;
  /** Indexed by pc; index FINISHED is undefined. */
  readonly points: readonly (ProgramPoint | undefined)[];
  /** Where a `return` that leaves inlined call `callId` continues. */
  readonly returnTo: ReadonlyMap<number, number>;
}

export interface ProgramGraph {
  readonly model: Model;
  readonly cpus: readonly CpuProgram[];
}

export function programGraph(m: Model): ProgramGraph {
  return { model: m, cpus: m.cpus.map(cpuProgram) };
}

type Building = { -readonly [K in keyof ProgramPoint]: ProgramPoint[K] };

function cpuProgram(cpu: Cpu): CpuProgram {
  const points: (Building | undefined)[] = [undefined];
  const returnTo = new Map<number, number>();
  const point = (stmt: Stmt, scope: readonly Local[]): Building => {
    const p: Building = { pc: points.length, stmt, scope, next: { k: 'step', next: FINISHED } };
    points.push(p);
    return p;
  };

  // Flattens `st` so that it continues at pc `next`; returns the pc where it starts.
  const build = (st: Stmt, next: number, scope: readonly Local[]): number => {
    switch (st.k) {
      case 'block': {
        const inner = [...scope, ...st.locals];
        return st.body.reduceRight((after, s) => build(s, after, inner), next);
      }
      case 'call': {
        returnTo.set(st.callId, next);
        const first = points.length;
        const entry = build(st.body, next, scope);
        labelCall(points.slice(first) as Building[], st);
        return entry;
      }
      case 'return':
        if (!st.value) return returnTo.get(st.callId)!;
        break;
      case 'while': {
        const inner = [...scope, st.counter];
        const p = point(st, inner);
        p.next = { k: 'loop', body: build(st.body, p.pc, inner), exit: next };
        return p.pc;
      }
      case 'if': {
        const p = point(st, scope);
        const then = build(st.then, next, scope);
        p.next = { k: 'branch', then, else: st.else ? build(st.else, next, scope) : next };
        return p.pc;
      }
      case 'access': {
        const p = point(st, scope);
        const handler = st.handler ? build(st.handler, p.pc, scope) : undefined;
        p.next = { k: 'access', done: next, fault: handler ?? p.pc, handled: handler !== undefined };
        return p.pc;
      }
      default:
        break;
    }
    const p = point(st, scope);
    // `sigsegv;` ends the CPU's program wherever the handler was inlined.
    p.next = { k: 'step', next: st.k === 'return' ? returnTo.get(st.callId)! : st.k === 'kill' ? FINISHED : next };
    return p.pc;
  };

  const entry = build(cpu.body, FINISHED, []);
  return { cpu, entry, points, returnTo };
}

/** Steps of an inlined call are shown as the call the scenario wrote (plus the inner step if several). */
function labelCall(inner: Building[], call: Stmt & { k: 'call' }): void {
  const text = spanText(call.span).replace(/\s+/g, ' ');
  for (const p of inner) p.label = inner.length === 1 ? text : `${text} > ${p.label ?? stmtHead(p.stmt)}`;
}

/** The first line of a statement: `if (cond)` rather than its whole body. */
export function stmtHead(st: Stmt): string {
  const text = spanText(st.span).replace(/\s+/g, ' ').trim();
  return st.k === 'if' || st.k === 'while' ? text.replace(/\s*\{.*$/, '') : text;
}

/** What a trace or coverage report shows for a point: its call label, or its statement's head. */
export function pointText(p: ProgramPoint): string {
  return p.label ?? stmtHead(p.stmt);
}

/** The pcs a point's step may go to. */
export function targets(s: Successors): readonly number[] {
  switch (s.k) {
    case 'step': return [s.next];
    case 'branch': return [s.then, s.else];
    case 'loop': return [s.body, s.exit];
    case 'access': return [s.done, s.fault];
  }
}
