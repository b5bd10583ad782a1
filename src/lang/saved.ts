// Parsing work kept so that a run does not redo it (ohm is slow until the JIT has warmed up to
// it: a first parse of a 1.6 kB scenario takes 0.1-0.3 s, a 15 kB library up to 0.7 s):
//   - the grammar as an ohm recipe, saved by the build (scripts/copy-assets.mjs): rebuilding the
//     grammar from it takes milliseconds instead of a hundred or more;
//   - syntax trees, named by the SHA-256 of the parser and the file's text, so a changed file
//     (or parser) has another name and is parsed anew. They are looked for in the process
//     (a scenario is read by several stages), next to the compiled parser (the bundled models,
//     saved by the build), then in the user's cache directory (every file parsed before; written
//     to a temporary name and renamed, so concurrent runs never read half a file).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type * as A from './ast.js';
import type { SourceFile, Span } from './source.js';

export const RECIPE_FILE = 'dirtyrace.recipe.json';
export const TREES_DIR = 'parsed';
/** How many trees the user's cache keeps: every edit of a scenario adds one, so it is trimmed to the most recently used. */
export const CACHE_TREES = 512;

/** The recipe (Grammar.toRecipe's JSON text) saved for exactly this grammar text in `dir`, if there is one. */
export function savedRecipe(dir: string, grammarText: string): string | undefined {
  const path = join(dir, RECIPE_FILE);
  if (!existsSync(path)) return undefined;
  const saved = JSON.parse(readFileSync(path, 'utf8')) as { grammar: string; recipe: string };
  return saved.grammar === grammarText ? saved.recipe : undefined;
}

/**
 * Where parsed trees are cached between runs: $DIRTYRACE_CACHE ('off': nowhere), else
 * $XDG_CACHE_HOME/dirtyrace or ~/.cache/dirtyrace.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const set = env.DIRTYRACE_CACHE;
  if (set === 'off') return undefined;
  if (set) return set;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'dirtyrace');
}

export interface TreeStore {
  /** The tree of `file` if one was kept, its spans pointing at `file`. */
  get(file: SourceFile): A.FileAst | undefined;
  /** Keeps `ast`, the tree parsed from `file`. */
  put(file: SourceFile, ast: A.FileAst): void;
  /** The name under TREES_DIR of the tree of `file` (the build saves the bundled models' under it). */
  nameOf(file: SourceFile): string;
  /** From now on keep new trees in memory only (an editor's language server parses every edit). */
  stopWriting(): void;
}

/**
 * The trees of files parsed by the parser identified by `parser` (text that changes whenever
 * what it builds may): kept in memory, read from `builtDir`, read from and written to `cacheDir`.
 */
export function treeStore(parser: string, builtDir: string, cacheDir: string | undefined): TreeStore {
  const inMemory = new Map<string, string>();
  const parserHash = textHash(parser);
  const name = (file: SourceFile) => `${textHash(parserHash + file.text)}.json`;
  const cached = cacheDir === undefined ? undefined : join(cacheDir, TREES_DIR);
  let writing = cached !== undefined;
  return {
    nameOf: name,
    stopWriting() { writing = false; },
    get(file) {
      const key = name(file);
      let text = inMemory.get(key);
      for (const dir of [join(builtDir, TREES_DIR), cached]) {
        if (text !== undefined || dir === undefined) break;
        text = readIfThere(join(dir, key));
        if (text !== undefined && dir === cached) touch(join(dir, key));
      }
      if (text === undefined) return undefined;
      inMemory.set(key, text);
      return decodeTree(text, file);
    },
    put(file, ast) {
      const key = name(file);
      const text = encodeTree(ast);
      inMemory.set(key, text);
      if (!writing || cached === undefined) return;
      try {
        mkdirSync(cached, { recursive: true });
        const tmp = join(cached, `${key}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
        writeFileSync(tmp, text);
        renameSync(tmp, join(cached, key));
        trimCache(cached, CACHE_TREES);
      } catch { /* a cache that cannot be written only costs time */ }
    },
  };
}

/**
 * Keeps the `keep` most recently used trees in `dir` (a hit refreshes a tree's mtime) once it
 * holds more, removing down to three quarters so that trimming is rare; temporary files older
 * than an hour are left by runs that died between write and rename. Another run may remove the
 * same file first: that is not an error.
 */
export function trimCache(dir: string, keep: number, now = Date.now()): void {
  const names = readdirSync(dir);
  const stale = names.filter((n) => n.endsWith('.tmp') && ageOf(join(dir, n), now) > 3_600_000);
  const trees = names.filter((n) => n.endsWith('.json'));
  const over = trees.length > keep
    ? trees.map((n) => ({ n, t: mtimeOf(join(dir, n)) })).sort((a, b) => a.t - b.t || (a.n < b.n ? -1 : 1))
      .slice(0, trees.length - Math.floor(keep * 3 / 4)).map((x) => x.n)
    : [];
  for (const n of [...stale, ...over]) {
    try { unlinkSync(join(dir, n)); } catch { /* already gone */ }
  }
}

function mtimeOf(path: string): number {
  try { return statSync(path).mtimeMs; } catch { return 0; }
}

function ageOf(path: string, now: number): number {
  return now - mtimeOf(path);
}

function touch(path: string): void {
  try { const t = new Date(); utimesSync(path, t, t); } catch { /* read-only cache: still usable */ }
}

function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

// A span is written as {"$span":[start,end]} (its file is the one being read); a property whose
// value is undefined as {"$undefined":1} and -0 as {"$minusZero":1}, so that the tree read back
// is the one the parser built, property for property.
export function encodeTree(ast: A.FileAst): string {
  const enc = (v: unknown): unknown => {
    if (v === undefined) return { $undefined: 1 };
    if (Object.is(v, -0)) return { $minusZero: 1 };
    if (Array.isArray(v)) return v.map(enc);
    if (v === null || typeof v !== 'object') return v;
    if ('file' in v && 'start' in v && 'end' in v) {
      const s = v as Span;
      return { $span: [s.start, s.end] };
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = enc(x);
    return out;
  };
  return JSON.stringify(enc(ast));
}

export function decodeTree(text: string, file: SourceFile): A.FileAst {
  const dec = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = dec(v[i]);
      return v;
    }
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if (o.$span) {
      const [start, end] = o.$span as [number, number];
      return { file, start, end };
    }
    if (o.$undefined) return undefined;
    if (o.$minusZero) return -0;
    for (const k in o) o[k] = dec(o[k]);
    return o;
  };
  return dec(JSON.parse(text)) as A.FileAst;
}
