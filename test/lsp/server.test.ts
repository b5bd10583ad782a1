// `dirtyrace lsp` driven as an editor drives it: the built command in a child process, JSON-RPC
// over its stdin/stdout (./client.ts).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINUX_PRELUDE } from '../fixtures/linux-prelude.js';
import { Client } from './client.js';

const ROOT = join(import.meta.dirname, '..', '..');
const LIB = join(ROOT, 'models', 'linux.lib');
/** The part of the library that defines clean_record_shared_mapping_range. */
const MAPPING_DIRTY = join(ROOT, 'models', 'linux', 'mapping_dirty.lib');
const X86 = join(ROOT, 'models', 'x86_64.arch');

const dir = mkdtempSync(join(tmpdir(), 'dirtyrace-lsp-'));
const uri = (name: string) => pathToFileURL(join(dir, name)).href;

/** A scenario with the kernel library; line 9 (0-based 8) calls a library procedure. */
const GOOD = `${LINUX_PRELUDE}cpu cleaner {
  clean_record_shared_mapping_range(P);
}
cpu writer { write P; }
final seen: F0.version == 0 || pte_dirty(ptep_get(P)) || bitmap[P];
expect holds;
`;

let child: ChildProcessWithoutNullStreams;
let client: Client;

beforeAll(async () => {
  child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'lsp'], { stdio: 'pipe' });
  client = new Client(child);
  const init = await client.request('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {} });
  expect(init.capabilities.definitionProvider).toBe(true);
  expect(init.capabilities.hoverProvider).toBe(true);
  expect(init.capabilities.completionProvider).toBeDefined();
  client.notify('initialized', {});
});

afterAll(async () => {
  await client.request('shutdown', null);
  client.notify('exit', null);
  await new Promise((r) => child.once('exit', r));
});

function open(name: string, text: string, version = 1): void {
  client.notify('textDocument/didOpen', { textDocument: { uri: uri(name), languageId: 'dirtyrace', version, text } });
}

const diagnosticsOf = (name: string, version: number) =>
  client.notification('textDocument/publishDiagnostics', (p) => p.uri === uri(name) && p.version === version);

