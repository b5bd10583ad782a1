// Coverage after the search, like SPIN's unreached-code report: which program steps and which
// access-rule outcomes (done / fault) happened in some reachable state. Computed by scanning the
// stored states once, so the search itself pays nothing for it: a step (cpu, pc) was reached iff
// some stored state has that pc; an access outcome happened iff running the access from some
// stored state at that pc gives it. With symmetry the stored states are representatives, so the
// members of a group of identical CPUs share their coverage (what one member reaches, a permuted
// state lets every member reach).
import type { Stmt } from '../ir/model.js';
import { DISABLED, OK, type TransitionSystem } from '../compile/index.js';
import { pointText, type CpuProgram, type ProgramPoint } from '../program/graph.js';
import { forEachStmt } from '../ir/walk.js';
import type { ExploreResult } from '../explore/bfs.js';
import { relative } from 'node:path';
import { lineCol } from '../lang/source.js';

function shortPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel.startsWith('..') ? p : rel;
}

export interface Location {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
}

export interface Unreached {
  readonly cpu: string;
  /** `statement`: never executed; `done`/`fault`: an access that never completed / never faulted. */
  readonly what: 'statement' | 'done' | 'fault';
  readonly access: boolean;
  /** An access written `... expect fault;`: that it never completes is the claim, not a gap. */
  readonly expectsFault: boolean;
  /** For a statement of a fault handler or an inlined procedure: where its copies were inlined. */
  readonly in?: readonly string[];
  readonly text: string;
  readonly location: Location;
}

export interface Coverage {
  readonly statements: { readonly reached: number; readonly total: number };
  readonly accessOutcomes: { readonly reached: number; readonly total: number };
  readonly unreached: readonly Unreached[];
  /** No reachable state has a frame version above 0: no user write ever completed. */
  readonly zeroWrites: boolean;
  /** The model has at least one `write` statement that is not `expect fault`. */
  readonly hasWrites: boolean;
  /** Coverage of a search a limit stopped is of the states explored only. */
  readonly partial: boolean;
  /** Why there is no coverage at all (hash compaction keeps no states to scan). */
  readonly unavailable?: string;
}

export function locationOf(span: Stmt['span']): Location {
  const a = lineCol(span.file, span.start);
  const b = lineCol(span.file, span.end);
  return { file: span.file.path, line: a.line, col: a.col, endLine: b.line, endCol: b.col };
}

export function computeCoverage(ts: TransitionSystem, r: ExploreResult): Coverage {
  const m = ts.model;
  const programs = ts.graph.cpus;
  const ncpu = m.cpus.length;
  const faultCode = m.properties.findIndex((p) => p.name === 'unhandled_fault') + 1;
  const reached = programs.map((p) => new Uint8Array(p.points.length));
  // Per cpu and pc: bit 1 = done seen, bit 2 = fault seen.
  const outcomes = programs.map((p) => new Uint8Array(p.points.length));
  const { versionBase } = ts.layout;
  const nframes = m.frames.length;
  let writes = false;
  const work = new Int32Array(ts.stateSize);
  const scanned = r.scanStates((s) => {
    if (!writes) for (let f = 0; f < nframes; f++) if (s[versionBase + f]! > 0) writes = true;
    for (let c = 0; c < ncpu; c++) {
      const pc = ts.pcOf(c, s);
      reached[c]![pc] = 1;
      const next = programs[c]!.points[pc]?.next;
      if (next?.k !== 'access' || outcomes[c]![pc] === 3) continue;
      work.set(s);
      const code = ts.cpuStep(c, work);
      if (code === DISABLED) continue;
      const fault = code === faultCode || (code === OK && ts.pcOf(c, work) === next.fault && !changedVersion(work, s, versionBase, nframes));
      outcomes[c]![pc]! |= fault ? 2 : 1;
    }
  });
  if (!scanned) {
    const none = { reached: 0, total: 0 };
    return { statements: none, accessOutcomes: none, unreached: [], zeroWrites: false, hasWrites: false, partial: true, unavailable: 'hash compaction keeps no states to scan' };
  }
  if (r.symmetry?.groups.length) {
    for (const g of r.symmetry.groups) {
      for (const arr of [reached, outcomes]) {
        const merged = arr[g[0]!]!.slice();
        for (const c of g) arr[c]!.forEach((v, pc) => { merged[pc]! |= v; });
        for (const c of g) arr[c] = merged.slice();
      }
    }
  }
  // A handler is inlined at every access it serves and a procedure at every call: the copies are
  // one statement of the source. A statement counts once per CPU, as reached if any copy ran.
  const unreached: Unreached[] = [];
  let stmts = 0;
  let stmtsReached = 0;
  let outs = 0;
  let outsReached = 0;
  m.cpus.forEach((cpu, c) => {
    const program = programs[c]!;
    const owner = handlerOwners(program);
    const groups = new Map<string, { points: ProgramPoint[] }>();
    for (const n of program.points) {
      if (!n) continue;
      const key = `${n.stmt.span.file.path}:${n.stmt.span.start}:${n.stmt.span.end}`;
      const g = groups.get(key) ?? { points: [] };
      g.points.push(n);
      groups.set(key, g);
    }
    for (const { points } of groups.values()) {
      const n = points[0]!;
      stmts++;
      // In source order of the access (or call) each copy was inlined for.
      const order = (p: ProgramPoint) => owner.get(p.stmt.id)?.stmt.span.start ?? 0;
      const sites = [...new Set([...points].sort((a, b) => order(a) - order(b)).flatMap((p) => callSite(p, owner)))];
      const base = {
        cpu: cpu.name, access: n.stmt.k === 'access', expectsFault: n.stmt.k === 'access' && n.stmt.expectFault !== undefined,
        text: pointText(n), location: locationOf(n.stmt.span), ...(sites.length ? { in: sites } : {}),
      };
      if (points.some((p) => reached[c]![p.pc])) stmtsReached++;
      else unreached.push({ ...base, what: 'statement' });
      if (n.stmt.k !== 'access') continue;
      outs += 2;
      const seen = points.reduce((bits, p) => bits | outcomes[c]![p.pc]!, 0);
      const ran = points.some((p) => reached[c]![p.pc]);
      for (const [bit, what] of [[1, 'done'], [2, 'fault']] as const) {
        if (seen & bit) outsReached++;
        else if (ran) unreached.push({ ...base, what });
      }
    }
  });
  return {
    statements: { reached: stmtsReached, total: stmts },
    accessOutcomes: { reached: outsReached, total: outs },
    unreached,
    zeroWrites: !writes,
    // maxVersion is at least 1 even without writes: ask the programs. A write that must fault
    // (`expect fault`) is not one that should complete.
    hasWrites: programs.some((p) => p.points.some((n) => n?.stmt.k === 'access' && n.stmt.access === 'write' && !n.stmt.expectFault)),
    partial: r.limit !== undefined,
  };
}

