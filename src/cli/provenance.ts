// What a result was computed from, so a CI failure can be re-run locally: the tool version, every
// model file the scenario used (with a hash of their text) and the options, as a command line.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { loadScenario } from '../check/load.js';
import { parseFile } from '../lang/parse.js';
import { readSource } from '../check/load.js';

export interface RunOptions {
  readonly arch?: string;
  readonly maxStates: number;
  readonly timeLimitMs: number;
  readonly modelDirs: readonly string[];
  readonly symmetry: boolean;
  readonly por: boolean;
  readonly strict: boolean;
}

export interface Provenance {
  readonly tool: { readonly name: 'dirtyrace'; readonly version: string };
  /** The scenario first, then the architecture chain (base first), then the libraries. */
  readonly modelFiles: readonly string[];
  /** sha256 over the text of every model file, in that order. */
  readonly modelHash: string;
  readonly options: {
    readonly arch: string | null;
    readonly maxStates: number;
    readonly timeLimitSeconds: number | null;
    readonly models: readonly string[];
    readonly symmetry: boolean;
    readonly por: boolean;
    readonly strict: boolean;
  };
  /** The command that re-runs this one check. */
  readonly command: string;
}

/** Files the scenario uses; the scenario alone when it cannot be loaded (bad input). */
export function modelFilesOf(file: string, arch: string | undefined, modelDirs: readonly string[]): string[] {
  try {
    const source = readSource(file);
    const loaded = loadScenario({ source, ast: parseFile(source) }, { arch, modelDirs });
    return [file, ...loaded.arch.map((f) => f.source.path), ...loaded.libraries.map((f) => f.source.path)].map(display);
  } catch {
    return [file];
  }
}

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

export function modelHash(files: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of files) {
    let text: string;
    try { text = readFileSync(f, 'utf8'); } catch { text = ''; }
    h.update(`${basename(f)}\0${text.length}\0${text}`);
  }
  return `sha256:${h.digest('hex')}`;
}

function quote(arg: string): string {
  return /^[\w./:=,@+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function rerunCommand(file: string, o: RunOptions, defaults: { maxStates: number }): string {
  const args = ['dirtyrace', 'check'];
  if (o.arch) args.push('--arch', o.arch);
  if (o.maxStates !== defaults.maxStates) args.push('--max-states', String(o.maxStates));
  if (Number.isFinite(o.timeLimitMs)) args.push('--time-limit', String(o.timeLimitMs / 1000));
  for (const d of o.modelDirs) args.push('--models', d);
  if (!o.symmetry) args.push('--no-symmetry');
  if (!o.por) args.push('--no-por');
  if (o.strict) args.push('--strict');
  args.push(file);
  return args.map(quote).join(' ');
}

export function provenanceOf(file: string, o: RunOptions, version: string, defaults: { maxStates: number }): Provenance {
  const files = modelFilesOf(file, o.arch, o.modelDirs);
  return {
    tool: { name: 'dirtyrace', version },
    modelFiles: files,
    modelHash: modelHash(files),
    options: {
      arch: o.arch ?? null,
      maxStates: o.maxStates,
      timeLimitSeconds: Number.isFinite(o.timeLimitMs) ? o.timeLimitMs / 1000 : null,
      models: o.modelDirs,
      symmetry: o.symmetry,
      por: o.por,
      strict: o.strict,
    },
    command: rerunCommand(file, o, defaults),
  };
}

export function provenanceText(p: Provenance): string {
  return `run: ${p.command}  (dirtyrace ${p.tool.version}; models: ${p.modelFiles.slice(1).join(', ') || 'none'}; ${p.modelHash.slice(0, 19)})`;
}
