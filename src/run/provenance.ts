// What a result was computed from, so a CI failure can be re-run locally: the tool version, every
// model file the scenario used (with a hash of their text) and the options, as a command line.
import { createHash } from 'node:crypto';
import { basename, relative } from 'node:path';
import { loadScenario } from '../check/load.js';
import { parseFile } from '../lang/parse.js';
import type { SourceFile } from '../lang/source.js';
import type { Provenance } from '../report/file-report.js';
import { DEFAULT_MAX_STATES, DEFAULT_MEMORY_LIMIT, type RunOptions } from './options.js';
import { toolVersion } from './version.js';

/** The scenario and the files it uses, with their text; the scenario alone when it cannot be loaded (bad input). */
function modelFilesOf(source: SourceFile, arch: string | undefined, modelDirs: readonly string[]): SourceFile[] {
  try {
    const loaded = loadScenario({ source, ast: parseFile(source) }, { arch, modelDirs });
    return [source, ...loaded.arch.map((f) => f.source), ...loaded.libraries.map((f) => f.source)];
  } catch {
    return [source];
  }
}

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

function modelHash(files: readonly SourceFile[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(`${basename(f.path)}\0${f.text.length}\0${f.text}`);
  return `sha256:${h.digest('hex')}`;
}

function quote(arg: string): string {
  return /^[\w./:=,@+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function rerunCommand(file: string, o: RunOptions): string {
  const args = ['dirtyrace', 'check'];
  if (o.arch) args.push('--arch', o.arch);
  if (o.maxStates !== DEFAULT_MAX_STATES) args.push('--max-states', String(o.maxStates));
  if (Number.isFinite(o.timeLimitMs)) args.push('--time-limit', String(o.timeLimitMs / 1000));
  if (o.memoryLimitBytes !== DEFAULT_MEMORY_LIMIT) args.push('--memory-limit', String(o.memoryLimitBytes / 2 ** 20));
  for (const d of o.modelDirs) args.push('--models', d);
  if (!o.symmetry) args.push('--no-symmetry');
  if (!o.por) args.push('--no-por');
  if (o.strict) args.push('--strict');
  args.push(file);
  return args.map(quote).join(' ');
}

export function provenanceOf(source: SourceFile, o: RunOptions): Provenance {
  const files = modelFilesOf(source, o.arch, o.modelDirs);
  return {
    tool: { name: 'dirtyrace', version: toolVersion() },
    modelFiles: files.map((f) => display(f.path)),
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
    command: rerunCommand(source.path, o),
  };
}

export function provenanceText(p: Provenance): string {
  return `run: ${p.command}  (dirtyrace ${p.tool.version}; models: ${p.modelFiles.slice(1).join(', ') || 'none'}; ${p.modelHash.slice(0, 19)})`;
}
