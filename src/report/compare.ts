// One scenario under several architecture models, side by side: one column per model, one row
// per property, then the expectation, the result and the search's size and time per model.
import type { Model } from '../ir/model.js';
import type { ExploreResult } from '../explore/bfs.js';
import type { Verdict } from '../explore/verdict.js';

/** One model's column: a finished check, or the one-line reason it could not run. */
export type CompareColumn =
  | { readonly label: string; readonly model: Model; readonly result: ExploreResult; readonly verdict: Verdict }
  | { readonly label: string; readonly error: string };

function cell(c: CompareColumn, row: string): string {
  if ('error' in c) return row === 'result' ? 'ERROR' : '';
  const v = c.verdict;
  switch (row) {
    case 'expected': return v.expected ?? '(none: all hold)';
    case 'result': return v.exit === 0 ? 'PASS' : v.exit === 3 ? 'UNKNOWN' : 'FAIL';
    case 'states': return `${c.result.states}${c.result.limit ? ` (${c.result.limit} limit)` : ''}`;
    case 'transitions': return String(c.result.transitions);
    case 'time': return `${(c.result.elapsedMs / 1000).toFixed(2)} s`;
    default: {
      const p = v.properties.find((x) => x.property.name === row);
      if (!p) return '-';
      if (p.status === 'violated') return `VIOLATED (${p.violation!.depth} steps)`;
      return p.status;
    }
  }
}

/**
 * The comparison table. Rows: every property any column has (the scenario's own first, the
 * built-in ones after), then expected / result / states / transitions / time.
 */
export function formatComparison(file: string, columns: readonly CompareColumn[]): string {
  const names: string[] = [];
  for (const c of columns) {
    if ('error' in c) continue;
    for (const p of c.model.properties) if (!names.includes(p.name)) names.push(p.name);
  }
  const rows = [...names, '', 'expected', 'result', 'states', 'transitions', 'time'];
  const table: string[][] = [['property', ...columns.map((c) => c.label)]];
  for (const r of rows) table.push(r === '' ? [] : [r, ...columns.map((c) => cell(c, r))]);
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [file, ...table.map((row) => (row.length ? line(row) : ''))];
  for (const c of columns) if ('error' in c) out.push(`${c.label}: ${c.error}`);
  return out.join('\n');
}