describe('dirtyrace lsp over stdio', () => {
  it('a broken file: the diagnostic check prints, at its range', async () => {
    open('broken.race', GOOD.replace('clean_record_shared_mapping_range(P);', 'spin_lock(&ptl);'));
    const { diagnostics } = await diagnosticsOf('broken.race', 1);
    expect(diagnostics).toHaveLength(1);
    const [d] = diagnostics;
    expect(d.message).toBe('write `lock(ptl);` — locks are named, not addressed');
    expect(d.severity).toBe(1);
    // `spin_lock(&ptl)` on line 9: 0-based line 8, characters 2..17.
    expect(d.range).toEqual({ start: { line: 8, character: 2 }, end: { line: 8, character: 17 } });
  });

  it('diagnostics follow the edits: fixed, the file gets none', async () => {
    client.notify('textDocument/didChange', {
      textDocument: { uri: uri('broken.race'), version: 2 },
      contentChanges: [{ range: { start: { line: 8, character: 2 }, end: { line: 8, character: 17 } }, text: 'lock(ptl); unlock(ptl)' }],
    });
    const { diagnostics } = await diagnosticsOf('broken.race', 2);
    expect(diagnostics).toEqual([]);
  });

  it('a type error gets check\'s message and hint', async () => {
    open('unknown.race', GOOD.replace('clean_record_shared_mapping_range(P);', 'ptep_clear_flush_young(P);'));
    const { diagnostics } = await diagnosticsOf('unknown.race', 1);
    expect(diagnostics[0].message).toBe("unknown procedure 'ptep_clear_flush_young'\n"
      + "'ptep_clear_flush_young' is a kernel function the used models and libraries do not have: write it as a proc in the scenario (models/linux.lib shows how, citing the kernel source)");
    expect(diagnostics[0].range.start).toEqual({ line: 8, character: 2 });
  });

  it('an unmet expectation is a warning at its property', async () => {
    open('violated.race', GOOD.replace(/final seen: .*/, 'final seen: F0.version == 0;'));
    const { diagnostics } = await diagnosticsOf('violated.race', 1);
    expect(diagnostics.map((d: any) => [d.severity, d.range.start.line, d.message])).toEqual([[2, 11, 'seen is violated (run `dirtyrace check` for the trace)']]);
  });

  it('go to definition: a library procedure into its part of models/linux/, a helper into the arch model', async () => {
    open('good.race', GOOD);
    await diagnosticsOf('good.race', 1);
    const lib = await client.request('textDocument/definition', { textDocument: { uri: uri('good.race') }, position: { line: 8, character: 10 } });
    expect(lib.uri).toBe(pathToFileURL(MAPPING_DIRTY).href);
    const partLines = readFileSync(MAPPING_DIRTY, 'utf8').split('\n');
    expect(partLines[lib.range.start.line]!.slice(lib.range.start.character, lib.range.end.character)).toBe('clean_record_shared_mapping_range');
    expect(partLines[lib.range.start.line]).toMatch(/^proc clean_record_shared_mapping_range\(/);
    const arch = await client.request('textDocument/definition', { textDocument: { uri: uri('good.race') }, position: { line: 2, character: 35 } });
    expect(arch.uri).toBe(pathToFileURL(X86).href);
    expect(readFileSync(X86, 'utf8').split('\n')[arch.range.start.line]).toMatch(/\bfn mk_pte\(/);
    // `use linux;` goes to the library's header.
    const use = await client.request('textDocument/definition', { textDocument: { uri: uri('good.race') }, position: { line: 1, character: 6 } });
    expect(use.uri).toBe(pathToFileURL(LIB).href);
    expect(readFileSync(LIB, 'utf8').split('\n')[use.range.start.line]).toBe('library linux;');
    // The scenario's own names too: the page P passed on line 9.
    const own = await client.request('textDocument/definition', { textDocument: { uri: uri('good.race') }, position: { line: 8, character: 36 } });
    expect(own).toEqual({ uri: uri('good.race'), range: { start: { line: 2, character: 5 }, end: { line: 2, character: 6 } } });
  });

  it('hover on a library procedure: its signature, doc comment and kernel source', async () => {
    const h = await client.request('textDocument/hover', { textDocument: { uri: uri('good.race') }, position: { line: 8, character: 4 } });
    expect(h.contents.kind).toBe('markdown');
    expect(h.contents.value).toContain('proc clean_record_shared_mapping_range(p: page)');
    expect(h.contents.value).toContain('for one page: pre-vma, the walk under the PTL, post-vma'); // its doc comment
    expect(h.contents.value).toContain('kernel source: mm/mapping_dirty_helpers.c');
    expect(h.contents.value).toMatch(/linux\/mapping_dirty\.lib:\d+/);
    const none = await client.request('textDocument/hover', { textDocument: { uri: uri('good.race') }, position: { line: 0, character: 1 } });
    expect(none).toBeNull();
  });

  it('completion offers the library names and the built-ins', async () => {
    const items = await client.request('textDocument/completion', { textDocument: { uri: uri('good.race') }, position: { line: 8, character: 2 } });
    const labels = new Set((items as any[]).map((i) => i.label));
    for (const n of ['clean_record_shared_mapping_range', 'ptep_clear_flush', 'handle_pte_write_fault', 'pte_mkclean', 'ptep_get', 'flush', 'ptl', 'P']) {
      expect(labels.has(n), n).toBe(true);
    }
    expect((items as any[]).find((i) => i.label === 'ptep_clear_flush').detail).toBe('proc ptep_clear_flush(p: page) -> pte');
  });

  it('user names that are Object.prototype keys work', async () => {
    const text = GOOD.replaceAll('P', '__proto__').replace('page __proto__', 'page __proto__');
    open('proto.race', text);
    expect((await diagnosticsOf('proto.race', 1)).diagnostics).toEqual([]);
    const own = await client.request('textDocument/definition', { textDocument: { uri: uri('proto.race') }, position: { line: 8, character: 40 } });
    expect(own.range.start).toEqual({ line: 2, character: 5 });
  });
});
