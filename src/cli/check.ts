// `dirtyrace check`: argv to run options, the driver (src/run) per file and architecture, the
// printed report, the report files, and the exit status.
import { availableParallelism } from 'node:os';
import { splitArchList } from '../check/load.js';
import { readText } from '../lang/source.js';
import { formatComparison, type CompareColumn } from '../report/compare.js';
import type { FileReport } from '../report/file-report.js';
import { JSON_SCHEMA_VERSION } from '../report/json.js';
import type { SarifExpected } from '../report/sarif.js';
import { expectedArchs } from '../run/archs.js';
import { checkScenario, unreadableScenario, type CheckedFile } from '../run/check.js';
import { combineExits, EXIT } from '../run/exit.js';
import { scenarioFiles } from '../run/files.js';
import { DEFAULT_MAX_STATES, DEFAULT_MEMORY_LIMIT, runOptions, type RunOptions } from '../run/options.js';
import { toolVersion } from '../run/version.js';
import { checkJson, checkText, failureWord, summaryText } from './output.js';
import { progressLine } from './progress.js';
import { UsageError, type Io } from './usage.js';
import type { Distributed } from '../explore/distributed/coordinator-process.js';
import { STORE_KINDS, type StoreKind } from '../explore/states.js';
import { DEFAULT_MEMORY, type MemoryMode } from '../ir/model.js';

const isLitmus = (p: string): boolean => p.endsWith('.litmus');

export const CHECK_FLAGS = {
  arch: { type: 'string' }, 'max-states': { type: 'string' }, 'time-limit': { type: 'string' }, 'memory-limit': { type: 'string' },
  format: { type: 'string' }, models: { type: 'string', multiple: true }, 'no-trace': { type: 'boolean' }, 'no-symmetry': { type: 'boolean' }, 'no-por': { type: 'boolean' },
  threads: { type: 'string' }, 'hash-compact': { type: 'boolean' }, store: { type: 'string' }, memory: { type: 'string' },
  distributed: { type: 'string' }, partitions: { type: 'string' }, run: { type: 'string' },
  strict: { type: 'boolean' }, record: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, progress: { type: 'boolean' },
  junit: { type: 'string' }, sarif: { type: 'string' }, 'sarif-expected': { type: 'string' }, html: { type: 'string' }, explain: { type: 'boolean' }, 'state-at': { type: 'string' },
} as const;

export const CHECK_USAGE = `  --arch A[,B...]     check under these architecture models instead of the scenario's own
  --max-states N      store at most N states (default ${DEFAULT_MAX_STATES}); exit 3
  --time-limit S      stop after S seconds; exit 3
  --memory-limit MIB  stop when the state store and the JS heap hold MIB MiB (default half
                      the machine's memory, here ${Math.round(DEFAULT_MEMORY_LIMIT / 2 ** 20)} MiB); exit 3
  --format F          text (default) or json
  --models DIR        also look for model files in DIR (repeatable)
  --no-trace          do not print counterexample traces
  --no-symmetry       explore every permutation of identical CPUs (cpu writer[3])
  --threads N         search with N threads, 1 to 4 per core (default 1); same states,
                      verdicts and traces
  --distributed URL   search over --partitions N worker processes (dirtyrace worker) that
                      exchange states through the NATS server at URL (nats://host:port);
                      same states, verdicts and traces as one thread (docs/SCALE.md)
  --partitions N      how many worker processes serve the run (with --distributed)
  --run NAME          the run's name on the NATS server (default 'dirtyrace'), so runs can
                      share one server; the workers are started with the same name
  --hash-compact      store 64-bit fingerprints instead of states (less memory); the
                      result states the probability of having missed a state
  --store S           how states are stored: exact (default, packed vectors) or compact
                      (tree compression: less memory, slower; same states, verdicts and
                      traces); compact runs on one thread
  --memory M          arm64's memory model: relaxed (default; Arm's ordering of page-table
                      accesses: hardware updates pending until a full DSB, early walks
                      until an ISB, docs/models/arm64.md) or sc (sequentially consistent
                      CPUs); x86 and RISC-V models are sequentially consistent either way
  --no-por            no partial-order reduction (with it, a run that finds a violation
                      is repeated without it, so traces stay shortest)
  --strict            vacuity and state-count warnings are errors (exit 1)
  --record            write PROOF.race.counts.json next to each proof (states, transitions, model hash)
  --junit FILE        also write a JUnit XML report (a test case per property per file)
  --sarif FILE        also write a SARIF 2.1.0 log (a result per violated property, with the trace)
  --sarif-expected E  expected violations in the SARIF log: note (default) or omit
  --html FILE         also write a self-contained HTML trace viewer
  --explain           for each violation: the positions each step can take and the orderings
                      between CPUs the violation needs (also in JSON and HTML)
  --state-at N        after each trace, every named value of the state after step N (0: initial)
  -q, --quiet         no progress line on stderr
  --progress          progress lines on stderr even when it is not a terminal

SIGINT or SIGTERM stops the search: what was reached is printed and the report files are
written, the file inconclusive (exit 3); a second signal exits at once (130).`;

