// The command line: arguments, the pipeline per file, output and the exit status.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkFile } from '../check/index.js';
import { compile } from '../compile/index.js';
import { explore, type ExploreOptions } from '../explore/bfs.js';
import { exploreParallel } from '../explore/parallel.js';
import { verdictOf } from '../explore/verdict.js';
import { Diagnostic, formatDiagnostic, lineCol } from '../lang/source.js';
import { JSON_SCHEMA_VERSION, resultJson } from '../report/json.js';
import { formatResult, statsLine } from '../report/text.js';
import { expectedArchs, formatComparison, type CompareColumn } from '../report/compare.js';
import { splitArchList } from '../check/load.js';
import { runCrosscheck } from './crosscheck.js';
import { runExport } from './export.js';
import { afterCheck, CI_FLAGS, CI_USAGE, ciOptions, failedCheck, finishRun, progressHooks, type CiOptions } from './ci.js';
import type { FileReport } from './analysis.js';
import { isProof } from '../report/vacuity.js';

export interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
  /** stderr is a terminal: the progress line may be drawn there. */
  readonly stderrIsTTY?: boolean;
}

export const EXIT = { ok: 0, failed: 1, badInput: 2, inconclusive: 3, internal: 4 } as const;
const DEFAULT_MAX_STATES = 20_000_000;

const USAGE = `usage: dirtyrace check [options] PATH...
       dirtyrace --help | --version

Checks every scenario file (*.race) given or found under the given directories.

options:
  --arch A[,B...]     check under these architecture models instead of the scenario's own
  --max-states N      stop after N stored states (default ${DEFAULT_MAX_STATES}); exit 3
  --time-limit S      stop after S seconds; exit 3
  --format F          text (default) or json
  --models DIR        also look for model files in DIR (repeatable)
  --no-trace          do not print counterexample traces
  --no-symmetry       explore every permutation of identical CPUs (cpu writer[3])
  --threads N         search with N threads (default 1); same states, verdicts and traces
  --hash-compact      store 64-bit fingerprints instead of states (less memory); the
                      result states the probability of having missed a state
  --no-por            no partial-order reduction (with it, a run that finds a violation
                      is repeated without it, so traces stay shortest)
${CI_USAGE}
  -h, --help          this text
  --version           the tool version

exit status: 0 every expectation met; 1 a property violated or an expectation missed;
2 bad input (the error is printed as file:line:col with a caret); 3 inconclusive (a limit was
reached first); 4 internal error (a bug in dirtyrace: please report it)`;

export function toolVersion(): string {
  const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '../../../package.json');
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Exit statuses of several checks combined: bad input first, then failures, then unknowns. */
export function combineExits(codes: readonly number[]): number {
  for (const c of [EXIT.internal, EXIT.badInput, EXIT.failed, EXIT.inconclusive]) if (codes.includes(c)) return c;
  return EXIT.ok;
}

function scenarioFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
    else if (p.endsWith('.race')) out.push(p);
  };
  for (const p of paths) {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) throw new UsageError(`no such file or directory: ${p}`);
    if (st.isFile()) out.push(p);
    else walk(p);
  }
  return out;
}

class UsageError extends Error {}

