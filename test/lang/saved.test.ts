// The kept parsing work (src/lang/saved.ts): a tree read back is the tree the parser built, and
// the cache between runs is named by parser and text, so neither a changed file nor a changed
// parser ever gets an old tree.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseText } from '../../src/lang/parse.js';
import { decodeTree, encodeTree, treeStore, trimCache, TREES_DIR, userCacheDir } from '../../src/lang/saved.js';
import type { Span } from '../../src/lang/source.js';

const MODELS = join(import.meta.dirname, '..', '..', 'models');
const modelFiles = readdirSync(MODELS).filter((f) => /\.(arch|lib)$/.test(f))
  .map((f) => ({ path: join(MODELS, f), text: readFileSync(join(MODELS, f), 'utf8') }));
const statMtime = (p: string) => statSync(p).mtimeMs;
const scratch = () => mkdtempSync(join(tmpdir(), 'dirtyrace-saved-'));

/** Every span in a tree. */
function spans(v: unknown, out: Span[] = []): Span[] {
  if (Array.isArray(v)) v.forEach((x) => spans(x, out));
  else if (v !== null && typeof v === 'object') {
    if ('file' in v && 'start' in v) out.push(v as Span);
    else Object.values(v).forEach((x) => spans(x, out));
  }
  return out;
}

describe('saved syntax trees', () => {
  it.each(modelFiles.map((f) => [f.path, f] as const))('%s reads back as the tree the parser built', (_, file) => {
    const built = parseText(file);
    const copy = { ...file };
    const back = decodeTree(encodeTree(built), copy);
    // toStrictEqual tells an undefined property from a missing one; spans compare by value.
    expect(back).toStrictEqual(built);
    const all = spans(back);
    expect(all.length).toBeGreaterThan(10);
    expect(all.every((s) => s.file === copy)).toBe(true);
  });

  it('keeps -0 and undefined properties', () => {
    const file = { path: 't.race', text: 'int[-0..1] x = -0;' };
    const built = parseText(file);
    expect(decodeTree(encodeTree(built), file)).toStrictEqual(built);
    expect(JSON.stringify(built)).toContain('"init"');
  });

  it('a cache directory serves a later run, never for another text or parser', () => {
    const dir = scratch();
    const file = modelFiles[0]!;
    const built = parseText(file);
    treeStore('parser A', join(dir, 'built'), dir).put(file, built);
    expect(readdirSync(join(dir, TREES_DIR))).toHaveLength(1);
    const later = treeStore('parser A', join(dir, 'built'), dir);
    expect(later.get({ ...file })).toStrictEqual(built);
    expect(later.get({ ...file, text: `${file.text}\n` })).toBeUndefined();
    expect(treeStore('parser B', join(dir, 'built'), dir).get(file)).toBeUndefined();
    // No temporary file is left behind by the atomic write.
    expect(readdirSync(join(dir, TREES_DIR)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // A store that has stopped writing still serves what it parsed, from memory only.
    later.stopWriting();
    const edited = { ...file, text: `${file.text}\n// edited\n` };
    later.put(edited, built);
    expect(later.get(edited)).toStrictEqual(decodeTree(encodeTree(built), edited));
    expect(readdirSync(join(dir, TREES_DIR))).toHaveLength(1);
  });

  it('the cache is trimmed to the most recently used trees, and dead runs\' temporary files go', () => {
    const dir = scratch();
    const now = Date.now();
    for (let i = 0; i < 10; i++) {
      const f = join(dir, `${i}.json`);
      writeFileSync(f, '{}');
      utimesSync(f, new Date(now - (10 - i) * 60_000), new Date(now - (10 - i) * 60_000));
    }
    writeFileSync(join(dir, 'old.tmp'), 'x');
    utimesSync(join(dir, 'old.tmp'), new Date(now - 7_200_000), new Date(now - 7_200_000));
    writeFileSync(join(dir, 'fresh.tmp'), 'x');
    trimCache(dir, 10, now);
    expect(readdirSync(dir).filter((n) => n.endsWith('.json'))).toHaveLength(10);
    expect(readdirSync(dir)).not.toContain('old.tmp');
    trimCache(dir, 8, now);
    expect(readdirSync(dir).sort()).toEqual(['4.json', '5.json', '6.json', '7.json', '8.json', '9.json', 'fresh.tmp']);
  });

  it('a cache hit makes the tree recently used', () => {
    const dir = scratch();
    const file = { path: 'p.race', text: 'use x86_64;\n' };
    const store = treeStore('parser', scratch(), dir);
    store.put(file, parseText(file));
    const path = join(dir, TREES_DIR, store.nameOf(file));
    utimesSync(path, new Date(0), new Date(0));
    expect(treeStore('parser', scratch(), dir).get(file)).toBeDefined();
    expect(readdirSync(join(dir, TREES_DIR))).toHaveLength(1);
    expect(Date.now() - statMtime(path)).toBeLessThan(86_400_000);
  });

  it('the cache directory follows DIRTYRACE_CACHE and XDG_CACHE_HOME', () => {
    expect(userCacheDir({ DIRTYRACE_CACHE: 'off' })).toBeUndefined();
    expect(userCacheDir({ DIRTYRACE_CACHE: '/x/y' })).toBe('/x/y');
    expect(userCacheDir({ XDG_CACHE_HOME: '/c' })).toBe(join('/c', 'dirtyrace'));
  });

  it('the built CLI reports the same with a cold and a warm cache, and with none', () => {
    const dir = scratch();
    const race = join(dir, 's.race');
    writeFileSync(race, readFileSync(join(import.meta.dirname, '..', '..', 'scenarios', 'tutorial', 'peterson.race'), 'utf8'));
    const run = (cache: string) => spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js'), 'check', '--format', 'json', race],
      { encoding: 'utf8', env: { ...process.env, DIRTYRACE_CACHE: cache } });
    const strip = (s: string) => s.replace(/"(elapsedMs|seconds|ms)": *[0-9.]+/g, '');
    const none = run('off');
    const cold = run(join(dir, 'cache'));
    const warm = run(join(dir, 'cache'));
    expect(none.status).toBe(0);
    expect(readdirSync(join(dir, 'cache', TREES_DIR)).length).toBeGreaterThan(0);
    expect(strip(cold.stdout)).toBe(strip(none.stdout));
    expect(strip(warm.stdout)).toBe(strip(none.stdout));
  });
});