/** Statement id -> the access whose fault handler copy it belongs to. */
function handlerOwners(program: CpuProgram): Map<number, ProgramPoint> {
  const owner = new Map<number, ProgramPoint>();
  for (const n of program.points) {
    if (n?.stmt.k !== 'access' || !n.stmt.handler) continue;
    forEachStmt(n.stmt.handler, (s) => { owner.set(s.id, n); });
  }
  return owner;
}

/** Where a copy of a statement was inlined: a handler's access, or a procedure's call. */
function callSite(p: ProgramPoint, owner: ReadonlyMap<number, ProgramPoint>): string[] {
  const access = owner.get(p.stmt.id);
  if (access && access.stmt.k === 'access') return [`fault ${access.stmt.access}(p) for \`${pointText(access)}\` at ${at(locationOf(access.stmt.span))}`];
  return p.label ? [`in ${p.label}`] : [];
}

function changedVersion(a: Int32Array, b: Int32Array, base: number, n: number): boolean {
  for (let f = 0; f < n; f++) if (a[base + f] !== b[base + f]) return true;
  return false;
}

/** `file:line:col` */
export function at(l: Location): string {
  return `${l.file}:${l.line}:${l.col}`;
}

/** SPIN-style listing: every statement and access outcome never seen. */
export function coverageText(c: Coverage): string {
  if (c.unavailable) return `coverage: not computed (${c.unavailable})`;
  const head = `coverage${c.partial ? ' (of the states explored)' : ''}: ${c.statements.reached}/${c.statements.total} statements reached, ${c.accessOutcomes.reached}/${c.accessOutcomes.total} access outcomes${c.hasWrites && c.zeroWrites ? '; no write ever completed' : ''}`;
  if (!c.unreached.length) return head;
  // One line per source location, CPU and kind (a library statement inlined twice is listed once).
  const seen = new Set<string>();
  const rows: string[] = [];
  const sorted = [...c.unreached].sort((a, b) => a.location.file.localeCompare(b.location.file) || a.location.line - b.location.line || a.location.col - b.location.col);
  for (const u of sorted) {
    const where = at({ ...u.location, file: shortPath(u.location.file) });
    const key = `${where} ${u.cpu} ${u.what}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const text = u.text.length > 70 ? `${u.text.slice(0, 67)}...` : u.text;
    const copies = u.in?.length ? ` in any copy: ${u.in.join('; ')}` : '';
    rows.push(`  ${where}  ${u.cpu}: ${text}${u.what === 'statement' ? '  (never executed' : u.what === 'done' ? '  (never completed' : '  (never faulted'}${copies})`);
  }
  return [head, 'unreached:', ...rows].join('\n');
}
