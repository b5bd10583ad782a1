// The editor files know the whole language: every word of the grammar is highlighted by the
// TextMate grammar and the vim syntax, and the VS Code extension starts `dirtyrace lsp`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_CALLS } from '../../src/check/scope.js';
import { run } from '../cli/harness.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

/** Every word the grammar spells out ("let", "spinlock", ...), the built-in calls and properties. */
const WORDS = [
  ...new Set([...read('src/lang/dirtyrace.ohm').matchAll(/"([a-z][a-z_]*)"/g)].map((m) => m[1]!)),
  ...BUILTIN_CALLS, 'deadlock', 'unhandled_fault', 'loop_bound', 'lock_misuse', 'overflow', 'no_translation',
];

describe('editors/', () => {
  it('the TextMate grammar highlights every word of the language', () => {
    const grammar = JSON.parse(read('editors/vscode/syntaxes/dirtyrace.tmLanguage.json')) as { patterns: { match?: string }[] };
    const regexes = grammar.patterns.flatMap((p) => (p.match === undefined ? [] : [new RegExp(p.match)]));
    const missing = WORDS.filter((w) => !regexes.some((r) => r.exec(` ${w} `)?.[0] === w));
    expect(missing).toEqual([]);
  });

  it('the vim syntax file has every word as a keyword', () => {
    const keywords = new Set([...read('editors/vim/syntax/dirtyrace.vim').matchAll(/^syn keyword \w+ (.*)$/gm)].flatMap((m) => m[1]!.split(/\s+/)));
    expect(WORDS.filter((w) => !keywords.has(w))).toEqual([]);
  });

  it('the VS Code extension declares the language and starts `dirtyrace lsp`', () => {
    const pkg = JSON.parse(read('editors/vscode/package.json'));
    expect(pkg.contributes.languages[0].extensions).toEqual(['.race', '.arch', '.lib']);
    expect(read(join('editors/vscode', pkg.contributes.grammars[0].path))).toContain('"scopeName": "source.dirtyrace"');
    expect(pkg.contributes.configuration.properties['dirtyrace.command'].default).toEqual(['npx', 'dirtyrace', 'lsp']);
    expect(read(join('editors/vscode', pkg.main))).toMatch(/getConfiguration\('dirtyrace'\)\.get\('command'\)/);
    // The extension is valid JavaScript (it runs inside VS Code, so only its syntax is checked here).
    const syntax = spawnSync(process.execPath, ['--check', join(ROOT, 'editors/vscode', pkg.main)], { encoding: 'utf8' });
    expect(syntax.status, syntax.stderr).toBe(0);
  });
});

describe('dirtyrace lsp on the command line', () => {
  it('--help prints its usage; an unknown option is a usage error', async () => {
    const help = await run('lsp', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: dirtyrace lsp \[--stdio\]\n/);
    const bad = await run('lsp', '--port', '4000');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("dirtyrace lsp: unknown option '--port'");
  });
});
