// One scenario under several architecture models, side by side: one column per model, one row
// per property, then the expectation, the result and the search's size and time per model.
// Also which models a scenario asks to be checked under (its `expect on ARCH ...` lines).
import { readFileSync } from 'node:fs';
import type * as A from '../lang/ast.js';
import type { Model } from '../check/model.js';
import type { ExploreResult } from '../explore/bfs.js';
import type { Verdict } from '../explore/verdict.js';
import { parseFile } from '../lang/parse.js';
import { spanText } from '../lang/source.js';

/** One model's column: a finished check, or the one-line reason it could not run. */
export type CompareColumn =
  | { readonly label: string; readonly model: Model; readonly result: ExploreResult; readonly verdict: Verdict }
  | { readonly label: string; readonly error: string };

/** The text of an `--arch` value for a spec written in a file: `NAME` or `NAME(p = v, ...)`. */
export function archSpecText(spec: { name: A.Ident; args: readonly { name: A.Ident; value: A.Expr }[] }): string {
  if (!spec.args.length) return spec.name.name;
  return `${spec.name.name}(${spec.args.map((a) => `${a.name.name} = ${spanText(a.value.span).replace(/\s+/g, ' ')}`).join(', ')})`;
}

/**
 * The models to check `file` under when no `--arch` is given: the scenario's own (`undefined`),
 * then each model an `expect on ARCH` line names that differs from the `use` line. A file that
 * does not parse yields just its own (the check reports the error).
 */
export function expectedArchs(file: string): (string | undefined)[] {
  let items: A.Item[];
  try {
    items = parseFile({ path: file, text: readFileSync(file, 'utf8') }).items;
  } catch {
    return [undefined];
  }
  // A spec equal to a `use` line is the scenario's own model (libraries never appear after `on`).
  const uses = new Set(items.flatMap((i) => (i.kind === 'use' ? [archSpecText(i)] : [])));
  const out: (string | undefined)[] = [undefined];
  for (const i of items) {
    if (i.kind !== 'expect' || !i.on) continue;
    const t = archSpecText(i.on);
    if (!uses.has(t) && !out.includes(t)) out.push(t);
  }
  return out;
}

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
