// What the editor asks about names: where each model, library and scenario name is declared, its
// signature and its doc comment (the comment lines right above it, which in models/ cite the
// kernel source). Keyed by Maps: names are the user's (a page may be called `__proto__`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import { BUNDLED_MODELS } from '../check/load.js';
import type * as A from '../lang/ast.js';
import { parseFile } from '../lang/parse.js';
import { lineCol, type SourceFile } from '../lang/source.js';

export type DefinitionKind = 'model' | 'proc' | 'fn' | 'hardware' | 'param' | 'page' | 'frame' | 'lock' | 'var' | 'cpu' | 'enum';

export interface Definition {
  readonly name: string;
  readonly kind: DefinitionKind;
  readonly file: SourceFile;
  /** Offsets of the name in `file`. */
  readonly start: number;
  readonly end: number;
  /** The declaration up to its body: `proc ptep_clear_flush(p: page) -> pte`. */
  readonly signature: string;
  /** The comment lines right above the declaration, without their `//`. */
  readonly doc: string;
  /** The kernel source its section of the file cites (`// ---- name (mm/file.c) ----`), if any. */
  readonly source?: string;
}

/** One model or library file: its header name, its base, and what it defines. */
interface ModelFile {
  readonly name: string;
  readonly extends?: string;
  /** A library's `use` lines: the part's path when it lies beside the library (src/check/load.ts), else its name. */
  readonly uses: readonly string[];
  readonly defs: readonly Definition[];
}

/** The definitions of a parsed file, in order. */
export function definitionsOf(file: SourceFile, ast: A.FileAst): Definition[] {
  const defs: Definition[] = [];
  const add = (kind: DefinitionKind, id: A.Ident, item: A.Item) => defs.push({
    name: id.name, kind, file, start: id.span.start, end: id.span.end, signature: signatureOf(file, item), doc: docAbove(file, item.span.start),
    source: sectionSource(file, item.span.start),
  });
  for (const item of ast.items) {
    switch (item.kind) {
      case 'proc': case 'fn': case 'hardware': case 'param': case 'page': case 'cpu': case 'var': case 'enum':
        add(item.kind, item.name, item);
        if (item.kind === 'enum') for (const m of item.members) add('enum', m, item);
        break;
      case 'arch': case 'library': add('model', item.name, item); break; // what `use NAME;` names
      case 'lockDecl': add('lock', item.name, item); break;
      case 'frame': for (const n of item.names) add('frame', n, item); break;
      default: break;
    }
  }
  return defs;
}

function signatureOf(file: SourceFile, item: A.Item): string {
  const text = file.text.slice(item.span.start, item.span.end);
  const body = item.kind === 'proc' || item.kind === 'fn' || item.kind === 'hardware' || item.kind === 'cpu' ? text.indexOf('{') : -1;
  return (body < 0 ? text : text.slice(0, body)).replace(/\s+/g, ' ').trim();
}

/** The `//` lines directly above `offset` (no blank line between), as text. */
function docAbove(file: SourceFile, offset: number): string {
  const lines = file.text.slice(0, file.text.lastIndexOf('\n', offset - 1) + 1).split('\n');
  lines.pop();
  const doc: string[] = [];
  for (let i = lines.length - 1; i >= 0 && /^\s*\/\//.test(lines[i]!); i--) doc.unshift(lines[i]!.replace(/^\s*\/\/ ?/, ''));
  return doc.join('\n');
}

/** The source file cited by the last section header (`// ---- ... (include/linux/mm.h, ...) ----`) before `offset`. */
function sectionSource(file: SourceFile, offset: number): string | undefined {
  const headers = [...file.text.slice(0, offset).matchAll(/^\/\/ ----(.*)----\s*$/gm)];
  return headers.at(-1)?.[1]!.match(/\(([^)]*)\)\s*$/)?.[1];
}

/** Model and library files by header name: the bundled ones and those beside the scenario. */
export class ModelIndex {
  private readonly byDir = new Map<string, Map<string, ModelFile>>();

  /** The definitions visible from a scenario in `dir` that uses `uses`: its architecture chain and libraries, in that order. */
  visible(dir: string, uses: readonly string[]): Definition[] {
    const files = new Map([...this.filesIn(BUNDLED_MODELS), ...this.filesIn(dir)]);
    const out: Definition[] = [];
    const seen = new Set<string>();
    const visit = (name: string | undefined) => {
      const f = name === undefined || seen.has(name) ? undefined : files.get(name) ?? (isAbsolute(name) ? parseModel(name) : undefined);
      if (f === undefined) return;
      seen.add(name!);
      out.push(...f.defs);
      visit(f.extends);
      f.uses.forEach(visit);
    };
    for (const u of uses) visit(u);
    return out;
  }

  /** Every bundled library and model name, for a scenario that uses none yet. */
  allBundled(): Definition[] {
    return this.visible(BUNDLED_MODELS, [...this.filesIn(BUNDLED_MODELS).keys()]);
  }

  private filesIn(dir: string): Map<string, ModelFile> {
    let files = this.byDir.get(dir);
    if (files !== undefined) return files;
    files = new Map();
    let names: string[] = [];
    try { names = readdirSync(dir); } catch { /* no such directory: nothing to index */ }
    for (const n of names.filter((x) => x === basename(x) && (extname(x) === '.arch' || extname(x) === '.lib'))) {
      const f = parseModel(join(dir, n));
      if (f !== undefined) files.set(f.name, f);
    }
    this.byDir.set(dir, files);
    return files;
  }
}

function parseModel(path: string): ModelFile | undefined {
  try {
    const file = { path, text: readFileSync(path, 'utf8') };
    const ast = parseFile(file);
    const header = ast.items.find((i) => i.kind === 'arch' || i.kind === 'library');
    if (header === undefined || (header.kind !== 'arch' && header.kind !== 'library')) return undefined;
    const own = join(dirname(path), basename(path, extname(path)));
    const uses = ast.items.flatMap((i) => (i.kind === 'use' ? [i.name.name] : []))
      .map((n) => [join(own, `${n}.lib`), join(dirname(path), `${n}.lib`)].find((p) => existsSync(p)) ?? n);
    return { name: header.name.name, extends: header.kind === 'arch' ? header.extends?.name : undefined, uses, defs: definitionsOf(file, ast) };
  } catch {
    return undefined; // a broken model file is reported by `check`, not by the index
  }
}

/** The names a scenario `use`s, read from its text (it may not parse while being typed). */
export function usesOf(text: string): string[] {
  return [...text.matchAll(/^\s*use\s+([A-Za-z_][A-Za-z0-9_]*)/gm)].map((m) => m[1]!);
}

/** The identifier around `offset`, with its offsets. */
export function wordAt(text: string, offset: number): { word: string; start: number; end: number } | undefined {
  let start = offset;
  let end = offset;
  while (start > 0 && /[A-Za-z0-9_]/.test(text[start - 1]!)) start--;
  while (end < text.length && /[A-Za-z0-9_]/.test(text[end]!)) end++;
  const word = text.slice(start, end);
  return /^[A-Za-z_]/.test(word) ? { word, start, end } : undefined;
}

/** 0-based line and character, as the protocol counts them (UTF-16 units, as JavaScript strings do). */
export function position(file: SourceFile, offset: number): { line: number; character: number } {
  const { line, col } = lineCol(file, offset);
  return { line: line - 1, character: col - 1 };
}

