// Random and mutated scenario text through the path the command line takes: it must end in a
// verdict (exit 0, 1 or 3) or a located error (exit 2, `file:line:col: error:`), never in an
// exception of another kind (exit 4 or a throw), and in bounded time.
//
// Reproduce a failure: FUZZ_SEED=<seed printed below> npx vitest run test/fuzz
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { compileModel } from '../../src/compile/index.js';
import { explore } from '../../src/explore/bfs.js';
import { Diagnostic, formatDiagnostic } from '../../src/lang/source.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20240611;
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 300;
/** Each input's work is bounded by the state cap (not by wall-clock time, which load can exceed). */
const MAX_STATES = 20_000;

function raceFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return raceFiles(path);
    return name.endsWith('.race') ? [path] : [];
  });
}

const SMALL = `use x86_64;
page P { present: true, write: true, pfn: F0 }
page Q { present: any, pfn: F1 }
frame F0, F1;
spinlock ptl[page];
rwsem mm;
enum St { Idle, Busy }
St st = Idle;
int[0..3] n = 0;
bool flags[cpu];
proc bump(p: page) -> bool { atomic { let old = ptep_get(p); set_pte(p, old with { dirty: true }); return old.dirty; } }
cpu w {
  lock(ptl[P]);
  let d = bump(P);
  if (d) { n = n + 1; } else { st = Busy; }
  unlock(ptl[P]);
  while (n < 2) bound 2 { write P; n = n + 1; }
  for i in 0..1 { read Q; }
  flush_local_all();
}
cpu v[2] {
  down_read(mm);
  write Q;
  up_read(mm);
  flags[self] = true;
}
fault read(p) { down_write(mm); up_write(mm); }
invariant small: n <= 3;
on write wrote(c, p, f): f == F0 || f == F1;
final done_ok: st == Busy || n >= 1;
expect holds;
`;

const SEEDS = [...raceFiles(join(ROOT, 'scenarios')).map((f) => readFileSync(f, 'utf8')), SMALL];

/** Names, keywords, operators and literals that occur in scenarios, to insert at random. */
const VOCAB = [
  'use', 'x86_64', 'page', 'frame', 'spinlock', 'rwsem', 'bool', 'int', 'ghost', 'enum', 'cpu', 'fault', 'read', 'write',
  'invariant', 'final', 'on', 'expect', 'holds', 'violated', 'disable', 'fill', 'evict', 'proc', 'fn', 'param', 'arch',
  'library', 'hardware', 'access', 'override', 'pte', 'tlb', 'tlbe', 'let', 'if', 'else', 'while', 'bound', 'for', 'in',
  'atomic', 'await', 'assert', 'return', 'done', 'skip', 'true', 'false', 'with', 'any', 'lock', 'unlock', 'down_read',
  'up_read', 'down_write', 'up_write', 'self', 'empty', 'P', 'Q', 'F0', 'F1', 'ptl', 'mm', 'n', 'st', 'bitmap', 'saved',
  'ptep_get', 'set_pte', 'flush', 'flush_all', 'flush_local', 'tlb', 'frame_of', 'pte_dirty', 'pte_mkclean',
  'ptep_modify_prot_start', 'ptep_get_and_clear', 'version', 'freed', 'deadlock', 'overflow', 'no_lost_dirty',
  '0', '1', '2', '3', '16', '17', '1000', '65536', '99999999999999999999', '-1',
  '{', '}', '(', ')', '[', ']', ';', ',', ':', '.', '..', '=', '==', '!=', '<', '<=', '>', '>=', '+', '-', '!',
  '&&', '||', '=>', '?', '//', '/*', '*/', '\n', ' ', 'int[0..3]', 'int[0..65535]', 'bound 3', 'cpu c[16] { write P; }',
];

const TOKEN = /[A-Za-z_][A-Za-z0-9_]*|\d+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|\s+|\.\.|=>|==|!=|<=|>=|&&|\|\||[^\s]/g;
const tokenize = (text: string): string[] => text.match(TOKEN) ?? [];

