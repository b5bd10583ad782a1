// `dirtyrace simulate FILE [--seed S] [--steps N]`: one random run, printed as a trace.
import { parseArgs } from 'node:util';
import { modelOfFile } from '../check/index.js';
import { compileModel } from '../compile/index.js';
import { Diagnostic, formatDiagnostic } from '../lang/source.js';
import { traceText } from '../report/text.js';
import { EXIT } from '../run/exit.js';
import { DEFAULT_SIMULATE_STEPS, simulate } from '../simulate/index.js';
import type { Io } from './usage.js';
import { memoryOf } from './check.js';
import type { MemoryMode } from '../ir/model.js';

export const SIMULATE_USAGE = `usage: dirtyrace simulate [--seed S] [--steps N] [--memory relaxed|sc] [--arch A] [--models DIR] FILE

One random run of FILE: from a random initial state, each step is an enabled CPU or hardware
step picked at random by a generator seeded with S (default 1): the same seed, the same run.
It stops when a property fails, when every CPU has finished or none can move, or after N steps
(default ${DEFAULT_SIMULATE_STEPS}). --memory picks arm64's memory model as for check (default
relaxed: the run may take the relaxed steps hu_commit, walk_early, read_early, store_commit,
pte_commit).
Exit status: 0 no property failed in this run, 1 one did, 2 bad input.`;

function integer(v: string | undefined, flag: string, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) > max) throw new Error(`${flag} takes an integer from 0 to ${max}, found '${v}'`);
  return Number(v);
}

export async function runSimulate(argv: readonly string[], io: Io): Promise<number> {
  let file: string;
  let seed: number;
  let steps: number;
  let check: { arch?: string; modelDirs: string[]; memory: MemoryMode };
  try {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: {
      seed: { type: 'string' }, steps: { type: 'string' }, memory: { type: 'string' }, arch: { type: 'string' }, models: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' },
    } });
    if (values.help) { io.stdout(`${SIMULATE_USAGE}\n`); return EXIT.ok; }
    if (positionals.length !== 1) throw new Error('simulate takes one scenario file');
    file = positionals[0]!;
    seed = integer(values.seed, '--seed', 1, 2 ** 32 - 1);
    steps = integer(values.steps, '--steps', DEFAULT_SIMULATE_STEPS, 10_000_000);
    check = { arch: values.arch, modelDirs: values.models ?? [], memory: memoryOf(values.memory) };
  } catch (e) {
    io.stderr(`dirtyrace: ${(e as Error).message}\n\n${SIMULATE_USAGE}\n`);
    return EXIT.badInput;
  }
  let ts;
  try {
    ts = compileModel(modelOfFile(file, check));
  } catch (e) {
    if (e instanceof Diagnostic) { io.stderr(`${formatDiagnostic(e)}\n`); return EXIT.badInput; }
    // A file that cannot be read (missing, a directory, no permission) is bad input too.
    if ((e as NodeJS.ErrnoException).code) { io.stderr(`dirtyrace: ${file}: ${(e as Error).message}\n`); return EXIT.badInput; }
    throw e;
  }
  const run = simulate(ts, { seed, steps });
  const n = run.trace.steps.length;
  const property = run.property === undefined ? undefined : ts.model.properties[run.property]!;
  const how = property ? `violated ${property.name} after ${n} steps`
    : run.end === 'finished' ? `every CPU finished after ${n} steps; no property failed` : `stopped after ${n} steps (--steps); no property failed`;
  io.stdout(`simulate ${file} --seed ${seed}: ${how}\n\n${traceText(ts, run.trace, property)}\n`);
  return property ? EXIT.failed : EXIT.ok;
}
