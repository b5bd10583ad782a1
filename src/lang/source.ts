// Source text, spans and user-facing diagnostics shared by every stage that reports on a file.

export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

export interface Span {
  readonly file: SourceFile;
  readonly start: number;
  readonly end: number;
}

export interface LineCol {
  readonly line: number;
  readonly col: number;
}

export class Diagnostic extends Error {
  constructor(
    readonly span: Span,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export function lineCol(file: SourceFile, offset: number): LineCol {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < file.text.length; i++) {
    if (file.text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

/** `file:line:col: error: message`, the source line, and a caret under the offending text. */
export function formatDiagnostic(d: Diagnostic): string {
  const { file, start, end } = d.span;
  const { line, col } = lineCol(file, start);
  const lines = file.text.split('\n');
  const src = (lines[line - 1] ?? '').replace(/\t/g, ' ');
  const width = Math.max(1, Math.min(end - start, src.length - (col - 1)));
  const gutter = String(line).length;
  const out = [
    `${file.path}:${line}:${col}: error: ${d.message}`,
    `${' '.repeat(gutter)} |`,
    `${line} | ${src}`,
    `${' '.repeat(gutter)} | ${' '.repeat(col - 1)}${'^'.repeat(width)}`,
  ];
  if (d.hint) out.push(`${' '.repeat(gutter)} = ${d.hint}`);
  return out.join('\n');
}

export function spanText(span: Span): string {
  return span.file.text.slice(span.start, span.end);
}
