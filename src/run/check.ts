// The driver: one scenario under one architecture, through every stage: check → program →
// compile → explore (repeated without partial-order reduction when it finds a violation, so
// traces stay shortest) → verdict → analysis. Bad input and internal errors become results too,
// so a run over many files reports every one of them.
import { modelOf } from '../check/index.js';
import { compile, type TransitionSystem } from '../compile/index.js';
import { exploreAsync, type ExploreOptions, type ExploreResult } from '../explore/bfs.js';
import { withLivelock } from '../explore/livelock.js';
import { SearchFailure } from '../explore/distributed/protocol.js';
import { verdictOf, type Verdict } from '../explore/verdict.js';
import type { Model } from '../ir/model.js';
import { Diagnostic, formatDiagnostic, lineCol, unreadableFile, type SourceFile } from '../lang/source.js';
import { programGraph } from '../program/graph.js';
import type { FileReport } from '../report/file-report.js';
import { analyse, failedReport, labelOf, type Analysis } from './analysis.js';
import { EXIT } from './exit.js';
import type { RunOptions } from './options.js';
import { isProof } from './vacuity.js';

interface Common {
  readonly source: SourceFile;
  /** The architecture the check ran under when it replaced the scenario's own (`--arch`). */
  readonly arch?: string;
  /** `file` or `file [arch]`. */
  readonly label: string;
  readonly exit: number;
  readonly report: FileReport;
}

export type CheckedFile =
  | (Common & { readonly kind: 'checked'; readonly model: Model; readonly ts: TransitionSystem; readonly result: ExploreResult; readonly verdict: Verdict; readonly analysis: Analysis })
  | (Common & { readonly kind: 'bad-input'; readonly diagnostic: Diagnostic })
  | (Common & { readonly kind: 'internal-error'; readonly message: string });

function badInput(source: SourceFile, e: Diagnostic, o: RunOptions): CheckedFile {
  const at = lineCol(e.span.file, e.span.start);
  const end = lineCol(e.span.file, e.span.end);
  const location = { file: e.span.file.path, line: at.line, col: at.col, endLine: end.line, endCol: end.col };
  const report = failedReport(source, EXIT.badInput, e.message, location, formatDiagnostic(e), o);
  return { kind: 'bad-input', source, arch: o.arch, label: labelOf(source.path, o.arch), exit: EXIT.badInput, report, diagnostic: e };
}

/** A scenario file that could not be read (src/run/files.ts): bad input, located at its start. */
export function unreadableScenario(path: string, problem: string, o: RunOptions): CheckedFile {
  return badInput({ path, text: '' }, unreadableFile(path, problem), o);
}

export async function checkScenario(source: SourceFile, o: RunOptions): Promise<CheckedFile> {
  const label = labelOf(source.path, o.arch);
  try {
    const check = { arch: o.arch, modelDirs: o.modelDirs, memory: o.memory };
    const model = modelOf(source, check);
    const ts = compile(programGraph(model));
    const limits: ExploreOptions = { maxStates: o.maxStates, timeLimitMs: o.timeLimitMs, memoryLimitBytes: o.memoryLimitBytes, signal: o.signal, symmetry: o.symmetry, hashCompact: o.hashCompact, store: o.store, onProgress: o.onProgress };
    // Any thread count gives the same states, verdicts and traces (src/explore/parallel.ts).
    const scenario = { path: source.path, text: source.text, check };
    // The NATS client is loaded only for a distributed run, the thread pool only with --threads.
    const distributed = o.distributed;
    const search = (opts: ExploreOptions) => (distributed
      ? import('../explore/distributed/coordinator-process.js').then((m) => m.exploreDistributed(ts, scenario, { ...opts, distributed }))
      : o.threads > 1 ? import('../explore/parallel.js').then((m) => m.exploreParallel(ts, scenario, { ...opts, threads: o.threads }))
        : exploreAsync(ts, opts));
    // Proofs get a vacuity check over the reachable statements; POR explores a subset of the
    // states, which could only report statements as unreached falsely, so proofs go without it.
    const por = o.por && !isProof(source.path);
    let result = await search({ ...limits, por });
    // POR keeps verdicts but not shortest paths: a violation is re-found without it for its trace.
    if (por && result.violations.some(Boolean) && result.limit !== 'interrupted') result = await search(limits);
    // livelock is a cycle property, decided over its own unreduced graph (explore/livelock.ts).
    result = withLivelock(ts, result, limits);
    const verdict = verdictOf(model, result);
    const analysis = analyse(source, model, ts, result, verdict, o);
    return { kind: 'checked', source, arch: o.arch, label, exit: analysis.exit, report: analysis.report, model, ts, result, verdict, analysis };
  } catch (e) {
    if (e instanceof Diagnostic) return badInput(source, e, o);
    // A distributed search that lost a partition process has no verdict: inconclusive, said why.
    if (e instanceof SearchFailure) {
      const report = failedReport(source, EXIT.inconclusive, e.message, null, `${label}: search failed: ${e.message}`, o);
      return { kind: 'internal-error', source, arch: o.arch, label, exit: EXIT.inconclusive, report, message: e.message };
    }
    const message = e instanceof RangeError ? `${e.message} (the scenario is too large or too deeply nested)` : String((e as Error).message ?? e);
    const report = failedReport(source, EXIT.internal, message, null, `${label}: internal error: ${message}`, o);
    return { kind: 'internal-error', source, arch: o.arch, label, exit: EXIT.internal, report, message };
  }
}
