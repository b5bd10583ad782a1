// The text trace's layout: long statements wrap inside their CPU's column instead of being cut,
// a write through a stale TLB entry is marked, and --state-at prints one whole state.
import { describe, expect, it } from 'vitest';
import { modelOfFile } from '../../src/check/index.js';
import { compileModel } from '../../src/compile/index.js';
import { explore } from '../../src/explore/bfs.js';
import { verdictOf } from '../../src/explore/verdict.js';
import { formatResult, wrap } from '../../src/report/text.js';

const P2 = 'scenarios/apply_as_clean/harvest-before-flush.race';

function traceText(file: string, stateAt?: number): string[] {
  const ts = compileModel(modelOfFile(file));
  const r = explore(ts, { symmetry: true });
  return formatResult(ts, r, verdictOf(ts.model, r), { traces: true, stateAt }).split('\n');
}

describe('wrap', () => {
  it('breaks at spaces, indents continuation lines, and keeps every character', () => {
    const text = 'clean_record_pte_locked(P) > atomic { ptep_modify_prot_commit(p, pte_mkclean(old)); bitmap[p] = true; }';
    const lines = wrap(text, 39);
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(39);
    expect(lines.slice(1).every((l) => l.startsWith('  ') && l[2] !== ' ')).toBe(true);
    expect(lines.map((l) => l.trim()).join(' ')).toBe(text);
  });

  it('cuts a word longer than the column, and leaves short text alone', () => {
    expect(wrap('x'.repeat(50), 20)).toEqual(['x'.repeat(20), `  ${'x'.repeat(18)}`, `  ${'x'.repeat(12)}`]);
    expect(wrap('write P;', 39)).toEqual(['write P;']);
  });
});

describe('the trace', () => {
  const lines = traceText(P2);
  const header = lines.findIndex((l) => l.startsWith('step'));

  it('shows the inner step of a nested library call in full, on continuation lines of its column', () => {
    const at = lines.findIndex((l) => l.startsWith('6 '));
    expect(lines[at]).toMatch(/^6 +clean_record_pte_locked\(P\) > atomic \{ +P=\{present,write,accessed,pfn=F0\}/);
    const column = lines[header]!.indexOf('writer');
    const cont = [];
    for (let i = at + 1; lines[i]!.startsWith('      '); i++) cont.push(lines[i]!);
    expect(cont.length).toBeGreaterThan(0);
    for (const l of cont) expect(l.length).toBeLessThan(column);
    expect(cont.map((l) => l.trim()).join(' ')).toBe('ptep_modify_prot_commit(p, pte_mkclean(old)); bitmap[p] = true; return true; }');
    expect(lines.join('\n')).not.toContain('...');
  });

  it('marks the write through the stale dirty entry, and only that one', () => {
    const marked = lines.filter((l) => l.includes('<-- write through a stale TLB entry'));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatch(/^10 +write P; +F0\.version=2 {3}<-- write through a stale TLB entry$/);
  });
});

describe('--state-at', () => {
  it('prints where each CPU is and every named value after that step', () => {
    const lines = traceText(P2, 10);
    const at = lines.indexOf('state after step 10:');
    expect(lines.slice(at + 1, at + 12)).toEqual([
      '  cleaner: next wp_clean_post_vma(P, cleaned) > flush(p);',
      '  writer: finished',
      '  P = {present,write,accessed,pfn=F0}',
      '  tlb[cleaner][P] = -',
      '  tlb[writer][P] = {write,dirty,pfn=F0}',
      '  tlb_flush_pending = 1',
      '  bitmap[P] = false',
      '  saved = 1',
      '  F0.version = 2',
      '  ptl = free',
      '  cleaner.cleaned = true',
    ]);
  });

  it('step 0 is the initial state; past the end says how long the trace is', () => {
    const first = traceText(P2, 0);
    expect(first[first.indexOf('state at step 0 (initial):') + 1]).toBe('  cleaner: next wp_clean_pre_vma()');
    expect(traceText(P2, 13)).toContain('state at step 13: the trace has 12 steps');
  });
});
