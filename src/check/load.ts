// Reads a scenario and the model files its `use` lines name (an arch with its `extends` chain,
// and libraries), parsed, in the order their definitions apply.
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as A from '../lang/ast.js';
import type { MemoryMode } from '../ir/model.js';
import { parseFile } from '../lang/parse.js';
import { Diagnostic, lineCol, readText, unreadableFile, type SourceFile, type Span } from '../lang/source.js';
import { didYouMean } from './types.js';

/** The package's own models/, found from this file whether it runs compiled (dist/) or from source. */
export const BUNDLED_MODELS = findModels(dirname(fileURLToPath(import.meta.url)));

function findModels(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json')) && existsSync(join(d, 'models'))) return join(d, 'models');
    if (dirname(d) === d) return resolve(dir, '../../../models');
  }
}

export interface ParsedFile {
  readonly source: SourceFile;
  readonly ast: A.FileAst;
}

export interface LoadedScenario {
  readonly scenario: ParsedFile;
  /** The architecture's files, base first. */
  readonly arch: readonly ParsedFile[];
  readonly archName: string;
  /** Arguments given to the arch or libraries in `use NAME(x = v)`. */
  readonly useArgs: readonly A.UseArg[];
  readonly libraries: readonly ParsedFile[];
}

export interface LoadOptions {
  /** Replaces the scenario's `use ARCH` (the `--arch` flag). */
  readonly arch?: string;
  readonly modelDirs?: readonly string[];
  /** `--memory`: relaxed (arm64's ordering of translation-table accesses) or sc. */
  readonly memory?: MemoryMode;
}

export function readSource(path: string): SourceFile {
  const r = readText(path);
  if ('problem' in r) throw unreadableFile(path, r.problem);
  return { path, text: r.text };
}

/** Parsed model files by path, reused while the text is unchanged (every check of a directory uses them). */
const parsedModels = new Map<string, ParsedFile>();

function parseModel(path: string, use: Span): ParsedFile {
  const r = readText(path);
  if ('problem' in r) throw new Diagnostic(use, `cannot read ${path}: ${r.problem}`);
  const source = { path, text: r.text };
  const hit = parsedModels.get(path);
  if (hit && hit.source.text === source.text) return hit;
  const file = { source, ast: parseFile(source) };
  parsedModels.set(path, file);
  return file;
}

type ModelKind = { kind: 'arch'; base?: A.Ident } | { kind: 'library' };

function header(file: ParsedFile): ModelKind | undefined {
  for (const item of file.ast.items) {
    if (item.kind === 'arch') return { kind: 'arch', base: item.extends };
    if (item.kind === 'library') return { kind: 'library' };
  }
  return undefined;
}

export function loadScenario(scenario: ParsedFile, opts: LoadOptions = {}): LoadedScenario {
  const dirs = [...(opts.modelDirs ?? []), dirname(scenario.source.path), BUNDLED_MODELS];
  const find = (name: string, span: Span): ParsedFile => {
    for (const dir of dirs) {
      for (const ext of ['.arch', '.lib']) {
        const path = join(dir, name + ext);
        if (existsSync(path)) return parseModel(path, span);
      }
    }
    const known = dirs.flatMap((d) => (existsSync(d) ? readdirSync(d) : []))
      .filter((f) => /\.(arch|lib)$/.test(f)).map((f) => f.replace(/\.(arch|lib)$/, ''));
    throw new Diagnostic(span, `no model named '${name}' (looked for ${name}.arch and ${name}.lib in ${dirs.join(', ')})`,
      didYouMean(name, known));
  };

  let archName: string | undefined;
  let arch: ParsedFile[] = [];
  let useArgs: A.UseArg[] = [];
  let archArgs: A.UseArg[] = [];
  const libraries: ParsedFile[] = [];
  const libraryUses = new Map<ParsedFile, Span>();
  for (const item of scenario.ast.items) {
    if (item.kind !== 'use') continue;
    const file = find(item.name.name, item.name.span);
    const kind = header(file);
    if (!kind) throw new Diagnostic(item.name.span, `'${item.name.name}' is neither an arch nor a library (its file starts with neither 'arch' nor 'library')`);
    if (kind.kind === 'library') {
      // Its definitions would clash with themselves, reported inside the library; say it here.
      const first = libraryUses.get(file);
      if (first) throw new Diagnostic(item.span, `library '${item.name.name}' is already used at line ${lineCol(first.file, first.start).line}`, 'remove this `use` line');
      libraryUses.set(file, item.span);
      useArgs = useArgs.concat(item.args); addLibrary(file, find, libraries, []); continue;
    }
    if (archName !== undefined) throw new Diagnostic(item.span, `a scenario uses one architecture; '${archName}' is already used`);
    archName = item.name.name;
    arch = archChain(file, find);
    archArgs = item.args;
  }
  if (opts.arch !== undefined) {
    // `--arch NAME` or `--arch 'NAME(param = value, ...)'`, parsed as a use line; it replaces the
    // scenario's arch `use` line with its arguments.
    const spec = parseArchSpec(opts.arch);
    const name = spec.name.name;
    const file = find(name, spec.name.span);
    if (header(file)?.kind !== 'arch') throw new Diagnostic(spec.name.span, `'${name}' is not an architecture model`);
    archName = name;
    arch = archChain(file, find);
    archArgs = spec.args;
  }
  useArgs = useArgs.concat(archArgs);
  if (archName === undefined) {
    throw new Diagnostic({ file: scenario.source, start: 0, end: 1 },
      'the scenario names no architecture: add a line such as `use x86_64;`');
  }
  return { scenario, arch, archName, useArgs, libraries };
}

