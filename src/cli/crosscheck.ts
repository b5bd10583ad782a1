// `dirtyrace crosscheck FILE...`: check each scenario with the explorer and with SPIN (on the
// Promela export) and compare the verdict of every property and the number of reachable states.
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { modelOfFile } from '../check/index.js';
import type { Model } from '../ir/model.js';
import { compile, DISABLED, type TransitionSystem } from '../compile/index.js';
import { FINISHED, programGraph } from '../program/graph.js';
import { EXIT } from '../run/exit.js';
import { scenarioFiles, type ScenarioEntry } from '../run/files.js';
import { explore, type ExploreResult } from '../explore/bfs.js';
import { verdictOf } from '../explore/verdict.js';
import { blocksOnlyOnSoftware, exportRefusal, toPromela } from '../export/promela.js';
import { runSpin, spinAvailable, spinTraces, type SpinResult } from '../export/spin.js';
import { Diagnostic, formatDiagnostic } from '../lang/source.js';
import { formatTrace } from '../report/text.js';
import { findLivelock } from '../explore/livelock.js';

export interface PropertyComparison {
  readonly name: string;
  readonly ours: boolean;
  readonly spin: boolean;
  /**
   * `agree`; `disagree`; or `beyond-spin`: our deadlock is a set of stuck states that hardware
   * steps keep cycling through, which SPIN's safety search cannot see (docs/PROMELA.md); or
   * `not-exported`: `livelock`, a cycle property the export does not check (SPIN says nothing).
   */
  readonly status: 'agree' | 'disagree' | 'beyond-spin' | 'not-exported';
}

export interface Crosscheck {
  readonly model: Model;
  readonly ts: TransitionSystem;
  readonly result: ExploreResult;
  readonly spin: SpinResult;
  readonly properties: readonly PropertyComparison[];
  /** SPIN's stored states minus one (its state before `init` has run): docs/PROMELA.md. */
  readonly spinStates: number;
  readonly statesAgree: boolean;
  readonly agree: boolean;
}

/**
 * Checks `model` both ways. With `keep`, SPIN's directory stays for traces (`spin.dir`); the
 * caller removes it. Undefined when our search stops at `maxStates` (SPIN is not run then).
 */
export function crosscheckModel(model: Model, opts: { opt?: string; keep?: boolean; maxStates?: number } = {}): Crosscheck | undefined {
  const ts = compile(programGraph(model));
  const result = explore(ts, { maxStates: opts.maxStates });
  if (result.limit) return undefined;
  const spin = runSpin(toPromela(ts.graph), { opt: opts.opt, keep: opts.keep, maxDepth: result.states + 1000 });
  const deadlock = model.properties.findIndex((p) => p.name === 'deadlock');
  const properties = model.properties.map((p, i): PropertyComparison => {
    if (p.name === 'livelock') return { name: p.name, ours: findLivelock(ts, { maxStates: opts.maxStates }).violation !== undefined, spin: false, status: 'not-exported' };
    const ours = result.violations[i] !== undefined;
    const theirs = spin.violated.has(i) || (i === deadlock && spin.invalidEnd);
    let status: PropertyComparison['status'] = ours === theirs ? 'agree' : 'disagree';
    if (status === 'disagree' && i === deadlock && ours && beyondSpin(ts, result, result.violations[i]!.state)) status = 'beyond-spin';
    return { name: p.name, ours, spin: theirs, status };
  });
  const spinStates = spin.states - 1;
  const statesAgree = spinStates === result.states;
  return {
    model, ts, result, spin, properties, spinStates, statesAgree,
    agree: statesAgree && properties.every((p) => p.status !== 'disagree'),
  };
}

/**
 * Our deadlock state is outside what the export reports when some hardware step still changes it
 * and some unfinished CPU waits on a condition hardware could change (SPIN would need to show
 * that no sequence of hardware steps helps, a branching-time question).
 */
function beyondSpin(ts: TransitionSystem, r: ExploreResult, state: number): boolean {
  const s = r.stateAt(state)!;
  const work = new Int32Array(ts.stateSize);
  const hwMoves = ts.hardware.some((h) => {
    work.fill(0); work.set(s);
    return h.exec(work) <= 0 && s.some((v, i) => work[i] !== v);
  });
  if (!hwMoves) return false;
  return ts.model.cpus.some((c) => {
    const pc = ts.pcOf(c.index, s);
    if (pc === FINISHED) return false;
    work.fill(0); work.set(s);
    if (ts.cpuStep(c.index, work) !== DISABLED) return false;
    return !blocksOnlyOnSoftware(ts.model, ts.graph.cpus[c.index]!.points[pc]!.stmt);
  });
}

