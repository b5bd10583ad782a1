// What `check` prints for each result: the text report (verdict, traces, coverage, warnings, how
// to re-run) and the JSON document (docs/JSON.md).
import { formatDiagnostic, lineCol, type Span } from '../lang/source.js';
import { coverageText } from '../report/coverage.js';
import type { Provenance, Warning } from '../report/file-report.js';
import { resultJson } from '../report/json.js';
import { failedText, formatResult, statsLine } from '../report/text.js';
import type { Analysis } from '../run/analysis.js';
import { EXIT } from '../run/exit.js';
import type { CheckedFile } from '../run/check.js';
import type { RunOptions } from '../run/options.js';

function warningLines(a: { warnings: readonly Warning[]; notes: readonly string[] }, strict: boolean): string[] {
  return [...a.warnings.map((w) => `${strict ? 'error' : 'warning'}: ${w.message}`), ...a.notes.map((n) => `note: ${n}`)];
}

export function provenanceText(p: Provenance): string {
  return `run: ${p.command}  (dirtyrace ${p.tool.version}; models: ${p.modelFiles.slice(1).join(', ') || 'none'}; ${p.modelHash.slice(0, 19)})`;
}

/** Appended to a single file's report: coverage, warnings, notes and how to re-run it. */
function analysisText(a: Analysis, strict: boolean): string {
  return ['', coverageText(a.coverage), ...warningLines(a, strict), provenanceText(a.provenance)].join('\n');
}

/** A check that ended without a verdict: a bug (exit 4), or a distributed search that lost a process (exit 3). */
export const failureWord = (exit: number) => (exit === EXIT.inconclusive ? 'search failed' : 'internal error');

/** The full text report of one check. */
export function checkText(c: CheckedFile, o: RunOptions & { traces: boolean; stateAt?: number }): string {
  switch (c.kind) {
    case 'checked': return formatResult(c.ts, c.result, c.verdict, { traces: o.traces, stateAt: o.stateAt })
      + explanationsText(c, o.explain) + analysisText(c.analysis, o.strict);
    case 'bad-input': return formatDiagnostic(c.diagnostic);
    case 'internal-error': return `${c.label}: ${failureWord(c.exit)}: ${c.message}`;
  }
}

/** The explanation of each violation, when asked for (--explain). */
function explanationsText(c: CheckedFile & { kind: 'checked' }, explain: boolean): string {
  if (!explain) return '';
  if (!c.analysis.explanations.length) return '\n\nexplain: no property is violated; there is no counterexample to explain\n';
  return c.analysis.explanations.map((x) => `\n\n${x.text}\n`).join('');
}

/** One line per file when several are checked (plus its warnings), or the error. */
export function summaryText(c: CheckedFile, strict: boolean): string {
  if (c.kind === 'bad-input') return `ERROR   ${c.label}\n${formatDiagnostic(c.diagnostic)}`;
  if (c.kind === 'internal-error') return `${c.exit === EXIT.inconclusive ? 'UNKNOWN' : 'ERROR  '} ${c.label}: ${failureWord(c.exit)}: ${c.message}`;
  const v = c.verdict;
  const status = c.exit === 0 ? 'PASS' : c.exit === 3 ? 'UNKNOWN' : 'FAIL';
  const found = v.outcome === 'violated' ? failedText(v).replace(/ {2}/g, ' ') : v.outcome;
  const lines = warningLines(c.analysis, strict).map((l) => `        ${l}`);
  return [`${status.padEnd(7)} ${c.label}  ${found}${v.expected && v.exit !== 0 ? ` (expected ${v.expected})` : ''}  (${statsLine(c.model, c.result)})`, ...lines].join('\n');
}

/** One result of the JSON document; with `explain`, each violation's explanation (docs/JSON.md). */
export function checkJson(c: CheckedFile, explain = false): unknown {
  const file = c.source.path;
  const arch = c.arch ?? null;
  const run = c.report.provenance;
  switch (c.kind) {
    case 'checked': {
      const a = c.analysis;
      const explanations = explain ? { explanations: c.analysis.explanations.map(({ text: _, ...x }) => x) } : {};
      return { ...resultJson(c.ts, c.result, c.verdict), exit: a.exit, ...explanations, coverage: a.coverage, warnings: a.warnings, notes: a.notes, run };
    }
    case 'bad-input': {
      const e = c.diagnostic;
      const note = e.note ? { ...placeOf(e.note.span), message: e.note.message } : null;
      return { file, arch, error: { ...placeOf(e.span), message: e.message, hint: e.hint ?? null, note }, run };
    }
    case 'internal-error': return c.exit === EXIT.inconclusive ? { file, arch, searchFailed: c.message, run } : { file, arch, internalError: c.message, run };
  }
}

function placeOf(span: Span): { file: string; line: number; col: number } {
  const { line, col } = lineCol(span.file, span.start);
  return { file: span.file.path, line, col };
}
