// Source text, spans and user-facing diagnostics shared by every stage that reports on a file.
import { readFileSync, statSync, type Stats } from 'node:fs';

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
    /** A second place the error involves: the library line behind an error reported at its call site. */
    readonly note?: { readonly span: Span; readonly message: string },
  ) {
    super(message);
  }
}

/** `file:line:col` of a span's start. */
export function spanPlace(span: Span): string {
  const { line, col } = lineCol(span.file, span.start);
  return `${span.file.path}:${line}:${col}`;
}

/** Line and column of an offset; a line ends at LF, CRLF or a lone CR; a byte-order mark takes no column. */
export function lineCol(file: SourceFile, offset: number): LineCol {
  let line = 1;
  let lineStart = 0;
  const t = file.text;
  for (let i = 0; i < offset && i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 10 || (c === 13 && t.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  const bom = line === 1 && t.charCodeAt(0) === 0xfeff ? 1 : 0;
  return { line, col: Math.max(1, offset - lineStart + 1 - bom) };
}

/** The lines of a text, whatever its line endings (without a byte-order mark). */
export function sourceLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
}

/** How much of a long line an excerpt shows, around the column: one error never prints a megabyte. */
const EXCERPT = 120;

/** `file:line:col: error: message`, the source line, and a caret under the offending text. */
export function formatDiagnostic(d: Diagnostic): string {
  const { file, start, end } = d.span;
  const { line, col } = lineCol(file, start);
  const head = `${file.path}:${line}:${col}: error: ${d.message}`;
  // A file that could not be read has no text to show.
  if (file.text === '') return d.hint ? `${head}\n  = ${d.hint}` : head;
  const lines = sourceLines(file.text);
  const src = (lines[line - 1] ?? '').replace(/\t/g, ' ');
  const from = src.length > EXCERPT ? Math.max(0, Math.min(col - 1 - EXCERPT / 2, src.length - EXCERPT)) : 0;
  const to = Math.min(src.length, from + EXCERPT);
  const shown = `${from > 0 ? '...' : ''}${src.slice(from, to)}${to < src.length ? '...' : ''}`;
  const caret = col - 1 - from + (from > 0 ? 3 : 0);
  const width = Math.max(1, Math.min(end - start, to - (col - 1)));
  const gutter = String(line).length;
  const out = [
    head,
    `${' '.repeat(gutter)} |`,
    `${line} | ${shown}`,
    `${' '.repeat(gutter)} | ${' '.repeat(caret)}${'^'.repeat(width)}`,
  ];
  if (d.hint) out.push(`${' '.repeat(gutter)} = ${d.hint}`);
  if (d.note) out.push(`${' '.repeat(gutter)} = note: ${noteText(d.note)}`);
  return out.join('\n');
}

/** A note as one line: its place, what it says, and the source line there. */
export function noteText(note: { readonly span: Span; readonly message: string }): string {
  const { line } = lineCol(note.span.file, note.span.start);
  const src = (sourceLines(note.span.file.text)[line - 1] ?? '').trim();
  return `${spanPlace(note.span)}: ${note.message}${src ? `: ${src.length > EXCERPT ? `${src.slice(0, EXCERPT)}...` : src}` : ''}`;
}

export function spanText(span: Span): string {
  return span.file.text.slice(span.start, span.end);
}

/** A file-system error in words (`EACCES` → "permission denied"). */
export function fsProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    EACCES: 'permission denied', EPERM: 'permission denied', ENOENT: 'no such file or directory',
    ELOOP: 'too many levels of symbolic links', EISDIR: 'is a directory', ENOTDIR: 'not a directory',
    ENAMETOOLONG: 'file name too long', EMFILE: 'too many open files', ENOSPC: 'no space left on device',
    EROFS: 'read-only file system', EIO: 'input/output error', EEXIST: 'a file is in the way of a directory',
  };
  return (code && words[code]) ?? (e as Error).message;
}

/** What a file that is not a regular file is, in words. */
export function nonRegular(st: Stats): string {
  return st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isDirectory() ? 'a directory' : 'not a regular file';
}

/** The text of the file at `path`, or why it cannot be read. Only a regular file is opened: a FIFO would block. */
export function readText(path: string): { readonly text: string } | { readonly problem: string } {
  try {
    const st = statSync(path);
    if (!st.isFile()) return { problem: `${nonRegular(st)}, not read` };
    return { text: readFileSync(path, 'utf8') };
  } catch (e) {
    return { problem: fsProblem(e) };
  }
}

/** A file that cannot be read, as an error at its start (it has no text to show). */
export function unreadableFile(path: string, problem: string): Diagnostic {
  return new Diagnostic({ file: { path, text: '' }, start: 0, end: 0 }, `cannot check this file: ${problem}`);
}