function positiveNumber(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a positive number, found '${v}'`);
  return n;
}

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  if (argv[0] === 'export') return runExport(argv.slice(1), io);
  if (argv[0] === 'crosscheck') return runCrosscheck(argv.slice(1), io);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv], allowPositionals: true, strict: true,
      options: {
        arch: { type: 'string' }, 'max-states': { type: 'string' }, 'time-limit': { type: 'string' },
        format: { type: 'string' }, models: { type: 'string', multiple: true }, 'no-trace': { type: 'boolean' }, 'no-symmetry': { type: 'boolean' }, 'no-por': { type: 'boolean' },
        threads: { type: 'string' }, 'hash-compact': { type: 'boolean' },
        ...CI_FLAGS,
        help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' },
      },
    });
  } catch (e) {
    io.stderr(`dirtyrace: ${(e as Error).message}\n\n${USAGE}\n`);
    return EXIT.badInput;
  }
  const { values, positionals } = parsed;
  if (values.help) { io.stdout(`${USAGE}\n`); return EXIT.ok; }
  if (values.version) { io.stdout(`dirtyrace ${toolVersion()}\n`); return EXIT.ok; }
  const [command, ...paths] = positionals;
  try {
    if (command !== 'check') throw new UsageError(command === undefined ? 'no command given' : `unknown command '${command}'`);
    if (!paths.length) throw new UsageError('check needs at least one file or directory');
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`--format is text or json, found '${format}'`);
    const opts: CheckRun = {
      archs: values.arch ? splitArchList(values.arch) : [undefined],
      maxStates: positiveNumber(values['max-states'], '--max-states') ?? DEFAULT_MAX_STATES,
      timeLimitMs: (positiveNumber(values['time-limit'], '--time-limit') ?? Infinity) * 1000,
      modelDirs: values.models ?? [],
      traces: !values['no-trace'],
      symmetry: !values['no-symmetry'],
      por: !values['no-por'],
      threads: positiveNumber(values.threads, '--threads') ?? 1,
      hashCompact: values['hash-compact'] === true,
      json: format === 'json',
      ci: ciOptions(values, io, argv),
    };
    if (opts.hashCompact && opts.threads > 1) throw new UsageError('--hash-compact runs on one thread: leave out --threads');
    return runChecks(scenarioFiles(paths), opts, io);
  } catch (e) {
    if (e instanceof UsageError) { io.stderr(`dirtyrace: ${e.message}\n\n${USAGE}\n`); return EXIT.badInput; }
    throw e;
  }
}

interface CheckRun {
  readonly archs: readonly (string | undefined)[];
  readonly maxStates: number;
  readonly timeLimitMs: number;
  readonly modelDirs: readonly string[];
  readonly traces: boolean;
  readonly symmetry: boolean;
  readonly por: boolean;
  readonly threads: number;
  readonly hashCompact: boolean;
  readonly json: boolean;
  readonly ci: CiOptions;
}

interface FileOutcome {
  readonly exit: number;
  readonly text: string;
  readonly summary: string;
  readonly json: unknown;
  /** This check's column in a side-by-side comparison (one file under several models). */
  readonly column: CompareColumn;
  /** The same result for the --junit/--sarif/--html reports. */
  readonly report: FileReport;
}

async function checkOne(file: string, arch: string | undefined, run: CheckRun): Promise<FileOutcome> {
  const label = arch ? `${file} [${arch}]` : file;
  try {
    const checkOptions = { arch, modelDirs: run.modelDirs };
    const model = checkFile(file, checkOptions);
    const ts = compile(model);
    const limits = { maxStates: run.maxStates, timeLimitMs: run.timeLimitMs, symmetry: run.symmetry, hashCompact: run.hashCompact };
    const progress = progressHooks(run.ci, label);
    // Any thread count gives the same states, verdicts and traces (src/explore/parallel.ts).
    const search = (opts: ExploreOptions) => (run.threads > 1
      ? exploreParallel(ts, { path: file, text: readFileSync(file, 'utf8'), check: checkOptions }, { ...opts, threads: run.threads })
      : Promise.resolve(explore(ts, opts)));
    // Proofs get a vacuity check over the reachable statements; POR explores a subset of the
    // states, which could only report statements as unreached falsely, so proofs go without it.
    const por = run.por && !isProof(file);
    let r = await search({ ...limits, por, onProgress: progress.onProgress });
    // POR keeps verdicts but not shortest paths: a violation is re-found without it for its trace.
    if (por && r.violations.some(Boolean)) r = await search({ ...limits, onProgress: progress.onProgress });
    progress.done();
    const v = verdictOf(model, r);
    const x = afterCheck(file, arch, model, ts, r, v, run, toolVersion(), DEFAULT_MAX_STATES);
    const status = x.exit === 0 ? 'PASS' : x.exit === 3 ? 'UNKNOWN' : 'FAIL';
    const violated = v.properties.filter((p) => p.status === 'violated').map((p) => p.property.name);
    const found = v.outcome === 'violated' ? `violated ${violated.join(', ')}` : v.outcome;
    const summary = `${status.padEnd(7)} ${label}  ${found}${v.expected && v.exit !== 0 ? ` (expected ${v.expected})` : ''}  (${statsLine(model, r)})${x.summary ? `\n${x.summary}` : ''}`;
    return { exit: x.exit, text: formatResult(ts, r, v, { traces: run.traces }) + x.text, summary, json: { ...resultJson(ts, r, v), ...x.json }, column: { label: arch ?? model.arch.name, model, result: r, verdict: v }, report: x.report };
  } catch (e) {
    if (!(e instanceof Diagnostic)) {
      const msg = e instanceof RangeError ? `${e.message} (the scenario is too large or too deeply nested)` : String((e as Error).message ?? e);
      const text = `${label}: internal error: ${msg}`;
      const report = failedCheck(file, arch, EXIT.internal, msg, null, text, run, toolVersion(), DEFAULT_MAX_STATES);
      return { exit: EXIT.internal, text, summary: `ERROR   ${text}`, json: { file, arch: arch ?? null, internalError: msg, run: report.provenance }, column: { label: arch ?? '(own arch)', error: `internal error: ${msg}` }, report };
    }
    const text = formatDiagnostic(e);
    const at = lineCol(e.span.file, e.span.start);
    const end = lineCol(e.span.file, e.span.end);
    const report = failedCheck(file, arch, EXIT.badInput, e.message, { file: e.span.file.path, line: at.line, col: at.col, endLine: end.line, endCol: end.col }, text, run, toolVersion(), DEFAULT_MAX_STATES);
    return {
      exit: EXIT.badInput, text, summary: `ERROR   ${label}\n${text}`, report,
      json: { file, arch: arch ?? null, error: { file: e.span.file.path, line: at.line, col: at.col, message: e.message, hint: e.hint ?? null }, run: report.provenance },
      column: { label: arch ?? '(own arch)', error: `${e.span.file.path}:${at.line}:${at.col}: ${e.message}` },
    };
  }
}

async function runChecks(files: readonly string[], run: CheckRun, io: Io): Promise<number> {
  // Without --arch, a file is checked under its own model and each model its `expect on` lines name.
  const groups: FileOutcome[][] = [];
  for (const f of files) {
    const group: FileOutcome[] = [];
    for (const a of run.archs.length === 1 && run.archs[0] === undefined ? expectedArchs(f) : run.archs) group.push(await checkOne(f, a, run));
    groups.push(group);
  }
  const outcomes = groups.flat();
  const exit = combineExits(outcomes.map((o) => o.exit));
  finishRun(run.ci, outcomes.map((o) => o.report), exit, toolVersion());
  if (run.json) {
    io.stdout(`${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, tool: { name: 'dirtyrace', version: toolVersion() }, exit, results: outcomes.map((o) => o.json) }, null, 2)}\n`);
    return exit;
  }
  if (outcomes.length === 1) {
    const o = outcomes[0]!;
    (o.exit === EXIT.badInput || o.exit === EXIT.internal ? io.stderr : io.stdout)(`${o.text}\n`);
    return exit;
  }
  groups.forEach((group, i) => {
    if (group.length > 1) io.stdout(`${formatComparison(files[i]!, group.map((o) => o.column))}\n\n`);
    for (const o of group) {
      if (group.length === 1) io.stdout(`${o.summary}\n`);
      else if (o.exit !== EXIT.ok) io.stdout(`${o.summary}\n`);
      if (o.exit === EXIT.failed && run.traces) io.stdout(`${indent(o.text)}\n`);
    }
  });
  const count = (c: number) => outcomes.filter((o) => o.exit === c).length;
  io.stdout(`\n${outcomes.length} checked: ${count(EXIT.ok)} passed, ${count(EXIT.failed)} failed, ${count(EXIT.inconclusive)} inconclusive, ${count(EXIT.badInput) + count(EXIT.internal)} errors\n`);
  io.stdout(`run: ${run.ci.commandLine}  (dirtyrace ${toolVersion()})\n`);
  return exit;
}

function indent(s: string): string {
  return s.split('\n').map((l) => `    ${l}`).join('\n');
}