export function formatCrosscheck(x: Crosscheck, withTraces: boolean): string {
  const lines: string[] = [];
  const bad = x.properties.filter((p) => p.status === 'disagree');
  lines.push(`states: dirtyrace ${x.result.states}, SPIN ${x.spin.states} stored (${x.spinStates} after the pre-init state)${x.statesAgree ? '' : '  <-- DIFFER'}`);
  for (const p of x.properties) {
    const cover = x.model.properties.find((q) => q.name === p.name)?.kind === 'cover';
    const v = (b: boolean) => (cover ? (b ? 'reached' : 'unreached') : b ? 'violated' : 'holds');
    const note = p.status === 'disagree' ? '  <-- DISAGREE' : p.status === 'beyond-spin' ? '  (not decidable by the SPIN safety search; see docs/PROMELA.md)' : '';
    if (p.status === 'not-exported') lines.push(`  ${p.name.padEnd(24)} dirtyrace: ${v(p.ours).padEnd(9)} SPIN: not checked (a cycle property; the export checks safety only)`);
    else lines.push(`  ${p.name.padEnd(24)} dirtyrace: ${v(p.ours).padEnd(9)} SPIN: ${v(p.spin)}${note}`);
  }
  if (withTraces && bad.length) {
    const m = x.model;
    const v = verdictOf(m, x.result);
    const deadlock = m.properties.findIndex((p) => p.name === 'deadlock');
    const want = bad.filter((p) => p.spin).map((p) => m.properties.findIndex((q) => q.name === p.name)).map((i) => (i === deadlock && !x.spin.violated.has(i) ? 'end' as const : i));
    const traces = want.length ? spinTraces(x.spin.dir, x.result.states + 1000, want) : new Map();
    for (const p of bad) {
      const i = m.properties.findIndex((q) => q.name === p.name);
      lines.push('', `--- ${p.name}: dirtyrace says ${p.ours ? 'violated' : 'holds'}, SPIN says ${p.spin ? 'violated' : 'holds'}`);
      if (p.ours) lines.push('dirtyrace trace:', formatTrace(x.ts, x.result, v.properties[i]!));
      else lines.push('dirtyrace: no violation in any of its states');
      const t = traces.get(i === deadlock && !x.spin.violated.has(i) ? 'end' : i);
      if (p.spin) lines.push('SPIN trail (spin -t -p -g):', t ?? '(no trail)');
      else lines.push('SPIN: no error for this property');
    }
  }
  return lines.join('\n');
}

const USAGE = `usage: dirtyrace crosscheck [--models DIR] [--fast] FILE|DIR...

Checks each scenario with dirtyrace and with SPIN (spin, gcc) on its Promela export; compares
the verdict of every property and the number of reachable states. Exit 0 all agree, 1 a
disagreement, 2 bad input or SPIN missing.
  --fast   compile pan.c with -O0 instead of -O2 (same result, faster for small models)`;

export async function runCrosscheck(argv: readonly string[], io: { stdout(s: string): void; stderr(s: string): void }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: {
      models: { type: 'string', multiple: true }, fast: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    } });
  } catch (e) {
    io.stderr(`dirtyrace: ${(e as Error).message}\n\n${USAGE}\n`);
    return EXIT.badInput;
  }
  if (parsed.values.help) { io.stdout(`${USAGE}\n`); return EXIT.ok; }
  if (!parsed.positionals.length) { io.stderr(`dirtyrace: crosscheck needs at least one file\n\n${USAGE}\n`); return EXIT.badInput; }
  if (!spinAvailable()) { io.stderr('dirtyrace: crosscheck needs `spin` on the PATH (apt-get install spin)\n'); return EXIT.badInput; }
  let files: ScenarioEntry[];
  try { files = scenarioFiles(parsed.positionals); } catch (e) { io.stderr(`dirtyrace: ${(e as Error).message}\n`); return EXIT.badInput; }
  let exit: number = EXIT.ok;
  for (const { path: f, problem } of files) {
    if (problem !== undefined) { io.stderr(`${f}: error: cannot check this file: ${problem}\n`); exit = Math.max(exit, EXIT.badInput); continue; }
    let model: Model;
    try {
      // The export is sequentially consistent, so both sides check arm64 under --memory sc.
      model = modelOfFile(f, { modelDirs: parsed.values.models ?? [], memory: 'sc' });
    } catch (e) {
      if (e instanceof Diagnostic) { io.stderr(`${formatDiagnostic(e)}\n`); exit = Math.max(exit, EXIT.badInput); continue; }
      throw e;
    }
    const refused = exportRefusal(model);
    if (refused) {
      io.stdout(`CANNOT   ${f}\n  ${formatDiagnostic(refused).split('\n').join('\n  ')}\n`);
      exit = Math.max(exit, EXIT.badInput);
      continue;
    }
    const x = crosscheckModel(model, { opt: parsed.values.fast ? '-O0' : '-O2', keep: true })!;
    try {
      io.stdout(`${x.agree ? 'AGREE   ' : 'DISAGREE'} ${f}\n${formatCrosscheck(x, !x.agree).split('\n').map((l) => `  ${l}`).join('\n')}\n`);
    } finally {
      rmSync(x.spin.dir, { recursive: true, force: true });
    }
    if (!x.agree) exit = Math.max(exit, EXIT.failed);
  }
  return exit;
}
