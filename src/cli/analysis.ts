// What `check` adds to a verdict after the search: coverage and vacuity warnings, the recorded
// state counts, the provenance of the run, and the plain-data report the JUnit, SARIF and HTML
// writers share. run.ts calls `analyse` once per checked file and `failedReport` for bad input.
import type { Model } from '../check/model.js';
import type { TransitionSystem } from '../compile/index.js';
import type { ExploreResult } from '../explore/bfs.js';
import type { Verdict } from '../explore/verdict.js';
import { computeCoverage, coverageText, locationOf, type Coverage, type Location } from '../report/coverage.js';
import { traceViews, type TraceView } from '../report/traceview.js';
import { isProof, vacuityWarnings, type Warning } from '../report/vacuity.js';
import { provenanceOf, provenanceText, type Provenance, type RunOptions } from './provenance.js';
import { compareCounts, configKey, recordCounts } from './record.js';

export interface AnalysisOptions extends RunOptions {
  readonly record: boolean;
  /** Build traces for the JUnit/SARIF/HTML reports. */
  readonly reports: boolean;
  readonly version: string;
  readonly defaultMaxStates: number;
}

export interface PropertyReport {
  readonly name: string;
  readonly kind: string;
  readonly status: 'holds' | 'violated' | 'unknown';
  /** The scenario expects it violated. */
  readonly expectedViolated: boolean;
  readonly location: Location | null;
}

/** One checked file (for one architecture), as the file reports need it. */
export interface FileReport {
  readonly file: string;
  readonly arch: string | null;
  readonly label: string;
  readonly status: 'PASS' | 'FAIL' | 'UNKNOWN' | 'ERROR';
  readonly exit: number;
  readonly outcome: string | null;
  readonly expected: string | null;
  readonly properties: readonly PropertyReport[];
  readonly traces: readonly TraceView[];
  readonly stats: { readonly states: number; readonly transitions: number; readonly depth: number; readonly ms: number; readonly limit: string | null } | null;
  readonly coverage: Coverage | null;
  readonly warnings: readonly Warning[];
  /** Warnings count as errors (--strict). */
  readonly strict: boolean;
  readonly error: { readonly message: string; readonly location: Location | null; readonly text: string } | null;
  readonly provenance: Provenance;
}

export interface Analysis {
  readonly exit: number;
  readonly coverage: Coverage;
  readonly warnings: readonly Warning[];
  readonly notes: readonly string[];
  readonly provenance: Provenance;
  readonly report: FileReport;
}

export function statusOf(exit: number): FileReport['status'] {
  return exit === 0 ? 'PASS' : exit === 3 ? 'UNKNOWN' : exit === 1 ? 'FAIL' : 'ERROR';
}

export function analyse(file: string, arch: string | undefined, m: Model, ts: TransitionSystem, r: ExploreResult, v: Verdict, o: AnalysisOptions): Analysis {
  const coverage = computeCoverage(ts, r);
  const warnings: Warning[] = isProof(file) ? vacuityWarnings(coverage, v, m) : [];
  const notes: string[] = [];
  const provenance = provenanceOf(file, { ...o, arch }, o.version, { maxStates: o.defaultMaxStates });
  if (!r.limit) {
    const key = configKey(m.arch.name, o.symmetry, o.por);
    const now = { modelHash: provenance.modelHash, states: r.states, transitions: r.transitions, depth: r.depth };
    if (o.record && isProof(file)) {
      notes.push(`recorded ${r.states} states, ${r.transitions} transitions in ${recordCounts(file, key, { ...now, recordedBy: `dirtyrace ${o.version}` })}`);
    } else {
      const c = compareCounts(file, key, now);
      if (c.warning) warnings.push(c.warning);
      if (c.status === 'model-changed') notes.push(`the model text changed since the state counts were recorded (${c.recorded!.states} states then, ${r.states} now)`);
    }
  }
  let exit: number = v.exit;
  if (o.strict && warnings.length && exit !== 1) exit = 1;
  const want = new Set(m.expectation?.violated ?? []);
  const report: FileReport = {
    file,
    arch: arch ?? null,
    label: arch ? `${file} [${arch}]` : file,
    status: statusOf(exit),
    exit,
    outcome: v.outcome,
    expected: v.expected ?? null,
    properties: v.properties.map((p) => ({
      name: p.property.name, kind: p.property.kind, status: p.status, expectedViolated: want.has(p.property.name),
      location: p.property.span ? locationOf(p.property.span) : null,
    })),
    traces: o.reports ? traceViews(ts, r, v) : [],
    stats: { states: r.states, transitions: r.transitions, depth: r.depth, ms: r.elapsedMs, limit: r.limit ?? null },
    coverage,
    warnings,
    strict: o.strict,
    error: null,
    provenance,
  };
  return { exit, coverage, warnings, notes, provenance, report };
}

export function failedReport(file: string, arch: string | undefined, exit: number, message: string, location: Location | null, text: string, o: AnalysisOptions): FileReport {
  return {
    file, arch: arch ?? null, label: arch ? `${file} [${arch}]` : file, status: 'ERROR', exit,
    outcome: null, expected: null, properties: [], traces: [], stats: null, coverage: null, warnings: [], strict: o.strict,
    error: { message, location, text },
    provenance: provenanceOf(file, { ...o, arch }, o.version, { maxStates: o.defaultMaxStates }),
  };
}

function warningLines(a: { warnings: readonly Warning[]; notes: readonly string[] }, strict: boolean): string[] {
  return [...a.warnings.map((w) => `${strict ? 'error' : 'warning'}: ${w.message}`), ...a.notes.map((n) => `note: ${n}`)];
}

/** Appended to a single file's report: coverage, warnings, notes and how to re-run it. */
export function analysisText(a: Analysis, strict: boolean): string {
  return ['', coverageText(a.coverage), ...warningLines(a, strict), provenanceText(a.provenance)].join('\n');
}

/** Lines under a file's summary line when several files are checked. */
export function summaryLines(a: Analysis, strict: boolean): string {
  return warningLines(a, strict).map((l) => `        ${l}\n`).join('');
}

/** Fields added to a result in the JSON document (schema: docs/JSON.md). */
export function analysisJson(a: Analysis) {
  return { coverage: a.coverage, warnings: a.warnings, notes: a.notes, run: a.provenance };
}
