// What a check adds to a verdict after the search: coverage and vacuity warnings, the recorded
// state counts, the provenance of the run, and the plain-data FileReport the JUnit, SARIF and
// HTML writers share.
import type { Model } from '../ir/model.js';
import type { TransitionSystem } from '../compile/index.js';
import type { ExploreResult } from '../explore/bfs.js';
import type { Verdict } from '../explore/verdict.js';
import { DEFAULT_EXPLAIN_STATES, explainViolation, type Explanation } from '../explain/index.js';
import { formatExplanation } from '../explain/text.js';
import type { SourceFile } from '../lang/source.js';
import { computeCoverage, locationOf, type Coverage, type Location } from '../report/coverage.js';
import type { FileReport, FileStatus, Provenance, Warning } from '../report/file-report.js';
import { traceViews } from '../report/traceview.js';
import type { RunOptions } from './options.js';
import { provenanceOf } from './provenance.js';
import { compareCounts, configKey, recordCounts } from './record.js';
import { finalVacuity, isProof, vacuityWarnings } from './vacuity.js';
import { toolVersion } from './version.js';

export interface Analysis {
  readonly exit: number;
  readonly coverage: Coverage;
  readonly warnings: readonly Warning[];
  readonly notes: readonly string[];
  readonly provenance: Provenance;
  /** With RunOptions.explain: per violated property, its explanation and that as text. */
  readonly explanations: readonly (Explanation & { readonly text: string })[];
  readonly report: FileReport;
}

export function statusOf(exit: number): FileStatus {
  return exit === 0 ? 'PASS' : exit === 3 ? 'UNKNOWN' : exit === 1 ? 'FAIL' : 'ERROR';
}

/** `file [arch]`, or the file alone when checked under its own model. */
export function labelOf(file: string, arch: string | undefined): string {
  return arch ? `${file} [${arch}]` : file;
}

export function analyse(source: SourceFile, m: Model, ts: TransitionSystem, r: ExploreResult, v: Verdict, o: RunOptions): Analysis {
  const file = source.path;
  const coverage = computeCoverage(ts, r);
  const warnings: Warning[] = [...(isProof(file) ? vacuityWarnings(coverage, v, m) : []), ...finalVacuity(m, r)];
  const notes: string[] = [];
  const provenance = provenanceOf(source, o);
  if (!r.limit) {
    const key = configKey(m.arch.name, o.symmetry, o.por);
    const now = { modelHash: provenance.modelHash, states: r.states, transitions: r.transitions, depth: r.depth };
    if (o.record && isProof(file)) {
      notes.push(`recorded ${r.states} states, ${r.transitions} transitions in ${recordCounts(file, key, { ...now, recordedBy: `dirtyrace ${toolVersion()}` })}`);
    } else {
      const c = compareCounts(file, key, now);
      if (c.warning) warnings.push(c.warning);
      if (c.status === 'model-changed') notes.push(`the model text changed since the state counts were recorded (${c.recorded!.states} states then, ${r.states} now)`);
    }
  }
  const explanations = o.explain
    ? v.properties.filter((p) => p.status === 'violated').map((p) => {
      const x = explainViolation(ts, r, p, { maxStates: Math.min(o.maxStates, DEFAULT_EXPLAIN_STATES) });
      return { ...x, text: formatExplanation(x) };
    })
    : [];
  let exit: number = v.exit;
  if (o.strict && warnings.length && exit !== 1) exit = 1;
  // An explanation cut short by the state limit leaves the run inconclusive, as a search would.
  if (exit === 0 && explanations.some((x) => !x.complete)) exit = 3;
  const want = new Set(m.expectation?.violated ?? []);
  const report: FileReport = {
    file,
    arch: o.arch ?? null,
    label: labelOf(file, o.arch),
    status: statusOf(exit),
    exit,
    outcome: v.outcome,
    expected: v.expected ?? null,
    properties: v.properties.map((p, i) => ({
      name: p.property.name, kind: p.property.kind, status: p.status, expectedViolated: want.has(p.property.name),
      location: p.property.span ? locationOf(p.property.span) : null,
      ms: decidedMs(r, i),
    })),
    traces: o.reports ? traceViews(ts, r, v) : [],
    ...(o.explain ? { explanations } : {}),
    stats: { states: r.states, transitions: r.transitions, depth: r.depth, ms: r.elapsedMs, limit: r.limit ?? null },
    coverage,
    warnings,
    strict: o.strict,
    error: null,
    provenance,
  };
  return { exit, coverage, warnings, notes, provenance, explanations, report };
}

/**
 * How long the search took to decide property `i`: states are numbered in the order the search
 * reached them at a roughly even cost, so a violation found at state n of N took about n/N of it.
 */
function decidedMs(r: ExploreResult, i: number): number {
  const v = r.violations[i];
  return v && r.states > 0 ? (r.elapsedMs * Math.min(r.states, v.state + 1)) / r.states : r.elapsedMs;
}

/** The report of a file that could not be checked (bad input or an internal error). */
export function failedReport(source: SourceFile, exit: number, message: string, location: Location | null, text: string, o: RunOptions): FileReport {
  return {
    file: source.path, arch: o.arch ?? null, label: labelOf(source.path, o.arch), status: 'ERROR', exit,
    outcome: null, expected: null, properties: [], traces: [], stats: null, coverage: null, warnings: [], strict: o.strict,
    error: { message, location, text },
    provenance: provenanceOf(source, o),
  };
}
