// Running SPIN on an exported model and reading its report (never its exit status).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SpinOptions {
  /** gcc optimisation flag for pan.c (the check is the same; -O0 compiles faster). */
  readonly opt?: string;
  /** Upper bound on the search depth (pan -m); the DFS stack needs one entry per level. */
  readonly maxDepth?: number;
  /** Keep the temporary directory (for traces); the caller removes it. */
  readonly keep?: boolean;
}

export interface SpinError {
  /** 1-based error number (pan -e trail number). */
  readonly n: number;
  /** Property index for `assertion violated pK`; 'end' for an invalid end state; 'other' otherwise. */
  readonly kind: number | 'end' | 'other';
  readonly text: string;
}

export interface SpinResult {
  readonly states: number;
  readonly depth: number;
  readonly errorCount: number;
  readonly errors: readonly SpinError[];
  /** Property indexes SPIN found violated (assertions), and whether an invalid end state was found. */
  readonly violated: ReadonlySet<number>;
  readonly invalidEnd: boolean;
  readonly report: string;
  readonly dir: string;
  readonly ms: { spin: number; gcc: number; pan: number };
}

export function spinAvailable(): boolean {
  return spawnSync('spin', ['-V'], { encoding: 'utf8' }).status === 0;
}

/** Parses pan's report text. */
export function parsePanReport(report: string): Omit<SpinResult, 'report' | 'dir' | 'ms'> {
  const errors: SpinError[] = [];
  for (const mt of report.matchAll(/^pan:(\d+): (.*)$/gm)) {
    const text = mt[2]!;
    const a = /assertion violated p(\d+)\b/.exec(text);
    const kind: SpinError['kind'] = a ? Number(a[1]) : /invalid end state/.test(text) ? 'end' : 'other';
    errors.push({ n: Number(mt[1]), kind, text });
  }
  const sv = /State-vector \d+ byte, depth reached (\d+), errors: (\d+)/.exec(report);
  const stored = /^\s*(\d+) states, stored/m.exec(report);
  if (!sv || !stored) throw new Error(`unexpected pan output:\n${report}`);
  const violated = new Set(errors.flatMap((e) => (typeof e.kind === 'number' ? [e.kind] : [])));
  return {
    states: Number(stored[1]), depth: Number(sv[1]), errorCount: Number(sv[2]), errors, violated,
    invalidEnd: errors.some((e) => e.kind === 'end'),
  };
}

/** spin -a, gcc, ./pan -c0 in a fresh temporary directory. */
export function runSpin(promela: string, opts: SpinOptions = {}): SpinResult {
  const dir = mkdtempSync(join(tmpdir(), 'dirtyrace-spin-'));
  try {
    writeFileSync(join(dir, 'model.pml'), promela);
    const t0 = Date.now();
    // -o1 -o2 -o3: no dataflow optimisation, no hiding of write-only variables, no statement
    // merging; each would change the number of stored states (docs/PROMELA.md).
    const sp = spawnSync('spin', ['-o1', '-o2', '-o3', '-a', 'model.pml'], { cwd: dir, encoding: 'utf8' });
    if (sp.status !== 0 || /error/i.test(sp.stdout)) throw new Error(`spin -a failed:\n${sp.stdout}${sp.stderr}`);
    const t1 = Date.now();
    execFileSync('gcc', [opts.opt ?? '-O2', '-DSAFETY', '-DNOREDUCE', '-w', '-o', 'pan', 'pan.c'], { cwd: dir, stdio: 'pipe' });
    const t2 = Date.now();
    const depth = Math.max(10_000, opts.maxDepth ?? 1_000_000);
    const pan = spawnSync('./pan', ['-c0', '-n', `-m${depth}`, '-w20'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
    const t3 = Date.now();
    const report = `${pan.stdout}${pan.stderr}`;
    if (/max search depth too small/.test(report)) throw new Error(`pan: search depth ${depth} too small`);
    return { ...parsePanReport(report), report, dir, ms: { spin: t1 - t0, gcc: t2 - t1, pan: t3 - t2 } };
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** Reruns pan writing trails and replays the first trail of each wanted error kind with spin -t. */
export function spinTraces(dir: string, depth: number, want: readonly (number | 'end')[]): Map<number | 'end', string> {
  const out = new Map<number | 'end', string>();
  for (const f of readdirSync(dir)) if (f.endsWith('.trail')) rmSync(join(dir, f));
  const pan = spawnSync('./pan', ['-c0', '-e', '-n', `-m${Math.max(10_000, depth)}`, '-w20'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  const parsed = parsePanReport(`${pan.stdout}${pan.stderr}`);
  for (const w of want) {
    const e = parsed.errors.find((x) => x.kind === w);
    if (!e) continue;
    const t = spawnSync('spin', [`-t${e.n}`, '-p', '-g', 'model.pml'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
    out.set(w, `${t.stdout}${t.stderr}`);
  }
  return out;
}
