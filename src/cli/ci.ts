// The CI-facing flags of `check` (--strict, --record, --junit, --sarif, --html, --quiet) and the
// per-file hooks run.ts calls: progress line, analysis, report files.
import type { Model } from '../check/model.js';
import type { TransitionSystem } from '../compile/index.js';
import type { ExploreProgress, ExploreResult } from '../explore/bfs.js';
import type { Verdict } from '../explore/verdict.js';
import type { Location } from '../report/coverage.js';
import { analyse, analysisJson, analysisText, failedReport, summaryLines, type Analysis, type FileReport } from './analysis.js';
import { wantsArtifacts, writeArtifacts } from './artifacts.js';
import { progressLine } from './progress.js';

export const CI_FLAGS = {
  strict: { type: 'boolean' }, record: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' },
  junit: { type: 'string' }, sarif: { type: 'string' }, html: { type: 'string' },
} as const;

export const CI_USAGE = `  --strict            vacuity and state-count warnings are errors (exit 1)
  --record            write PROOF.race.counts.json next to each proof (states, transitions, model hash)
  --junit FILE        also write a JUnit XML report (a test case per property per file)
  --sarif FILE        also write a SARIF 2.1.0 log (a result per violated property, with the trace)
  --html FILE         also write a self-contained HTML trace viewer
  -q, --quiet         no progress line on stderr`;

export interface CiOptions {
  readonly strict: boolean;
  readonly record: boolean;
  readonly junit?: string;
  readonly sarif?: string;
  readonly html?: string;
  /** Writes the progress line; undefined when stderr is not a terminal or with --quiet. */
  readonly progress?: (s: string) => void;
  readonly commandLine: string;
}

interface CiValues { strict?: boolean; record?: boolean; quiet?: boolean; junit?: string; sarif?: string; html?: string }

export function ciOptions(values: CiValues, io: { stderr(s: string): void; stderrIsTTY?: boolean }, argv: readonly string[]): CiOptions {
  return {
    strict: Boolean(values.strict),
    record: Boolean(values.record),
    junit: values.junit, sarif: values.sarif, html: values.html,
    progress: io.stderrIsTTY && !values.quiet ? (s) => io.stderr(s) : undefined,
    commandLine: ['dirtyrace', ...argv].map((a) => (/^[\w./:=,@+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' '),
  };
}

/** The options `explore` gets for one file, and a function to call when it is done. */
export function progressHooks(ci: CiOptions, label: string): { onProgress?: (p: ExploreProgress) => void; done(): void } {
  if (!ci.progress) return { done: () => {} };
  const line = progressLine(label, ci.progress, process.stderr.columns || 120);
  return { onProgress: line.update, done: line.done };
}

export interface RunSettings {
  readonly maxStates: number;
  readonly timeLimitMs: number;
  readonly modelDirs: readonly string[];
  readonly symmetry: boolean;
  readonly por: boolean;
  readonly ci: CiOptions;
}

export interface CheckedExtras {
  readonly analysis: Analysis;
  readonly exit: number;
  /** Appended to the file's text report. */
  readonly text: string;
  /** Appended (after a newline) to the file's summary line; empty when nothing to say. */
  readonly summary: string;
  readonly json: ReturnType<typeof analysisJson> & { exit: number };
  readonly report: FileReport;
}

export function afterCheck(file: string, arch: string | undefined, m: Model, ts: TransitionSystem, r: ExploreResult, v: Verdict, run: RunSettings, version: string, defaultMaxStates: number): CheckedExtras {
  const a = analyse(file, arch, m, ts, r, v, {
    arch, maxStates: run.maxStates, timeLimitMs: run.timeLimitMs, modelDirs: run.modelDirs, symmetry: run.symmetry, por: run.por,
    strict: run.ci.strict, record: run.ci.record, reports: wantsArtifacts(run.ci), version, defaultMaxStates,
  });
  return {
    analysis: a, exit: a.exit, text: analysisText(a, run.ci.strict), summary: summaryLines(a, run.ci.strict).trimEnd(),
    json: { exit: a.exit, ...analysisJson(a) }, report: a.report,
  };
}

export function failedCheck(file: string, arch: string | undefined, exit: number, message: string, location: Location | null, text: string, run: RunSettings, version: string, defaultMaxStates: number): FileReport {
  return failedReport(file, arch, exit, message, location, text, {
    arch, maxStates: run.maxStates, timeLimitMs: run.timeLimitMs, modelDirs: run.modelDirs, symmetry: run.symmetry, por: run.por,
    strict: run.ci.strict, record: run.ci.record, reports: false, version, defaultMaxStates,
  });
}

/** Writes the requested report files once every file is checked. */
export function finishRun(ci: CiOptions, reports: readonly FileReport[], exitCode: number, version: string): void {
  if (wantsArtifacts(ci)) writeArtifacts(ci, reports, { version, commandLine: ci.commandLine, exitCode });
}