/**
 * Adds a library after the libraries its own `use` lines name (each once, however many use it).
 * A library's `use NAME;` looks first in the folder named after the library file, beside it
 * (models/linux.lib's `use tlb;` reads models/linux/tlb.lib), then in the library's own folder
 * (models/linux/madvise.lib's `use tlb;` reads the same file), then where a scenario's would.
 */
function addLibrary(file: ParsedFile, find: (name: string, span: Span) => ParsedFile, out: ParsedFile[], using: ParsedFile[]): void {
  if (out.includes(file)) return;
  if (using.includes(file)) throw new Diagnostic(file.ast.items.find((i) => i.kind === 'library')!.span, `libraries use each other in a cycle: ${[...using, file].map((f) => f.source.path).join(' → ')}`);
  const own = join(dirname(file.source.path), basename(file.source.path, '.lib'));
  for (const item of file.ast.items) {
    if (item.kind !== 'use') continue;
    if (item.args.length) throw new Diagnostic(item.args[0]!.name.span, 'a library uses another without arguments', "parameters are set in the scenario's `use` line");
    const near = [join(own, item.name.name + '.lib'), join(dirname(file.source.path), item.name.name + '.lib')].find((p) => existsSync(p));
    const dep = near ? parseModel(near, item.name.span) : find(item.name.name, item.name.span);
    if (header(dep)?.kind !== 'library') throw new Diagnostic(item.name.span, `'${item.name.name}' is not a library: a library may use only libraries`);
    addLibrary(dep, find, out, [...using, file]);
  }
  out.push(file);
}

/** An `--arch` value (`x86_64`, `arm64-softdirty-2024(keep_soft_dirty = true)`) as a use line. */
export function parseArchSpec(text: string): { name: A.Ident; args: A.UseArg[] } {
  const file = { path: '--arch', text: `use ${text.replace(/^[\w-]+/, (n) => n.replace(/-/g, '_'))};` };
  let items: A.Item[];
  try {
    items = parseFile(file).items;
  } catch (e) {
    if (e instanceof Diagnostic) throw new Diagnostic({ file, start: 0, end: file.text.length }, `--arch takes NAME or NAME(param = value, ...), found '${text}'`);
    throw e;
  }
  const use = items[0];
  if (items.length !== 1 || use?.kind !== 'use') throw new Diagnostic({ file, start: 0, end: file.text.length }, `--arch takes NAME or NAME(param = value, ...), found '${text}'`);
  return { name: use.name, args: use.args };
}

/** Splits an `--arch` list at the commas outside parentheses. */
export function splitArchList(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of text) {
    if (c === ',' && depth === 0) { out.push(cur); cur = ''; continue; }
    if (c === '(') depth++;
    if (c === ')') depth = Math.max(0, depth - 1);
    cur += c;
  }
  out.push(cur);
  return out.map((a) => a.trim()).filter(Boolean);
}

function archChain(top: ParsedFile, find: (name: string, span: Span) => ParsedFile): ParsedFile[] {
  const chain = [top];
  for (let kind = header(top); kind?.kind === 'arch' && kind.base; kind = header(chain[0]!)) {
    if (chain.length > 16) throw new Diagnostic(kind.base.span, 'arch extends chain longer than 16 (a cycle?)');
    const base = find(kind.base.name, kind.base.span);
    if (header(base)?.kind !== 'arch') throw new Diagnostic(kind.base.span, `'${kind.base.name}' is not an architecture model`);
    chain.unshift(base);
  }
  return chain;
}