type CheckValues = { [K in keyof typeof CHECK_FLAGS]?: (typeof CHECK_FLAGS)[K] extends { multiple: true } ? string[] : (typeof CHECK_FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

/** What the CLI adds to the driver's options: output and report files. */
interface CheckCommand {
  readonly archs: readonly (string | undefined)[];
  readonly run: RunOptions;
  readonly traces: boolean;
  /** Print the whole state after this step of each trace (--state-at). */
  readonly stateAt?: number;
  readonly json: boolean;
  readonly junit?: string;
  readonly sarif?: string;
  readonly sarifExpected: SarifExpected;
  readonly html?: string;
  /** Writes the progress line; undefined when stderr is not a terminal or with --quiet. */
  readonly progress?: (s: string) => void;
  /** Progress as whole lines (--progress on a stream that is not a terminal). */
  readonly progressLines: boolean;
  readonly commandLine: string;
}

function positiveNumber(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a positive number, found '${v}'`);
  return n;
}

function stepNumber(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${flag} takes a step number (0 for the initial state), found '${v}'`);
  return Number(v);
}

/** More threads than this only cost memory (each worker holds a copy of the transition system). */
export const MAX_THREADS = availableParallelism() * 4;

/** A whole number from 1 to `max` (digits only: not 1.5, 0x10 or 1e3). */
function wholeNumber(v: string | undefined, flag: string, max: number, bound: string): number | undefined {
  if (v === undefined) return undefined;
  const n = /^[0-9]+$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && n <= max)) throw new UsageError(`${flag} takes a whole number from 1 to ${bound}, found '${v}'`);
  return n;
}

/** Where the progress line is drawn: stderr when it is a terminal (or --progress) and --quiet is not given. */
export function progressWriter(values: { quiet?: boolean; progress?: boolean }, io: Io): ((s: string) => void) | undefined {
  return (io.stderrIsTTY || values.progress) && !values.quiet ? (s) => (io.terminal ?? io.stderr)(s) : undefined;
}