/** Words that keep a statement well formed when one replaces another of its group, so mutants reach the explorer. */
const WORD_GROUPS = [
  ['P', 'Q', 'F0', 'F1', 'self', 'cleaner', 'writer'], ['true', 'false'], ['read', 'write'],
  ['lock', 'unlock', 'down_read', 'up_read', 'down_write', 'up_write'], ['ptl', 'mm'], ['0', '1', '2', '3'],
  ['flush', 'flush_local'], ['bitmap', 'saved', 'n', 'st'], ['holds', 'violated'], ['Idle', 'Busy'], ['fill', 'evict'],
  ['pte_dirty', 'pte_write', 'pte_young', 'pte_mkclean', 'pte_mkdirty', 'pte_wrprotect', 'pte_mkold'],
  ['==', '!=', '<', '<=', '>', '>=', '&&', '||', '+', '-'],
];
const GROUP_OF = new Map(WORD_GROUPS.flatMap((g) => g.map((w) => [w, g] as const)));

type Mutation =
  | { op: 'deleteToken' | 'duplicateToken' | 'deleteChar' | 'truncate' | 'deleteLine' | 'duplicateLine'; at: number }
  | { op: 'swapLines'; at: number; to: number }
  | { op: 'replaceWord'; at: number; pick: number }
  | { op: 'swapTokens'; at: number; to: number }
  | { op: 'insertToken' | 'replaceToken'; at: number; token: string }
  | { op: 'insertChar'; at: number; ch: string };

const position = fc.nat({ max: 1_000_000 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constantFrom('deleteToken' as const, 'duplicateToken' as const), at: position }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('swapTokens' as const), at: position, to: position }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constantFrom('insertToken' as const, 'replaceToken' as const), at: position, token: fc.constantFrom(...VOCAB) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('deleteChar' as const), at: position }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('insertChar' as const), at: position, ch: fc.constantFrom(...'{}()[];,:.=<>!&|?-+*/@#"\'\\\t\n0aZ_\u00e9\u0000') }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('truncate' as const), at: position }), weight: 1 },
);
/** Mutations that usually keep the text well formed: whole lines, and one word for another. */
const lightMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom('deleteLine' as const, 'duplicateLine' as const), at: position }),
  fc.record({ op: fc.constant('swapLines' as const), at: position, to: position }),
  fc.record({ op: fc.constant('replaceWord' as const), at: position, pick: position }),
);

function mutate(text: string, m: Mutation): string {
  if (m.op === 'deleteChar' || m.op === 'insertChar' || m.op === 'truncate') {
    const at = m.at % (text.length + 1);
    if (m.op === 'truncate') return text.slice(0, at);
    if (m.op === 'deleteChar') return text.slice(0, at) + text.slice(at + 1);
    return text.slice(0, at) + (m.op === 'insertChar' ? m.ch : '') + text.slice(at);
  }
  if (m.op === 'deleteLine' || m.op === 'duplicateLine' || m.op === 'swapLines') {
    const lines = text.split('\n');
    const at = m.at % lines.length;
    if (m.op === 'deleteLine') lines.splice(at, 1);
    else if (m.op === 'duplicateLine') lines.splice(at, 0, lines[at]!);
    else if (m.op === 'swapLines') { const to = m.to % lines.length; [lines[at], lines[to]] = [lines[to]!, lines[at]!]; }
    return lines.join('\n');
  }
  const toks = tokenize(text);
  if (m.op === 'replaceWord') {
    const words = toks.flatMap((t, i) => (GROUP_OF.has(t) ? [i] : []));
    if (words.length) {
      const i = words[m.at % words.length]!;
      const group = GROUP_OF.get(toks[i]!)!;
      toks[i] = group[m.pick % group.length]!;
    }
    return toks.join('');
  }
  if (toks.length === 0) return m.op === 'insertToken' || m.op === 'replaceToken' ? m.token : text;
  const at = m.at % toks.length;
  switch (m.op) {
    case 'deleteToken': toks.splice(at, 1); break;
    case 'duplicateToken': toks.splice(at, 0, toks[at]!); break;
    case 'swapTokens': { const to = m.to % toks.length; [toks[at], toks[to]] = [toks[to]!, toks[at]!]; break; }
    case 'insertToken': toks.splice(at, 0, m.token); break;
    case 'replaceToken': toks[at] = m.token; break;
  }
  return toks.join('');
}

