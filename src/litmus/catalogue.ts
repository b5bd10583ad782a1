// The catalogue run behind `npm run test:litmus`: every .litmus file under a folder, checked
// with a state limit (never a clock), compared with the kinds file; counts per folder.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatDiagnostic } from '../lang/source.js';
import { checkLitmus, type LitmusResult } from './check.js';
import { parseKinds, type Kinds } from './kinds.js';

export type Outcome = 'agree' | 'disagree' | 'unsupported' | 'no-kind' | 'too-large' | 'error';

export interface TestOutcome {
  readonly file: string;
  readonly folder: string;
  readonly outcome: Outcome;
  readonly expected?: string;
  readonly result: LitmusResult;
}

function litmusFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...litmusFiles(p));
    else if (e.endsWith('.litmus')) out.push(p);
  }
  return out;
}

/** Every kinds file of the catalogue (`*kinds.txt` at its top) read together; the first entry for a name wins. */
export function catalogueKinds(testsDir: string): Kinds & { readonly files: readonly string[] } {
  const files = readdirSync(testsDir).filter((f) => f === 'kinds.txt').map((f) => join(testsDir, f));
  const entries = new Map<string, import('./check.js').LitmusVerdict>();
  const odd: Kinds['odd'][number][] = [];
  for (const f of files) {
    const k = parseKinds(readFileSync(f, 'utf8'));
    for (const [n, v] of k.entries) if (!entries.has(n)) entries.set(n, v);
    odd.push(...k.odd.map((o) => ({ ...o, text: `${relative(testsDir, f)}:${o.line}: ${o.text.trim()}` })));
  }
  return { entries, odd, files };
}

export async function runCatalogue(testsDir: string, maxStates: number, onTest?: (t: TestOutcome) => void): Promise<TestOutcome[]> {
  const kinds = catalogueKinds(testsDir);
  const out: TestOutcome[] = [];
  for (const file of litmusFiles(testsDir)) {
    const text = readFileSync(file, 'utf8');
    const rel = relative(testsDir, file);
    const folder = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '.';
    const result = await checkLitmus({ path: rel, text }, { maxStates, por: true });
    const name = result.name ?? rel.replace(/^.*\//, '').replace(/\.litmus$/, '');
    const expected = kinds.entries.get(name);
    const outcome: Outcome = result.kind === 'unsupported' ? 'unsupported'
      : result.kind === 'too-large' ? 'too-large'
      : result.kind !== 'decided' ? 'error'
      : expected === undefined ? 'no-kind'
      : expected === result.verdict ? 'agree' : 'disagree';
    const t = { file: rel, folder, outcome, expected, result };
    out.push(t);
    onTest?.(t);
  }
  return out;
}

export function describe(t: TestOutcome): string {
  const r = t.result;
  switch (r.kind) {
    case 'decided': return `${t.file}: dirtyrace ${r.verdict}, herd7 ${t.expected ?? '(no kinds entry)'} (${r.states} states, ${r.arch})`;
    case 'too-large': return `${t.file}: too large (over ${r.states} states)`;
    case 'unsupported': case 'bad-input': return formatDiagnostic(r.diagnostic).split('\n')[0]!;
    case 'internal-error': return `${t.file}: internal error: ${r.message.split('\n')[0]}`;
  }
}
