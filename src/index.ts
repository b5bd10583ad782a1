// The library API (docs/API.md): check a scenario file or text through the whole pipeline, or run
// each stage yourself — check → program → compile → explore → report — and write any report.
import { readSource } from './check/load.js';
import { checkScenario, type CheckedFile } from './run/check.js';
import { runOptions, type RunOptions } from './run/options.js';

export type { CheckedFile } from './run/check.js';
export { DEFAULT_MAX_STATES, DEFAULT_MEMORY_LIMIT, DEFAULT_OPTIONS, runOptions, type RunOptions } from './run/options.js';
export { EXIT, combineExits, type ExitStatus } from './run/exit.js';
export { scenarioFiles, type ScenarioEntry } from './run/files.js';
export { expectedArchs } from './run/archs.js';
export { toolVersion } from './run/version.js';

/** Checks the scenario in `path` under its own model (or `options.arch`): the verdict, with everything behind it. */
export async function checkFile(path: string, options: Partial<RunOptions> = {}): Promise<CheckedFile> {
  return checkScenario(readSource(path), runOptions(options));
}

/**
 * Checks a scenario given as text. `path` names it in messages and decides where its `use`d
 * models are looked for besides models/ and `modelDirs` (its directory); it need not exist.
 */
export async function checkText(text: string, options: Partial<RunOptions> & { path?: string } = {}): Promise<CheckedFile> {
  const { path = 'scenario.race', ...rest } = options;
  return checkScenario({ path, text }, runOptions(rest));
}

// The stages, for callers that drive them one by one.
export { Diagnostic, formatDiagnostic, lineCol, type SourceFile, type Span } from './lang/source.js';
export { parseFile } from './lang/parse.js';
export { modelOf, modelOfFile, type CheckOptions } from './check/index.js';
export { readSource } from './check/load.js';
export type { Model } from './ir/model.js';
export { programGraph, pointText, type ProgramGraph, type ProgramPoint, type CpuProgram } from './program/graph.js';
export { compile, compileModel, compileScenario, type Action, type TransitionSystem } from './compile/index.js';
export { explore, exploreAsync, type ExploreOptions, type Limit, type ExploreProgress, type ExploreResult, type StatePath, type Violation } from './explore/bfs.js';
export type { StoreKind } from './explore/states.js';
export { exploreParallel, type ScenarioSource } from './explore/parallel.js';
export { SearchFailure } from './explore/distributed/protocol.js';
export type { Distributed } from './explore/distributed/coordinator-process.js';

/** The search over partition processes (`dirtyrace worker`) through NATS: one thread's results (docs/SCALE.md). */
export async function exploreDistributed(...args: Parameters<typeof import('./explore/distributed/coordinator-process.js').exploreDistributed>) {
  return (await import('./explore/distributed/coordinator-process.js')).exploreDistributed(...args);
}
/** Ends every distributed run of this process: its partition processes exit. */
export async function closeDistributed(): Promise<void> {
  return (await import('./explore/distributed/coordinator-process.js')).closeDistributed();
}
export { verdictOf, type PropertyVerdict, type Verdict } from './explore/verdict.js';

// Beside the search: the window of a violation, and one random run.
export { explainViolation, type Explanation, type ExplainOptions, type Ordering, type StepWindow } from './explain/index.js';
export { formatExplanation } from './explain/text.js';
export { simulate, type Simulation, type SimulateOptions } from './simulate/index.js';

// Reports.
export { rebuildTrace as traceOf, type Trace, type TraceStep } from './report/trace.js';
export { formatResult, formatTrace, traceText } from './report/text.js';
export { resultJson, JSON_SCHEMA_VERSION } from './report/json.js';
export { junitXml } from './report/junit.js';
export { sarifLog } from './report/sarif.js';
export { htmlReport } from './report/html.js';
export type { FileReport } from './report/file-report.js';
export { toPromela } from './export/promela.js';