export function commandLineOf(argv: readonly string[]): string {
  return ['dirtyrace', ...argv].map((a) => (/^[\w./:=,@+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function archList(text: string): string[] {
  const archs = splitArchList(text);
  if (!archs.length) throw new UsageError(`--arch names no architecture, found '${text}'`);
  return archs;
}

/** The most partition processes a run may name (the level numbering keeps an owner in 16 bits). */
export const MAX_PARTITIONS = 1024;

/** `--distributed URL --partitions N [--run NAME]`, or undefined without --distributed. */
export function distributedOf(values: { distributed?: string; partitions?: string; run?: string }): Distributed | undefined {
  if (values.distributed === undefined) {
    if (values.partitions !== undefined || values.run !== undefined) throw new UsageError('--partitions and --run go with --distributed URL');
    return undefined;
  }
  if (!/^nats:\/\/[^\s/]+$/.test(values.distributed)) throw new UsageError(`--distributed takes a NATS server as nats://host:port, found '${values.distributed}'`);
  const partitions = wholeNumber(values.partitions, '--partitions', MAX_PARTITIONS, String(MAX_PARTITIONS));
  if (partitions === undefined) throw new UsageError('--distributed needs --partitions N: how many worker processes serve the run');
  const run = values.run ?? 'dirtyrace';
  if (!/^[A-Za-z0-9_-]+$/.test(run)) throw new UsageError(`--run is a name of letters, digits, '-' and '_', found '${run}'`);
  return { url: values.distributed, partitions, run };
}

function storeOf(v: string | undefined): StoreKind {
  if (v === undefined) return 'exact';
  const kind = STORE_KINDS.find((k) => k === v);
  if (!kind) throw new UsageError(`--store is ${STORE_KINDS.join(' or ')}, found '${v}'`);
  return kind;
}

/** `--memory`'s value (check and simulate). */
export function memoryOf(v: string | undefined): MemoryMode {
  if (v === undefined) return DEFAULT_MEMORY;
  if (v !== 'sc' && v !== 'relaxed') throw new UsageError(`--memory is relaxed or sc, found '${v}'`);
  return v;
}

function checkCommand(values: CheckValues, io: Io, argv: readonly string[]): CheckCommand {
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format is text or json, found '${format}'`);
  const sarifExpected = values['sarif-expected'] ?? 'note';
  if (sarifExpected !== 'note' && sarifExpected !== 'omit') throw new UsageError(`--sarif-expected is note or omit, found '${sarifExpected}'`);
  const run = runOptions({
    maxStates: wholeNumber(values['max-states'], '--max-states', Number.MAX_SAFE_INTEGER, String(Number.MAX_SAFE_INTEGER)) ?? DEFAULT_MAX_STATES,
    timeLimitMs: (positiveNumber(values['time-limit'], '--time-limit') ?? Infinity) * 1000,
    memoryLimitBytes: (positiveNumber(values['memory-limit'], '--memory-limit') ?? DEFAULT_MEMORY_LIMIT / 2 ** 20) * 2 ** 20,
    modelDirs: values.models ?? [],
    symmetry: !values['no-symmetry'],
    por: !values['no-por'],
    threads: wholeNumber(values.threads, '--threads', MAX_THREADS, `${MAX_THREADS} (4 per core)`) ?? 1,
    hashCompact: values['hash-compact'] === true,
    store: storeOf(values.store),
    memory: memoryOf(values.memory),
    strict: Boolean(values.strict),
    record: Boolean(values.record),
    reports: Boolean(values.junit || values.sarif || values.html),
    explain: Boolean(values.explain),
  });
  if (run.hashCompact && run.threads > 1) throw new UsageError('--hash-compact runs on one thread: leave out --threads');
  const distributed = distributedOf(values);
  if (distributed && run.threads > 1) throw new UsageError('--distributed runs one partition per worker process: leave out --threads');
  if (distributed && run.hashCompact) throw new UsageError('--hash-compact runs on one thread: leave out --distributed');
  if (run.store === 'compact') {
    if (run.threads > 1) throw new UsageError('--store compact runs on one thread: leave out --threads');
    if (distributed) throw new UsageError('--store compact runs on one thread: leave out --distributed');
    if (run.hashCompact) throw new UsageError('--store compact is an exact store: leave out --hash-compact');
  }
  return {
    archs: values.arch !== undefined ? archList(values.arch) : [undefined],
    run: distributed ? { ...run, distributed } : run,
    traces: !values['no-trace'],
    stateAt: stepNumber(values['state-at'], '--state-at'),
    json: format === 'json',
    junit: values.junit, sarif: values.sarif, sarifExpected, html: values.html,
    progress: progressWriter(values, io),
    progressLines: !io.stderrIsTTY,
    commandLine: commandLineOf(argv),
  };
}

export async function runCheck(values: CheckValues, paths: readonly string[], io: Io, argv: readonly string[]): Promise<number> {
  if (!paths.length) throw new UsageError('check needs at least one file or directory');
  const cmd = checkCommand(values, io, argv);
  if (paths.some(isLitmus)) {
    if (!paths.every(isLitmus)) throw new UsageError('check takes either .litmus files or scenarios, not both in one run');
    // Loaded only for litmus files: a scenario run need not load the litmus front end.
    return (await import('./litmus.js')).runLitmus(paths, cmd.run, cmd.traces, io);
  }
  const entries = scenarioFiles(paths);
  if (!entries.length) throw new UsageError(`nothing to check: no .race file in ${paths.join(', ')}`);
  const files = entries.map((e) => e.path);
  const stop = stopOnSignals(io);
  // Without --arch, a file is checked under its own model and each model its `expect on` lines name.
  const groups: CheckedFile[][] = [];
  try {
    for (const { path: file, problem } of entries) {
      if (stop.signal.aborted) break;
      const read = problem === undefined ? readText(file) : { problem };
      if ('problem' in read) { groups.push([unreadableScenario(file, read.problem, cmd.run)]); continue; }
      const source = { path: file, text: read.text };
      const archs = cmd.archs.length === 1 && cmd.archs[0] === undefined ? expectedArchs(source) : cmd.archs;
      const group: CheckedFile[] = [];
      for (const arch of archs) {
        // Let a signal that came during a short check (no search pause) be handled now.
        await new Promise((resolve) => setImmediate(resolve));
        if (stop.signal.aborted) break;
        const line = cmd.progress ? progressLine(arch ? `${file} [${arch}]` : file, cmd.progress, process.stderr.columns || 120, cmd.progressLines) : undefined;
        group.push(await checkScenario(source, { ...cmd.run, arch, onProgress: line?.update, signal: stop.signal }));
        line?.done();
      }
      if (group.length) groups.push(group);
    }
  } finally {
    stop.release();
    if (cmd.run.distributed) await (await import('../explore/distributed/coordinator-process.js')).closeDistributed();
  }
  const outcomes = groups.flat();
  // Interrupted: what was not checked is unknown, so the run is at best inconclusive.
  const exit = combineExits([...outcomes.map((o) => o.exit), ...(stop.signal.aborted ? [EXIT.inconclusive] : [])]);
  const reports: FileReport[] = outcomes.map((o) => o.report);
  // A report file that cannot be written fails the run (exit 2) after the results are printed.
  // The HTML, JUnit and SARIF writers are loaded only when a report file is asked for.
  const unwritten = cmd.junit || cmd.sarif || cmd.html
    ? (await import('./artifacts.js')).writeArtifacts(cmd, reports, { version: toolVersion(), commandLine: cmd.commandLine, exitCode: exit }) : [];
  const runExit = unwritten.length && exit !== EXIT.internal ? EXIT.badInput : exit;
  printResults(cmd, groups, files, io, runExit, stop.signal.aborted);
  for (const u of unwritten) io.stderr(`dirtyrace: cannot write ${u}\n`);
  return runExit;
}

function printResults(cmd: CheckCommand, groups: readonly CheckedFile[][], files: readonly string[], io: Io, exit: number, interrupted: boolean): void {
  const outcomes = groups.flat();
  if (cmd.json) {
    io.stdout(`${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, tool: { name: 'dirtyrace', version: toolVersion() }, exit, results: outcomes.map((o) => checkJson(o, cmd.run.explain)) }, null, 2)}\n`);
    return;
  }
  const textOptions = { ...cmd.run, traces: cmd.traces, stateAt: cmd.stateAt };
  if (outcomes.length === 1) {
    const o = outcomes[0]!;
    (o.exit === EXIT.badInput || o.exit === EXIT.internal ? io.stderr : io.stdout)(`${checkText(o, textOptions)}\n`);
    return;
  }
  groups.forEach((group, i) => {
    if (group.length > 1) io.stdout(`${formatComparison(files[i]!, group.map(columnOf))}\n\n`);
    for (const o of group) {
      if (group.length === 1 || o.exit !== EXIT.ok) io.stdout(`${summaryText(o, cmd.run.strict)}\n`);
      if (o.exit === EXIT.failed && cmd.traces) io.stdout(`${indent(checkText(o, textOptions))}\n`);
      // A passing file (an expected violation) shows no trace here, but was asked to be explained.
      else if (o.kind === 'checked' && o.analysis.explanations.length) io.stdout(`${indent(`${o.label}:\n${o.analysis.explanations.map((x) => x.text).join('\n\n')}`)}\n`);
    }
  });
  const count = (c: number) => outcomes.filter((o) => o.exit === c).length;
  io.stdout(`\n${outcomes.length} checked: ${count(EXIT.ok)} passed, ${count(EXIT.failed)} failed, ${count(EXIT.inconclusive)} inconclusive, ${count(EXIT.badInput) + count(EXIT.internal)} errors${interrupted ? `; interrupted, ${files.length - groups.length} files not started` : ''}\n`);
  io.stdout(`run: ${cmd.commandLine}  (dirtyrace ${toolVersion()})\n`);
}

/**
 * SIGINT and SIGTERM stop the search (the check in progress ends inconclusive and the rest are
 * not started, so what was reached is reported); a second signal exits at once with 130.
 */
function stopOnSignals(io: Io): { signal: AbortSignal; release(): void } {
  const stop = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(130);
    io.stderr(`\ndirtyrace: ${name}: stopping the search and reporting what was reached (send it again to quit at once)\n`);
    stop.abort();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const s of signals) process.on(s, onSignal);
  return { signal: stop.signal, release: () => { for (const s of signals) process.off(s, onSignal); } };
}

/** The file's own model as its `use` line names it, parameters included (`riscv_svade(cache_invalid = true)`). */
function ownLabel(text: string, arch: string): string {
  const args = new RegExp(`^[ \\t]*use[ \\t]+${arch}[ \\t]*(\\([^)]*\\))[ \\t]*;`, 'm').exec(text)?.[1];
  return args ? `${arch}${args.replace(/\s+/g, ' ')}` : arch;
}

/** This check's column in a side-by-side comparison (one file under several models). */
function columnOf(c: CheckedFile): CompareColumn {
  switch (c.kind) {
    case 'checked': return { label: c.arch ?? ownLabel(c.source.text, c.model.arch.name), model: c.model, result: c.result, verdict: c.verdict };
    case 'bad-input': {
      const at = c.report.error!.location!;
      return { label: c.arch ?? '(own arch)', error: `${at.file}:${at.line}:${at.col}: ${c.diagnostic.message}` };
    }
    case 'internal-error': return { label: c.arch ?? '(own arch)', error: `${failureWord(c.exit)}: ${c.message}` };
  }
}

function indent(s: string): string {
  return s.split('\n').map((l) => `    ${l}`).join('\n');
}