const seedIndex = fc.nat({ max: SEEDS.length - 1 });
const mutated = fc.tuple(seedIndex, fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([i, ms]) => ms.reduce(mutate, SEEDS[i]!));
const lightlyMutated = fc.tuple(seedIndex, fc.array(lightMutation, { minLength: 1, maxLength: 3 }))
  .map(([i, ms]) => ms.reduce(mutate, SEEDS[i]!));
const tokenSoup = fc.array(fc.constantFrom(...VOCAB), { maxLength: 60 }).map((ts) => `use x86_64;\n${ts.join(' ')}`);
const randomText = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 80 }));
const input = fc.oneof(
  { arbitrary: mutated, weight: 5 },
  { arbitrary: lightlyMutated, weight: 4 },
  { arbitrary: tokenSoup, weight: 2 },
  { arbitrary: randomText, weight: 1 },
);

interface Outcome {
  readonly code: number;
  readonly out: string;
}

type Runner = (text: string) => Promise<Outcome>;

const dir = mkdtempSync(join(tmpdir(), 'dirtyrace-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The command line, once src/cli/run.ts exists; else the same pipeline called directly. */
async function makeRunner(): Promise<{ name: string; run: Runner }> {
  if (existsSync(join(ROOT, 'src/cli/run.ts'))) {
    const { runCli } = (await import('../../src/cli/run.js')) as {
      runCli(argv: string[], io: { stdout(s: string): void; stderr(s: string): void }): Promise<number>;
    };
    let n = 0;
    return {
      name: 'runCli',
      run: async (text) => {
        const file = join(dir, `case${n++}.race`);
        writeFileSync(file, text);
        let out = '';
        const io = { stdout: (s: string) => { out += s; }, stderr: (s: string) => { out += s; } };
        const code = await runCli(['check', '--max-states', String(MAX_STATES), file], io);
        return { code, out };
      },
    };
  }
  return {
    name: 'pipeline',
    run: async (text) => {
      try {
        const model = modelOf({ path: 'fuzz.race', text }, { modelDirs: [join(ROOT, 'models')] });
        const r = explore(compileModel(model), { maxStates: MAX_STATES });
        return { code: r.limit ? 3 : r.violations.some(Boolean) ? 1 : 0, out: '' };
      } catch (e) {
        if (e instanceof Diagnostic) return { code: 2, out: formatDiagnostic(e) };
        throw e;
      }
    },
  };
}

describe('fuzz: malformed scenarios end in a verdict or a located error', () => {
  it('every seed scenario is accepted as written', async () => {
    const { run } = await makeRunner();
    for (const text of SEEDS) {
      const r = await run(text);
      expect([0, 1, 3], r.out).toContain(r.code);
    }
  });

  it(`${RUNS} random and mutated inputs (seed ${SEED})`, async () => {
    const { name, run } = await makeRunner();
    const codes = new Map<number, number>();
    try {
      await fc.assert(
        fc.asyncProperty(input, async (text) => {
          let r: Outcome;
          try {
            r = await run(text);
          } catch (e) {
            throw new Error(`${name} threw instead of reporting: ${String((e as Error)?.stack ?? e)}`);
          }
          codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
          if (process.env.FUZZ_LOG) console.log(`exit ${r.code} ${r.out.split('\n')[0]}`);
          expect([0, 1, 2, 3], `exit ${r.code}:\n${r.out}`).toContain(r.code);
          if (r.code === 2) expect(r.out).toMatch(/:\d+:\d+: error:/);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    } catch (e) {
      throw new Error(`fuzz failure (reproduce with FUZZ_SEED=${SEED}):\n${(e as Error).message}`);
    }
    // Most inputs are malformed, but the generator must also reach the explorer.
    expect(codes.get(2) ?? 0).toBeGreaterThan(0);
    expect(RUNS - (codes.get(2) ?? 0), `exit codes ${JSON.stringify([...codes])}`).toBeGreaterThan(RUNS / 10);
  });
});
