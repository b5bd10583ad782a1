// The report stage on its own: decoding states into names, the text trace, coverage and the
// JUnit writer, on small searches whose every step is known.
import { describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { compileModel } from '../../src/compile/index.js';
import { explore } from '../../src/explore/bfs.js';
import { verdictOf } from '../../src/explore/verdict.js';
import { computeCoverage, coverageText } from '../../src/report/coverage.js';
import { changes, describeState } from '../../src/report/decode.js';
import type { FileReport } from '../../src/report/file-report.js';
import { junitXml } from '../../src/report/junit.js';
import { formatResult } from '../../src/report/text.js';
import { rebuildTrace } from '../../src/report/trace.js';

function checked(text: string) {
  const m = modelOf({ path: 'r.race', text });
  const ts = compileModel(m);
  const r = explore(ts);
  return { m, ts, r, v: verdictOf(m, r) };
}

const RACE = `use x86_64;
page P { present: true, write: true, accessed: true, pfn: F0 }
frame F0;
spinlock ptl;
bool seen = false;
disable fill;
disable evict;
cpu cleaner { lock(ptl); let v = ptep_get(P); set_pte(P, v with { dirty: false }); unlock(ptl); seen = true; }
cpu writer { write P; }
final clean_or_seen: !pte_dirty(ptep_get(P)) || seen;
invariant never_dirty: !pte_dirty(ptep_get(P));
`;

describe('decoded states', () => {
  it('names PTEs by their set flags, TLB entries, globals, frames, locks and live locals', () => {
    const { ts } = checked(RACE);
    const s = ts.initialStates()[0]!;
    const d = describeState(ts, s);
    expect(d.get('P')).toBe('{present,write,accessed,pfn=F0}');
    expect(d.get('tlb[writer][P]')).toBe('-');
    expect(d.get('seen')).toBe('false');
    expect(d.get('F0.version')).toBe('0');
    expect(d.get('ptl')).toBe('free');
    const after = s.slice();
    ts.step(0, after); // lock(ptl)
    ts.step(0, after); // let v = ptep_get(P)
    expect(changes(ts, s, after)).toEqual(['ptl=held by cleaner', 'cleaner.v={present,write,accessed,pfn=F0}']);
  });
});

describe('the text trace', () => {
  it('shows the shortest violation step by step, one column per CPU, with the changes', () => {
    const { ts, r, v } = checked(RACE);
    const text = formatResult(ts, r, v, { traces: true });
    expect(text).toMatch(/^violated {2}never_dirty {2}\(x86_64, 2 CPUs, 1 page; \d+ states/);
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.startsWith('step'));
    expect(lines[header]).toMatch(/^step +cleaner \(cpu0\) +writer \(cpu1\) +changes$/);
    // The shortest way to a dirty PTE is the write alone.
    expect(lines[header + 1]).toMatch(/^1 +write P; +P=\{present,write,dirty,accessed,pfn=F0\} {2}tlb\[writer\]\[P\]=\{write,dirty,pfn=F0\} {2}F0.version=1$/);
    expect(lines[header + 2]).toBe('never_dirty fails: invariant never_dirty: !pte_dirty(ptep_get(P));');
    const trace = rebuildTrace(ts, r, r.violations[v.properties.findIndex((p) => p.property.name === 'never_dirty')]!);
    expect(trace.steps.map((s) => s.actor.kind === 'cpu' ? s.actor.cpu : -1)).toEqual([1]);
  });
});

describe('coverage', () => {
  it('lists the statements no reachable state runs, once per source line', () => {
    const { ts, r } = checked(`use x86_64;
page P { present: true, write: true, pfn: F0 }
frame F0;
bool never = false;
cpu a { if (never) { write P; } else { skip; } }
`);
    const c = computeCoverage(ts, r);
    expect(c.statements).toEqual({ reached: 2, total: 3 });
    expect(c.accessOutcomes).toEqual({ reached: 0, total: 2 });
    expect(c.unreached.map((u) => `${u.text} ${u.what}`)).toEqual(['write P; statement']);
    expect(coverageText(c)).toMatch(/^coverage: 2\/3 statements reached, 0\/2 access outcomes; no write ever completed\nunreached:\n {2}r\.race:5:22 {2}a: write P; {2}\(never executed\)$/);
  });
});

describe('JUnit', () => {
  const report = (over: Partial<FileReport>): FileReport => ({
    file: 'a.race', arch: null, label: 'a.race', status: 'FAIL', exit: 1, outcome: 'violated', expected: 'holds',
    properties: [
      { name: 'p<&>"', kind: 'final', status: 'violated', expectedViolated: false, location: { file: 'a.race', line: 3, col: 1, endLine: 3, endCol: 9 }, ms: 300 },
      { name: 'q', kind: 'final', status: 'holds', expectedViolated: true, location: null, ms: 1500 },
      { name: 'r', kind: 'invariant', status: 'holds', expectedViolated: false, location: null, ms: 1500 },
    ],
    traces: [], stats: { states: 10, transitions: 12, depth: 3, ms: 1500, limit: null }, coverage: null, warnings: [], strict: false, error: null,
    provenance: { tool: { name: 'dirtyrace', version: '0' }, modelFiles: ['a.race'], modelHash: 'sha256:0', options: { arch: null, maxStates: 1, timeLimitSeconds: null, models: [], symmetry: true, por: true, strict: false }, command: 'dirtyrace check a.race' },
    ...over,
  });

  it('fails a test case per unexpected verdict, escapes names, and counts them', () => {
    const xml = junitXml([report({})], new Date('2026-01-02T03:04:05Z'));
    // Each case its own time; the classname has no `.race` for Jenkins to take as the class.
    expect(xml).toContain('<testcase name="p&lt;&amp;&gt;&quot;" classname="a" time="0.300">');
    expect(xml).toMatch(/<testcase name="q" classname="a" time="1.500">/);
    expect(xml).toMatch(/<testcase name="q"[^>]*>\s*<failure message="expected violation of q not found" type="missed-expectation">/);
    expect(xml).toMatch(/<testcase name="r"[^>]*>\s*<system-out>holds<\/system-out>/);
    expect(xml).toMatch(/<testsuites name="dirtyrace" tests="3" failures="2" errors="0"/);
    expect(xml).toContain('timestamp="2026-01-02T03:04:05"');
  });

  it('reports bad input as one errored case', () => {
    const xml = junitXml([report({ status: 'ERROR', exit: 2, properties: [], stats: null, error: { message: 'bad', location: null, text: 'a.race:1:1: error: bad' } })]);
    expect(xml).toMatch(/<testcase name="load"[^>]*>\s*<error message="bad" type="bad-input">a.race:1:1: error: bad<\/error>/);
  });
});
